namespace Perf.Analytics.Detection;

/// <summary>
/// Eigen-decomposition of a small dense symmetric matrix by cyclic Jacobi rotations: slow for large n (O(n^3) per
/// sweep) but simple, robust and accurate for the L x L lag covariances of SSA (L is tens). Exact zeros off the
/// diagonal are never rotated, so a block-diagonal input keeps exact unit vectors.
/// </summary>
internal static class SymmetricEigenSolver
{
    private const int MaxSweeps = 100;

    /// <summary>
    /// Decomposes the symmetric n x n row-major <paramref name="matrix"/> (overwritten). On success the eigenvalues are
    /// in descending order (ties keep their original order) and <paramref name="eigenvectors"/> holds the unit
    /// eigenvectors as columns: component i of vector k is <c>eigenvectors[i * n + k]</c>. Returns false when the
    /// input is not finite or the iteration does not converge.
    /// </summary>
    public static bool TryDecompose(double[] matrix, int n, double[] eigenvalues, double[] eigenvectors)
    {
        foreach (double value in matrix.AsSpan(0, n * n))
        {
            if (!double.IsFinite(value))
            {
                return false;
            }
        }

        var vt = new double[n * n]; // V transposed: row k is eigenvector k
        for (int i = 0; i < n; i++)
        {
            vt[(i * n) + i] = 1;
        }

        bool converged = false;
        for (int sweep = 0; sweep < MaxSweeps && !converged; sweep++)
        {
            double off = 0;
            double diagonal = 0;
            for (int p = 0; p < n; p++)
            {
                diagonal += matrix[(p * n) + p] * matrix[(p * n) + p];
                for (int q = p + 1; q < n; q++)
                {
                    off += matrix[(p * n) + q] * matrix[(p * n) + q];
                }
            }

            // Converged when the off-diagonal mass is below rounding relative to the whole matrix.
            if (off == 0 || off <= 1e-32 * (diagonal + (2 * off)))
            {
                converged = true;
                break;
            }

            if (!double.IsFinite(off))
            {
                return false;
            }

            for (int p = 0; p < n - 1; p++)
            {
                for (int q = p + 1; q < n; q++)
                {
                    double apq = matrix[(p * n) + q];
                    if (apq == 0)
                    {
                        continue;
                    }

                    Rotate(matrix, vt, n, p, q, apq);
                }
            }
        }

        if (!converged)
        {
            return false;
        }

        // Stable selection of the order by descending eigenvalue.
        var order = new int[n];
        for (int i = 0; i < n; i++)
        {
            order[i] = i;
        }

        for (int i = 1; i < n; i++)
        {
            int current = order[i];
            double value = matrix[(current * n) + current];
            int j = i - 1;
            while (j >= 0 && matrix[(order[j] * n) + order[j]] < value)
            {
                order[j + 1] = order[j];
                j--;
            }

            order[j + 1] = current;
        }

        for (int k = 0; k < n; k++)
        {
            int source = order[k];
            eigenvalues[k] = matrix[(source * n) + source];
            for (int i = 0; i < n; i++)
            {
                eigenvectors[(i * n) + k] = vt[(source * n) + i];
            }
        }

        return true;
    }

    // One rotation in the (p, q) plane that zeroes a[p, q]: A <- J^T A J, V <- V J with
    // J[p,p] = J[q,q] = c, J[p,q] = s, J[q,p] = -s, where t = s / c is the smaller root of t^2 + 2 t theta - 1 = 0.
    // A is kept fully symmetric and read along rows p and q (contiguous); vt holds V transposed (row k = vector k).
    private static void Rotate(double[] a, double[] vt, int n, int p, int q, double apq)
    {
        double app = a[(p * n) + p];
        double aqq = a[(q * n) + q];
        double theta = (aqq - app) / (2 * apq);
        double t = Math.Abs(theta) > 1e150
            ? 0.5 / theta
            : (theta >= 0 ? 1.0 : -1.0) / (Math.Abs(theta) + Math.Sqrt((theta * theta) + 1));
        double c = 1 / Math.Sqrt((t * t) + 1);
        double s = t * c;

        Span<double> rowP = a.AsSpan(p * n, n);
        Span<double> rowQ = a.AsSpan(q * n, n);
        for (int r = 0; r < n; r++)
        {
            if (r == p || r == q)
            {
                continue;
            }

            double arp = rowP[r];
            double arq = rowQ[r];
            double newRp = (c * arp) - (s * arq);
            double newRq = (s * arp) + (c * arq);
            rowP[r] = newRp;
            a[(r * n) + p] = newRp;
            rowQ[r] = newRq;
            a[(r * n) + q] = newRq;
        }

        rowP[p] = app - (t * apq);
        rowQ[q] = aqq + (t * apq);
        rowP[q] = 0;
        rowQ[p] = 0;

        Span<double> vp = vt.AsSpan(p * n, n);
        Span<double> vq = vt.AsSpan(q * n, n);
        for (int r = 0; r < n; r++)
        {
            double vrp = vp[r];
            double vrq = vq[r];
            vp[r] = (c * vrp) - (s * vrq);
            vq[r] = (s * vrp) + (c * vrq);
        }
    }
}

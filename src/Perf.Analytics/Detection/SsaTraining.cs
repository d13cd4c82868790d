namespace Perf.Analytics.Detection;

/// <summary>A trained SSA recurrence: window L, the r leading eigenvectors of the lag covariance, and the recurrence coefficients.</summary>
/// <param name="Window">L actually used (less than requested when an eigenvector was a unit coordinate vector).</param>
/// <param name="Rank">r.</param>
/// <param name="Basis">r unit vectors of length L; vector k occupies [k * L, (k + 1) * L).</param>
/// <param name="Alpha">L - 1 recurrence coefficients, oldest lag first.</param>
internal sealed record SsaModel(int Window, int Rank, double[] Basis, double[] Alpha);

/// <summary>Training of SPEC section 3: lag covariance, eigenvectors, rank chosen by the recursive forecast error.</summary>
internal static class SsaTraining
{
    /// <summary>Trains on <paramref name="series"/> (N finite points, N &gt; 2L) with window <paramref name="window"/>.</summary>
    public static SsaModel Train(ReadOnlySpan<double> series, int window)
    {
        for (int l = window; ; l--)
        {
            double[] covariance = LagCovariance(series, l);
            var eigenvalues = new double[l];
            var eigenvectors = new double[l * l];
            if (!SymmetricEigenSolver.TryDecompose(covariance, l, eigenvalues, eigenvectors))
            {
                // Decomposition failed: rank 1 with the constant unit vector.
                var basis = new double[l];
                Array.Fill(basis, 1 / Math.Sqrt(l));
                return new SsaModel(l, 1, basis, RecurrenceCoefficients(basis, l, 1));
            }

            if (l > 2 && HasUnitCoordinateVector(eigenvectors, l))
            {
                continue; // a vector e_L would make the recurrence degenerate: retrain with L - 1
            }

            return SelectRank(series, l, eigenvectors);
        }
    }

    /// <summary>alpha = (sum_k pi_k U_k[0..L-2]) / (1 - nu), nu = sum_k pi_k^2, pi_k = U_k[L-1]; zeros when nu &gt;= 1.</summary>
    public static double[] RecurrenceCoefficients(ReadOnlySpan<double> basis, int l, int rank)
    {
        var alpha = new double[l - 1];
        double nu = 0;
        for (int k = 0; k < rank; k++)
        {
            ReadOnlySpan<double> u = basis.Slice(k * l, l);
            double pi = u[l - 1];
            nu += pi * pi;
            for (int i = 0; i < l - 1; i++)
            {
                alpha[i] += pi * u[i];
            }
        }

        double denominator = 1 - nu;
        if (!(denominator > 0))
        {
            Array.Clear(alpha);
            return alpha;
        }

        for (int i = 0; i < alpha.Length; i++)
        {
            alpha[i] /= denominator;
        }

        return alpha;
    }

    // C = X X^T for the L x K trajectory matrix X_ij = x_(i+j), row-major L x L.
    private static double[] LagCovariance(ReadOnlySpan<double> x, int l)
    {
        int k = x.Length - l + 1;
        var c = new double[l * l];
        for (int i = 0; i < l; i++)
        {
            ReadOnlySpan<double> rowI = x.Slice(i, k);
            for (int j = i; j < l; j++)
            {
                ReadOnlySpan<double> rowJ = x.Slice(j, k);
                double sum = 0;
                for (int t = 0; t < k; t++)
                {
                    sum += rowI[t] * rowJ[t];
                }

                c[(i * l) + j] = sum;
                c[(j * l) + i] = sum;
            }
        }

        return c;
    }

    private static bool HasUnitCoordinateVector(double[] eigenvectors, int l)
    {
        for (int k = 0; k < l; k++)
        {
            double last = eigenvectors[((l - 1) * l) + k];
            if (last * last == 1)
            {
                return true;
            }
        }

        return false;
    }

    private static SsaModel SelectRank(ReadOnlySpan<double> x, int l, double[] eigenvectors)
    {
        int n = x.Length;
        int k = n - l + 1;
        int maxRank = l / 2;

        // Basis in vector-major layout (vector k at [k * L, (k + 1) * L)).
        var allVectors = new double[maxRank * l];
        for (int r = 0; r < maxRank; r++)
        {
            for (int i = 0; i < l; i++)
            {
                allVectors[(r * l) + i] = eigenvectors[(i * l) + r];
            }
        }

        var reconstruction = new double[n]; // rank-r reconstruction, accumulated one component at a time
        var projection = new double[k];
        var forecastWindow = new double[l - 1];
        int horizon = Math.Min(Math.Max(l, 200), k);
        int bestRank = 1;
        double bestError = double.PositiveInfinity;

        for (int rank = 1; rank <= maxRank; rank++)
        {
            ReadOnlySpan<double> u = allVectors.AsSpan((rank - 1) * l, l);

            // Component matrix U_r (U_r^T X), averaged along anti-diagonals i + j = t.
            for (int j = 0; j < k; j++)
            {
                double sum = 0;
                for (int i = 0; i < l; i++)
                {
                    sum += u[i] * x[i + j];
                }

                projection[j] = sum;
            }

            for (int t = 0; t < n; t++)
            {
                int lo = Math.Max(0, t - k + 1);
                int hi = Math.Min(l - 1, t);
                double sum = 0;
                for (int i = lo; i <= hi; i++)
                {
                    sum += u[i] * projection[t - i];
                }

                reconstruction[t] += sum / (hi - lo + 1);
            }

            double residual = 0;
            for (int t = 0; t < n; t++)
            {
                residual += x[t] - reconstruction[t];
            }

            double mu = residual / n;
            double[] alpha = RecurrenceCoefficients(allVectors, l, rank);

            // Seed with the reconstruction just before the last E points, then forecast them recursively.
            reconstruction.AsSpan(n - horizon - l + 1, l - 1).CopyTo(forecastWindow);
            double error = 0;
            for (int t = n - horizon; t < n; t++)
            {
                double dot = 0;
                for (int i = 0; i < l - 1; i++)
                {
                    dot += alpha[i] * forecastWindow[i];
                }

                double y = dot + mu;

                error += Math.Abs(x[t] - y);
                forecastWindow.AsSpan(1).CopyTo(forecastWindow);
                forecastWindow[^1] = y;
            }

            if (error < bestError)
            {
                bestError = error;
                bestRank = rank;
            }
        }

        double[] basis = allVectors.AsSpan(0, bestRank * l).ToArray();
        return new SsaModel(l, bestRank, basis, RecurrenceCoefficients(basis, l, bestRank));
    }
}

using System.Buffers;
using System.Collections.Concurrent;

namespace Perf.Analytics.Detection;

/// <summary>
/// Discrete Fourier transforms of any length, on split real/imaginary arrays.
/// <see cref="Forward"/> computes the unnormalised DFT X_k = sum_j x_j e^(-2 pi i jk/n);
/// <see cref="Inverse"/> computes x_j = (1/n) sum_k X_k e^(+2 pi i jk/n).
/// </summary>
/// <remarks>
/// Lengths whose prime factors are all small use a mixed-radix Cooley-Tukey recursion (O(n sum p_i));
/// lengths with a large prime factor use Bluestein's chirp-z algorithm over a power-of-two transform (O(n log n)).
/// Plans for lengths up to <see cref="MaxCachedLength"/> are cached and shared; a plan is immutable and thread-safe.
/// </remarks>
public static class Fft
{
    /// <summary>Plans of at most this length are cached (at most <see cref="MaxCachedPlans"/> of them).</summary>
    public const int MaxCachedLength = 1 << 16;

    /// <summary>Upper bound of the plan cache, so arbitrary batch lengths cannot grow it without limit.</summary>
    public const int MaxCachedPlans = 256;

    private static readonly ConcurrentDictionary<int, FftPlan> Plans = new();

    /// <summary>The plan for <paramref name="length"/> (cached when small enough).</summary>
    public static FftPlan GetPlan(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        if (Plans.TryGetValue(length, out var plan))
        {
            return plan;
        }

        plan = new FftPlan(length);
        if (length <= MaxCachedLength && Plans.Count < MaxCachedPlans)
        {
            plan = Plans.GetOrAdd(length, plan);
        }

        return plan;
    }

    /// <summary>In-place unnormalised forward DFT of the complex sequence (re, im).</summary>
    public static void Forward(Span<double> re, Span<double> im)
    {
        CheckSameLength(re, im);
        if (re.Length > 0)
        {
            GetPlan(re.Length).Forward(re, im);
        }
    }

    /// <summary>In-place inverse DFT, normalised by 1/n.</summary>
    public static void Inverse(Span<double> re, Span<double> im)
    {
        CheckSameLength(re, im);
        if (re.Length > 0)
        {
            GetPlan(re.Length).Inverse(re, im);
        }
    }

    internal static void CheckSameLength(Span<double> re, Span<double> im)
    {
        if (re.Length != im.Length)
        {
            throw new ArgumentException($"re has {re.Length} elements but im has {im.Length}.", nameof(im));
        }
    }
}

/// <summary>A precomputed DFT of one length. Immutable and safe to share between threads.</summary>
public sealed class FftPlan
{
    /// <summary>
    /// Lengths above 62 with a prime factor above this use Bluestein's algorithm instead of an O(n p) radix-p pass.
    /// </summary>
    private const int MaxDirectRadix = 31;

    private readonly double[] _cos;      // cos(2 pi j / n), j = 0..n-1
    private readonly double[] _sin;      // sin(2 pi j / n); forward twiddle W^j = cos - i sin
    private readonly int[] _factors;     // mixed-radix factors (empty when Bluestein is used)
    private readonly int _maxRadix;

    // Bluestein: chirp c_j = e^(-i pi j^2 / n), the transform of the conjugate chirp filter, and the inner plan.
    private readonly double[]? _chirpRe;
    private readonly double[]? _chirpIm;
    private readonly double[]? _filterRe;
    private readonly double[]? _filterIm;
    private readonly FftPlan? _inner;

    /// <summary>Creates the plan for <paramref name="length"/> points.</summary>
    public FftPlan(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        Length = length;
        _cos = new double[length];
        _sin = new double[length];
        for (int j = 0; j < length; j++)
        {
            // SinCosPi is exact at the quadrant points and avoids the rounding of 2*pi*j/n.
            (_sin[j], _cos[j]) = double.SinCosPi(2.0 * j / length);
        }

        var factors = Factorize(length);
        int largest = 1;
        foreach (int f in factors)
        {
            largest = Math.Max(largest, f);
        }

        if (largest <= MaxDirectRadix || length <= 2 * MaxDirectRadix)
        {
            _factors = factors;
            _maxRadix = largest;
            ScratchLength = 2 * length;
            return;
        }

        // Bluestein: X_k = c_k * sum_j (x_j c_j) conj(c_(k-j)), a circular convolution of length m >= 2n - 1.
        _factors = [];
        int m = 1;
        while (m < (2 * length) - 1)
        {
            m <<= 1;
        }

        _inner = Fft.GetPlan(m);
        _chirpRe = new double[length];
        _chirpIm = new double[length];
        long twoN = 2L * length;
        for (int j = 0; j < length; j++)
        {
            // j^2 mod 2n keeps the angle small, so large j lose no precision.
            long k = (long)j * j % twoN;
            var (s, c) = double.SinCosPi((double)k / length);
            _chirpRe[j] = c;
            _chirpIm[j] = -s;
        }

        _filterRe = new double[m];
        _filterIm = new double[m];
        _filterRe[0] = _chirpRe[0];
        _filterIm[0] = -_chirpIm[0];
        for (int j = 1; j < length; j++)
        {
            _filterRe[j] = _filterRe[m - j] = _chirpRe[j];
            _filterIm[j] = _filterIm[m - j] = -_chirpIm[j];
        }

        var innerScratch = new double[_inner.ScratchLength];
        _inner.Forward(_filterRe, _filterIm, innerScratch);
        ScratchLength = (2 * m) + _inner.ScratchLength;
    }

    /// <summary>Number of points.</summary>
    public int Length { get; }

    /// <summary>Minimum length of the scratch span the allocation-free overloads need.</summary>
    public int ScratchLength { get; }

    /// <summary>True when the plan uses Bluestein's algorithm (the length has a prime factor above 31).</summary>
    public bool UsesBluestein => _inner is not null;

    /// <summary>In-place unnormalised forward DFT; rents its scratch space.</summary>
    public void Forward(Span<double> re, Span<double> im)
    {
        var scratch = ArrayPool<double>.Shared.Rent(ScratchLength);
        try
        {
            Forward(re, im, scratch);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(scratch);
        }
    }

    /// <summary>In-place inverse DFT normalised by 1/n; rents its scratch space.</summary>
    public void Inverse(Span<double> re, Span<double> im)
    {
        var scratch = ArrayPool<double>.Shared.Rent(ScratchLength);
        try
        {
            Inverse(re, im, scratch);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(scratch);
        }
    }

    /// <summary>In-place unnormalised forward DFT using caller-provided scratch (at least <see cref="ScratchLength"/>).</summary>
    public void Forward(Span<double> re, Span<double> im, Span<double> scratch)
    {
        CheckArguments(re, im, scratch);
        if (_inner is null)
        {
            MixedRadix(re, im, scratch);
        }
        else
        {
            Bluestein(re, im, scratch);
        }
    }

    /// <summary>In-place inverse DFT normalised by 1/n, using caller-provided scratch.</summary>
    public void Inverse(Span<double> re, Span<double> im, Span<double> scratch)
    {
        InverseUnnormalised(re, im, scratch);
        double scale = 1.0 / Length;
        for (int i = 0; i < re.Length; i++)
        {
            re[i] *= scale;
            im[i] *= scale;
        }
    }

    /// <summary>In-place inverse DFT without the 1/n factor (x_j = sum_k X_k e^(+2 pi i jk/n)).</summary>
    public void InverseUnnormalised(Span<double> re, Span<double> im, Span<double> scratch)
    {
        // With swap(a + ib) = b + ia: DFT(swap(x)) = swap(IDFT(x)), so transforming (im, re) in place leaves the
        // unnormalised inverse in (re, im).
        Forward(im, re, scratch);
    }

    private void CheckArguments(Span<double> re, Span<double> im, Span<double> scratch)
    {
        if (re.Length != Length)
        {
            throw new ArgumentException($"The plan is for {Length} points but re has {re.Length}.", nameof(re));
        }

        if (im.Length != Length)
        {
            throw new ArgumentException($"The plan is for {Length} points but im has {im.Length}.", nameof(im));
        }

        if (scratch.Length < ScratchLength)
        {
            throw new ArgumentException($"The scratch span needs at least {ScratchLength} elements.", nameof(scratch));
        }
    }

    private static int[] Factorize(int n)
    {
        var factors = new List<int>();
        while (n % 4 == 0)
        {
            factors.Add(4);
            n /= 4;
        }

        while (n % 2 == 0)
        {
            factors.Add(2);
            n /= 2;
        }

        for (int p = 3; (long)p * p <= n; p += 2)
        {
            while (n % p == 0)
            {
                factors.Add(p);
                n /= p;
            }
        }

        if (n > 1)
        {
            factors.Add(n);
        }

        return [.. factors];
    }

    private void MixedRadix(Span<double> re, Span<double> im, Span<double> scratch)
    {
        int n = Length;
        if (n == 1)
        {
            return;
        }

        var inRe = scratch[..n];
        var inIm = scratch.Slice(n, n);
        re.CopyTo(inRe);
        im.CopyTo(inIm);
        Span<double> tmp = _maxRadix <= 64 ? stackalloc double[4 * 64] : new double[4 * _maxRadix];
        Recurse(inRe, inIm, 0, 1, re, im, 0, tmp);
    }

    /// <summary>
    /// Decimation in time: the DFT of the n = outRe.Length inputs in[offset + j * stride] goes to out.
    /// Splits n = p * m, transforms the p interleaved subsequences into consecutive blocks of m, then combines.
    /// </summary>
    private void Recurse(
        ReadOnlySpan<double> inRe, ReadOnlySpan<double> inIm, int offset, int stride,
        Span<double> outRe, Span<double> outIm, int level, Span<double> tmp)
    {
        int n = outRe.Length;
        if (n == 1)
        {
            outRe[0] = inRe[offset];
            outIm[0] = inIm[offset];
            return;
        }

        int p = _factors[level];
        int m = n / p;
        if (m == 1)
        {
            for (int q = 0; q < p; q++)
            {
                outRe[q] = inRe[offset + (q * stride)];
                outIm[q] = inIm[offset + (q * stride)];
            }
        }
        else
        {
            for (int q = 0; q < p; q++)
            {
                Recurse(inRe, inIm, offset + (q * stride), stride * p, outRe.Slice(q * m, m), outIm.Slice(q * m, m), level + 1, tmp);
            }
        }

        // Twiddles of this level: W_n^t = table[t * stride] (stride = Length / n).
        switch (p)
        {
            case 2:
                Radix2(outRe, outIm, m, stride);
                break;
            case 4:
                Radix4(outRe, outIm, m, stride);
                break;
            default:
                RadixGeneric(outRe, outIm, p, m, stride, tmp);
                break;
        }
    }

    private void Radix2(Span<double> re, Span<double> im, int m, int stride)
    {
        var cos = _cos;
        var sin = _sin;
        for (int k = 0; k < m; k++)
        {
            int t = k * stride;
            double wr = cos[t];
            double wi = -sin[t];
            double br = re[k + m];
            double bi = im[k + m];
            double xr = (br * wr) - (bi * wi);
            double xi = (br * wi) + (bi * wr);
            double ar = re[k];
            double ai = im[k];
            re[k] = ar + xr;
            im[k] = ai + xi;
            re[k + m] = ar - xr;
            im[k + m] = ai - xi;
        }
    }

    private void Radix4(Span<double> re, Span<double> im, int m, int stride)
    {
        var cos = _cos;
        var sin = _sin;
        int n = Length;
        for (int k = 0; k < m; k++)
        {
            int t1 = k * stride;
            int t2 = (2 * t1) % n;
            int t3 = (3 * t1) % n;
            double a0r = re[k];
            double a0i = im[k];
            double br = re[k + m], bi = im[k + m];
            double a1r = (br * cos[t1]) + (bi * sin[t1]);
            double a1i = (bi * cos[t1]) - (br * sin[t1]);
            br = re[k + (2 * m)];
            bi = im[k + (2 * m)];
            double a2r = (br * cos[t2]) + (bi * sin[t2]);
            double a2i = (bi * cos[t2]) - (br * sin[t2]);
            br = re[k + (3 * m)];
            bi = im[k + (3 * m)];
            double a3r = (br * cos[t3]) + (bi * sin[t3]);
            double a3i = (bi * cos[t3]) - (br * sin[t3]);

            double s02r = a0r + a2r, s02i = a0i + a2i;
            double d02r = a0r - a2r, d02i = a0i - a2i;
            double s13r = a1r + a3r, s13i = a1i + a3i;
            double d13r = a1r - a3r, d13i = a1i - a3i;

            // X_r = sum_q a_q (-i)^(q r): r = 1 multiplies d13 by -i.
            re[k] = s02r + s13r;
            im[k] = s02i + s13i;
            re[k + m] = d02r + d13i;
            im[k + m] = d02i - d13r;
            re[k + (2 * m)] = s02r - s13r;
            im[k + (2 * m)] = s02i - s13i;
            re[k + (3 * m)] = d02r - d13i;
            im[k + (3 * m)] = d02i + d13r;
        }
    }

    /// <summary>
    /// Radix-p combine for an odd p: X_(k + r m) = sum_q t_q W_p^(qr) with t_q = W_n^(qk) Y_q[k]. Pairs q and p - q
    /// share cos and negate sin, which halves the multiplications: with a_q = t_q + t_(p-q), b_q = t_q - t_(p-q),
    /// X_r = t_0 + sum_q (a_q cos - i b_q sin) and X_(p-r) = t_0 + sum_q (a_q cos + i b_q sin), q = 1 .. (p-1)/2.
    /// </summary>
    private void RadixGeneric(Span<double> re, Span<double> im, int p, int m, int stride, Span<double> tmp)
    {
        var cos = _cos;
        var sin = _sin;
        int n = Length;
        int pStride = n / p; // W_p^u = table[u * pStride]
        int h = (p - 1) / 2;
        var tr = tmp[..p];
        var ti = tmp.Slice(p, p);
        var ar = tmp.Slice(2 * p, h + 1);
        var ai = tmp.Slice((2 * p) + h + 1, h + 1);
        for (int k = 0; k < m; k++)
        {
            // Twiddled inputs (k = 0 needs none); t advances by k * stride mod n.
            tr[0] = re[k];
            ti[0] = im[k];
            int step = k * stride;
            int t = 0;
            for (int q = 1; q < p; q++)
            {
                double br = re[k + (q * m)];
                double bi = im[k + (q * m)];
                if (step == 0)
                {
                    tr[q] = br;
                    ti[q] = bi;
                    continue;
                }

                t += step;
                if (t >= n)
                {
                    t -= n;
                }

                double c = cos[t], si = sin[t];
                tr[q] = (br * c) + (bi * si);
                ti[q] = (bi * c) - (br * si);
            }

            // Sums a_q into ar/ai; differences b_q overwrite tr/ti[q] (q = 1..h); X_0 = t_0 + sum a_q.
            double x0r = tr[0], x0i = ti[0];
            for (int q = 1; q <= h; q++)
            {
                double sr = tr[q] + tr[p - q];
                double sim = ti[q] + ti[p - q];
                tr[q] -= tr[p - q];
                ti[q] -= ti[p - q];
                ar[q] = sr;
                ai[q] = sim;
                x0r += sr;
                x0i += sim;
            }

            for (int r = 1; r <= h; r++)
            {
                double sumRe = tr[0], sumIm = ti[0], difRe = 0, difIm = 0;
                int u = 0;
                for (int q = 1; q <= h; q++)
                {
                    u += r;
                    if (u >= p)
                    {
                        u -= p;
                    }

                    int index = u * pStride;
                    double c = cos[index], si = sin[index];
                    sumRe += ar[q] * c;
                    sumIm += ai[q] * c;
                    difRe += ti[q] * si;
                    difIm += tr[q] * si;
                }

                // -i b sin = (b_im sin) - i (b_re sin).
                re[k + (r * m)] = sumRe + difRe;
                im[k + (r * m)] = sumIm - difIm;
                re[k + ((p - r) * m)] = sumRe - difRe;
                im[k + ((p - r) * m)] = sumIm + difIm;
            }

            re[k] = x0r;
            im[k] = x0i;
        }
    }

    private void Bluestein(Span<double> re, Span<double> im, Span<double> scratch)
    {
        var inner = _inner!;
        var chirpRe = _chirpRe!;
        var chirpIm = _chirpIm!;
        var filterRe = _filterRe!;
        var filterIm = _filterIm!;
        int n = Length;
        int m = inner.Length;
        var aRe = scratch[..m];
        var aIm = scratch.Slice(m, m);
        var innerScratch = scratch.Slice(2 * m, inner.ScratchLength);

        for (int j = 0; j < n; j++)
        {
            double xr = re[j], xi = im[j];
            double cr = chirpRe[j], ci = chirpIm[j];
            aRe[j] = (xr * cr) - (xi * ci);
            aIm[j] = (xr * ci) + (xi * cr);
        }

        aRe[n..].Clear();
        aIm[n..].Clear();
        inner.Forward(aRe, aIm, innerScratch);
        for (int k = 0; k < m; k++)
        {
            double ar = aRe[k], ai = aIm[k];
            double br = filterRe[k], bi = filterIm[k];
            aRe[k] = (ar * br) - (ai * bi);
            aIm[k] = (ar * bi) + (ai * br);
        }

        inner.InverseUnnormalised(aRe, aIm, innerScratch);
        double scale = 1.0 / m;
        for (int k = 0; k < n; k++)
        {
            double ar = aRe[k] * scale, ai = aIm[k] * scale;
            double cr = chirpRe[k], ci = chirpIm[k];
            re[k] = (ar * cr) - (ai * ci);
            im[k] = (ar * ci) + (ai * cr);
        }
    }
}

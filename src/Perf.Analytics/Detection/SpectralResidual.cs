namespace Perf.Analytics.Detection;

/// <summary>
/// The spectral-residual saliency transform shared by <see cref="SrCnnDetector"/> and <see cref="SrCnnEntireDetector"/>
/// (SPEC section 4, steps 1-4): extrapolate, transform, flatten the log-amplitude spectrum, transform back.
/// </summary>
/// <remarks>Owns its work buffers, so one instance is not thread-safe; it keeps no state between calls.</remarks>
internal sealed class SpectralResidual
{
    /// <summary>Relative amplitude (to sum |y|) below which a spectral bin counts as an exact zero; ~600x the FFT's round-off.</summary>
    public const double RoundOff = 1e-13;

    private readonly FftPlan _plan;
    private readonly double[] _re;
    private readonly double[] _im;
    private readonly double[] _amplitude;
    private readonly double[] _logAmplitude;
    private readonly double[] _scratch;

    /// <param name="seriesLength">Number of original points transformed per call.</param>
    /// <param name="backAddWindowSize">Copies of the extrapolated point appended (kappa).</param>
    /// <param name="lookaheadWindowSize">Points used by the extrapolation (m).</param>
    /// <param name="averagingWindowSize">Trailing-mean width over the log-amplitude spectrum (q).</param>
    /// <param name="minAmplitude">
    /// Amplitudes at or below this (or below <see cref="RoundOff"/> * sum |y|) get log-amplitude 0 (0 streaming, 1e-8 entire).
    /// </param>
    public SpectralResidual(int seriesLength, int backAddWindowSize, int lookaheadWindowSize, int averagingWindowSize, double minAmplitude)
    {
        if (seriesLength < lookaheadWindowSize + 2)
        {
            throw new ArgumentOutOfRangeException(nameof(seriesLength), seriesLength, "The series must be longer than the lookahead window plus one.");
        }

        SeriesLength = seriesLength;
        BackAddWindowSize = backAddWindowSize;
        LookaheadWindowSize = lookaheadWindowSize;
        AveragingWindowSize = averagingWindowSize;
        MinAmplitude = minAmplitude;
        int n = seriesLength + backAddWindowSize;
        _plan = Fft.GetPlan(n);
        _re = new double[n];
        _im = new double[n];
        _amplitude = new double[n];
        _logAmplitude = new double[n];
        _scratch = new double[_plan.ScratchLength];
        Saliency = new double[n];
    }

    public int SeriesLength { get; }

    public int BackAddWindowSize { get; }

    public int LookaheadWindowSize { get; }

    public int AveragingWindowSize { get; }

    public double MinAmplitude { get; }

    /// <summary>Extended length n = series length + back-add window.</summary>
    public int ExtendedLength => _re.Length;

    /// <summary>S of the last <see cref="Compute"/>, over the extended series (length n).</summary>
    public double[] Saliency { get; }

    /// <summary>Copies the <see cref="SeriesLength"/> original points (oldest first) and computes <see cref="Saliency"/>.</summary>
    public void Compute(ReadOnlySpan<double> series)
    {
        if (series.Length != SeriesLength)
        {
            throw new ArgumentException($"Expected {SeriesLength} points but got {series.Length}.", nameof(series));
        }

        series.CopyTo(_re);
        Compute();
    }

    /// <summary>Span to write the <see cref="SeriesLength"/> original points into before calling <see cref="Compute()"/>.</summary>
    public Span<double> Input => _re.AsSpan(0, SeriesLength);

    /// <summary>Runs steps 1-4 on the points already written to <see cref="Input"/>.</summary>
    public void Compute()
    {
        var re = _re;
        var im = _im;
        int len = SeriesLength;
        int n = re.Length;

        // 1. Extrapolate from d_0..d_m, the m + 1 points ending at the second-to-last one.
        int m = LookaheadWindowSize;
        int first = len - m - 2;
        double dm = re[first + m];
        double slopes = 0;
        for (int i = 0; i < m; i++)
        {
            slopes += (dm - re[first + i]) / (m - i);
        }

        double next = re[first + 1] + slopes;
        for (int i = len; i < n; i++)
        {
            re[i] = next;
        }

        Array.Clear(im);

        // 2. Spectrum, amplitude and log-amplitude. Every |F_k| <= sum |y_j|, and the transform's round-off is about
        // 1e-16 of that, so amplitudes below RoundOff * sum |y_j| are zeros of the exact DFT (e.g. every non-DC bin of a
        // constant window): treating them as 0 reproduces exact arithmetic instead of log-transforming round-off.
        double l1 = 0;
        for (int i = 0; i < n; i++)
        {
            l1 += Math.Abs(re[i]);
        }

        _plan.Forward(re, im, _scratch);
        var amplitude = _amplitude;
        var logAmplitude = _logAmplitude;
        double minAmplitude = Math.Max(MinAmplitude, RoundOff * l1);
        for (int k = 0; k < n; k++)
        {
            double a = Math.Sqrt((re[k] * re[k]) + (im[k] * im[k]));
            amplitude[k] = a;
            logAmplitude[k] = a > minAmplitude ? Math.Log(a) : 0;
        }

        // 3-4. Spectral residual exp(L - mean_q(L)) with the phase of F; bins with L = 0 are dropped.
        int q = AveragingWindowSize;
        double windowSum = 0;
        for (int k = 0; k < n; k++)
        {
            windowSum += logAmplitude[k];
            int count = k + 1;
            if (k >= q)
            {
                windowSum -= logAmplitude[k - q];
                count = q;
            }

            double l = logAmplitude[k];
            if (l != 0)
            {
                double factor = Math.Exp(l - (windowSum / count)) / amplitude[k];
                re[k] *= factor;
                im[k] *= factor;
            }
            else
            {
                re[k] = 0;
                im[k] = 0;
            }
        }

        _plan.Inverse(re, im, _scratch);
        var saliency = Saliency;
        for (int j = 0; j < n; j++)
        {
            saliency[j] = Math.Sqrt((re[j] * re[j]) + (im[j] * im[j]));
        }
    }

    /// <summary>Mean of values[max(0, i - width + 1) .. i] (the cumulative mean for the first width points).</summary>
    public static double TrailingMean(ReadOnlySpan<double> values, int i, int width)
    {
        int start = Math.Max(0, i - width + 1);
        double sum = 0;
        for (int j = start; j <= i; j++)
        {
            sum += values[j];
        }

        return sum / (i - start + 1);
    }
}

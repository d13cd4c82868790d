namespace Perf.Analytics.Detection;

/// <summary>
/// Dominant period of a series (ML.NET DetectSeasonality; SPEC section 5): the strongest periodogram peaks propose
/// candidate periods, the circular autocorrelation picks and confirms one.
/// </summary>
public static class SeasonalityDetector
{
    /// <summary>Longest period reported.</summary>
    public const int MaxPeriod = 400;

    /// <summary>A period is only reported when the series holds at least this many repetitions of it.</summary>
    public const int MinRepetitions = 8;

    /// <summary>
    /// The period of <paramref name="values"/> (in points), or -1 when there is no significant one.
    /// </summary>
    /// <param name="values">The series; only the first <paramref name="windowSize"/> points are used.</param>
    /// <param name="windowSize">How many leading points to analyse; -1 (default) for all of them.</param>
    /// <param name="randomnessThreshold">
    /// Confidence that the autocorrelation at the period is not noise (default 0.95): the period is accepted when
    /// ACF[p] / ACF[0] &gt;= Probit(threshold) / sqrt(n). In [0, 1].
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException">windowSize is 0 or below -1, or the threshold is outside [0, 1].</exception>
    /// <exception cref="ArgumentException">A used value is not finite.</exception>
    public static int Detect(ReadOnlySpan<double> values, int windowSize = -1, double randomnessThreshold = 0.95)
    {
        if (windowSize == 0 || windowSize < -1)
        {
            throw new ArgumentOutOfRangeException(nameof(windowSize), windowSize, "Must be -1 (whole series) or positive.");
        }

        if (!(randomnessThreshold is >= 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(randomnessThreshold), randomnessThreshold, "Must be in [0, 1].");
        }

        if (windowSize > 0 && windowSize < values.Length)
        {
            values = values[..windowSize];
        }

        int n = values.Length;
        for (int i = 0; i < n; i++)
        {
            if (!double.IsFinite(values[i]))
            {
                throw new ArgumentException($"Point {i} is not finite ({values[i]}).", nameof(values));
            }
        }

        // The shortest period (2) needs MinRepetitions * 2 points.
        if (n < 2 * MinRepetitions)
        {
            return -1;
        }

        // Periodogram |F_k|^2.
        var re = values.ToArray();
        var im = new double[n];
        var plan = Fft.GetPlan(n);
        plan.Forward(re, im);
        var power = new double[n];
        for (int k = 0; k < n; k++)
        {
            power[k] = (re[k] * re[k]) + (im[k] * im[k]);
        }

        var (best, second) = BestTwoFrequencies(power);

        // Circular autocorrelation: the inverse transform of the periodogram (real part).
        power.CopyTo(re, 0);
        Array.Clear(im);
        plan.Inverse(re, im);
        var acf = re;
        if (!(acf[0] > 0))
        {
            return -1;
        }

        int firstPeriod = BestPeriod(acf, best);
        int secondPeriod = second < 0 ? -1 : BestPeriod(acf, second);
        int period;
        if (firstPeriod < 0)
        {
            period = secondPeriod;
        }
        else if (secondPeriod < 0 || secondPeriod == firstPeriod)
        {
            period = firstPeriod;
        }
        else
        {
            period = acf[secondPeriod] > 1.05 * acf[firstPeriod] ? secondPeriod : firstPeriod;
        }

        if (period < 0)
        {
            return -1;
        }

        double correlation = acf[period] / acf[0];
        return correlation >= Probit(randomnessThreshold) / Math.Sqrt(n) ? period : -1;
    }

    /// <summary>
    /// The inverse of the standard normal CDF (Acklam's rational approximation, relative error below 1.2e-9):
    /// Probit(0.95) = 1.6449. Probit(0) = -infinity, Probit(1) = +infinity.
    /// </summary>
    public static double Probit(double p)
    {
        if (!(p is >= 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(p), p, "Must be in [0, 1].");
        }

        if (p == 0)
        {
            return double.NegativeInfinity;
        }

        if (p == 1)
        {
            return double.PositiveInfinity;
        }

        const double low = 0.02425;
        if (p < low)
        {
            return TailProbit(p);
        }

        if (p > 1 - low)
        {
            return -TailProbit(1 - p);
        }

        double q = p - 0.5;
        double r = q * q;
        double num = ((((((-3.969683028665376e+01 * r) + 2.209460984245205e+02) * r) - 2.759285104469687e+02) * r
            + 1.383577518672690e+02) * r - 3.066479806614716e+01) * r + 2.506628277459239e+00;
        double den = ((((((-5.447609879822406e+01 * r) + 1.615858368580409e+02) * r) - 1.556989798598866e+02) * r
            + 6.680131188771972e+01) * r - 1.328068155288572e+01) * r + 1.0;
        return q * num / den;
    }

    private static double TailProbit(double p)
    {
        double q = Math.Sqrt(-2 * Math.Log(p));
        double num = ((((((-7.784894002430293e-03 * q) - 3.223964580411365e-01) * q) - 2.400758277161838e+00) * q
            - 2.549732539343734e+00) * q + 4.374664141464968e+00) * q + 2.938163982698783e+00;
        double den = ((((7.784695709041462e-03 * q) + 3.224671290700398e-01) * q + 2.445134137142996e+00) * q
            + 3.754408661907416e+00) * q + 1.0;
        return num / den;
    }

    /// <summary>
    /// The frequency of highest energy in [1, n/2], and the strongest other local maximum (not adjacent to the first),
    /// kept only when its energy E2 satisfies 6 * median &lt; E2 and 10 * E2 &gt; E1; -1 when there is none.
    /// </summary>
    private static (int Best, int Second) BestTwoFrequencies(double[] power)
    {
        int n = power.Length;
        int limit = n / 2;
        int best = 1;
        for (int k = 2; k <= limit; k++)
        {
            if (power[k] > power[best])
            {
                best = k;
            }
        }

        int second = -1;
        for (int k = 1; k <= limit; k++)
        {
            if (Math.Abs(k - best) <= 1)
            {
                continue;
            }

            bool localMax = power[k] > power[k - 1] && power[k] >= power[k + 1];
            if (localMax && (second < 0 || power[k] > power[second]))
            {
                second = k;
            }
        }

        if (second >= 0)
        {
            var band = new double[limit];
            Array.Copy(power, 1, band, 0, limit);
            Array.Sort(band);
            double median = (limit & 1) == 1 ? band[limit / 2] : (band[(limit / 2) - 1] + band[limit / 2]) / 2;
            double e2 = power[second];
            if (!(6 * median < e2 && 10 * e2 > power[best]))
            {
                second = -1;
            }
        }

        return (best, second);
    }

    /// <summary>
    /// The lag of highest autocorrelation in [n/(k+1), n/(k-1)] (to n/2 for k = 1), or -1 when that lag is at most 1,
    /// above <see cref="MaxPeriod"/>, or repeats fewer than <see cref="MinRepetitions"/> times.
    /// </summary>
    private static int BestPeriod(double[] acf, int frequency)
    {
        int n = acf.Length;
        int low = n / (frequency + 1);
        int high = frequency > 1 ? Math.Min(n / (frequency - 1), n - 1) : n / 2;
        int lag = -1;
        for (int t = low; t <= high; t++)
        {
            if (lag < 0 || acf[t] > acf[lag])
            {
                lag = t;
            }
        }

        if (lag <= 1 || lag > MaxPeriod || n < MinRepetitions * lag)
        {
            return -1;
        }

        return lag;
    }
}

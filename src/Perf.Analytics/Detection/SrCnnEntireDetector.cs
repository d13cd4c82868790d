namespace Perf.Analytics.Detection;

/// <summary>
/// Batch spectral-residual anomaly detector over a whole series (ML.NET DetectEntireAnomalyBySrCnn; SPEC section 4).
/// </summary>
/// <remarks>
/// The series is cut into batches of <see cref="SrCnnEntireOptions.BatchSize"/> points (-1: one batch); a last batch
/// shorter than 12 points is scored together with the tail of the previous batch (a window of BatchSize points ending
/// at the end of the series). Output rows, one per point, with the columns of <see cref="OutputColumns"/>:
/// <list type="bullet">
/// <item>AnomalyOnly: [IsAnomaly, RawScore, Mag]</item>
/// <item>AnomalyAndExpectedValue: [IsAnomaly, RawScore, Mag, ExpectedValue]</item>
/// <item>AnomalyAndMargin: [IsAnomaly, AnomalyScore, Mag, ExpectedValue, BoundaryUnit, UpperBoundary, LowerBoundary]</item>
/// </list>
/// Details the SPEC leaves open, as implemented: the judgement window is z = min(n + 5, 40) over the extended series;
/// edges of the running median use the truncated window; with every point flagged the unit is the point's own |trend|.
/// The detector holds no mutable state: <see cref="Detect"/> may be called concurrently.
/// </remarks>
public sealed class SrCnnEntireDetector
{
    private const int BackAddWindowSize = 5;
    private const int LookaheadWindowSize = 5;
    private const int AveragingWindowSize = 3;
    private const int JudgementWindowSize = 40;
    private const double Eps = 1e-8;
    private const double DeanomalyThreshold = 0.35;
    private const double ZScoreThreshold = 1.5;
    private const int MinPointsToFit = 4;
    private const int MaxTrendWindow = 512;
    private const double TrendFraction = 0.5;

    private static readonly string[] AnomalyOnlyColumns = ["IsAnomaly", "RawScore", "Mag"];
    private static readonly string[] ExpectedValueColumns = ["IsAnomaly", "RawScore", "Mag", "ExpectedValue"];
    private static readonly string[] MarginColumns =
        ["IsAnomaly", "AnomalyScore", "Mag", "ExpectedValue", "BoundaryUnit", "UpperBoundary", "LowerBoundary"];

    private static readonly double[] Factors = BuildFactors();

    /// <summary>Creates a detector with <paramref name="options"/> (defaults when null).</summary>
    public SrCnnEntireDetector(SrCnnEntireOptions? options = null)
    {
        Options = options ?? new SrCnnEntireOptions();
    }

    /// <summary>The parameters.</summary>
    public SrCnnEntireOptions Options { get; }

    /// <summary>Names of the columns of each output row, by <see cref="SrCnnEntireOptions.DetectMode"/>.</summary>
    public IReadOnlyList<string> OutputColumns => ColumnsOf(Options.DetectMode);

    /// <summary>Names of the output columns of <paramref name="mode"/>.</summary>
    public static IReadOnlyList<string> ColumnsOf(SrCnnDetectMode mode) => mode switch
    {
        SrCnnDetectMode.AnomalyOnly => AnomalyOnlyColumns,
        SrCnnDetectMode.AnomalyAndExpectedValue => ExpectedValueColumns,
        SrCnnDetectMode.AnomalyAndMargin => MarginColumns,
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown mode."),
    };

    /// <summary>
    /// The margin factor f(sensitivity) (SPEC section 4 / vectors section 12), linear between integer sensitivities:
    /// margin = boundary unit * f. f(0) = 532, f(99) = 0.0003, f(100) = 0.
    /// </summary>
    public static double MarginFactor(double sensitivity)
    {
        if (!(sensitivity is >= 0 and <= 100))
        {
            throw new ArgumentOutOfRangeException(nameof(sensitivity), sensitivity, "Must be in [0, 100].");
        }

        int lower = (int)Math.Floor(sensitivity);
        if (lower == 100)
        {
            return Factors[100];
        }

        double fraction = sensitivity - lower;
        return Factors[lower] + ((Factors[lower + 1] - Factors[lower]) * fraction);
    }

    /// <summary>Scores every point of <paramref name="values"/>; one row per point.</summary>
    /// <exception cref="ArgumentException">Fewer than 12 points, or a value that is not finite.</exception>
    public double[][] Detect(ReadOnlySpan<double> values)
    {
        int total = values.Length;
        if (total < SrCnnEntireOptions.MinBatchSize)
        {
            throw new ArgumentException($"The series needs at least {SrCnnEntireOptions.MinBatchSize} points; it has {total}.", nameof(values));
        }

        for (int i = 0; i < total; i++)
        {
            if (!double.IsFinite(values[i]))
            {
                throw new ArgumentException($"Point {i} is not finite ({values[i]}).", nameof(values));
            }
        }

        int columns = OutputColumns.Count;
        var results = new double[total][];
        int batch = Options.BatchSize == -1 ? total : Options.BatchSize;
        for (int start = 0; start < total; start += batch)
        {
            int length = Math.Min(batch, total - start);
            if (length >= SrCnnEntireOptions.MinBatchSize)
            {
                var rows = DetectBatch(values.Slice(start, length), columns);
                rows.CopyTo(results, start);
            }
            else
            {
                // Too short to transform on its own: score it as the end of a full batch (start >= batch here).
                int from = start + length - batch;
                var rows = DetectBatch(values.Slice(from, batch), columns);
                Array.Copy(rows, batch - length, results, start, length);
            }
        }

        return results;
    }

    private double[][] DetectBatch(ReadOnlySpan<double> x, int columns)
    {
        int n = x.Length;
        var rows = new double[n][];
        for (int i = 0; i < n; i++)
        {
            rows[i] = new double[columns];
        }

        var transform = new SpectralResidual(n, BackAddWindowSize, LookaheadWindowSize, AveragingWindowSize, Eps);
        transform.Compute(x);
        var saliency = transform.Saliency;
        int extended = saliency.Length;

        // Trailing mean of the saliency over z points; entries 0..11 all take the value at index 10 (SPEC: the value
        // at min(len, 11) - 1), i.e. the cumulative mean of the first 11 points.
        int z = Math.Min(extended, JudgementWindowSize);
        var meanSaliency = new double[n];
        for (int i = 0; i < n; i++)
        {
            meanSaliency[i] = SpectralResidual.TrailingMean(saliency, i, z);
        }

        int head = Math.Min(n, SrCnnEntireOptions.MinBatchSize);
        double headValue = meanSaliency[Math.Min(n, SrCnnEntireOptions.MinBatchSize - 1) - 1];
        for (int i = 0; i < head; i++)
        {
            meanSaliency[i] = headValue;
        }

        double mean = 0;
        for (int i = 0; i < n; i++)
        {
            mean += x[i];
        }

        mean /= n;
        double variance = 0;
        for (int i = 0; i < n; i++)
        {
            variance += (x[i] - mean) * (x[i] - mean);
        }

        double std = Math.Sqrt(variance / n);

        double threshold = Options.Threshold;
        for (int i = 0; i < n; i++)
        {
            double score = Math.Abs(saliency[i] - meanSaliency[i]) / Math.Max(meanSaliency[i], Eps) / 10.0;
            score = Math.Clamp(score, 0, 1);
            bool anomaly = score > threshold;
            // Points within 1.5 standard deviations of the batch mean are never anomalies.
            if (anomaly && (std < Eps || Math.Abs(x[i] - mean) / std < ZScoreThreshold))
            {
                anomaly = false;
                score = 0;
            }

            rows[i][0] = anomaly ? 1 : 0;
            rows[i][1] = score;
            rows[i][2] = saliency[i];
        }

        if (Options.DetectMode == SrCnnDetectMode.AnomalyOnly)
        {
            return rows;
        }

        var expected = ExpectedValues(x, rows);
        if (Options.DetectMode == SrCnnDetectMode.AnomalyAndExpectedValue)
        {
            for (int i = 0; i < n; i++)
            {
                rows[i][3] = expected[i];
            }

            return rows;
        }

        var units = BoundaryUnits(x, rows);
        double factor = MarginFactor(Options.Sensitivity);
        for (int i = 0; i < n; i++)
        {
            var row = rows[i];
            double margin = units[i] * factor;
            double upper = expected[i] + margin;
            double lower = expected[i] - margin;
            bool flagged = row[0] > 0;
            row[0] = flagged && (x[i] > upper || x[i] < lower) ? 1 : 0;
            row[1] = flagged ? MarginScore(Math.Abs(x[i] - expected[i]), units[i]) : 0;
            row[3] = expected[i];
            row[4] = units[i];
            row[5] = upper;
            row[6] = lower;
        }

        return rows;
    }

    /// <summary>
    /// Expected values: points scoring above 0.35 are replaced by a least-squares line through their non-anomalous
    /// neighbours; the result is low-pass filtered (bins 3n/8 &lt; k &lt; 5n/8 zeroed); a value whose sign contradicts a
    /// series of one sign becomes 0.
    /// </summary>
    private static double[] ExpectedValues(ReadOnlySpan<double> x, double[][] rows)
    {
        int n = x.Length;
        var isOutlier = new bool[n];
        var outliers = new List<int>();
        for (int i = 0; i < n; i++)
        {
            if (rows[i][1] > DeanomalyThreshold)
            {
                isOutlier[i] = true;
                outliers.Add(i);
            }
        }

        var re = x.ToArray();
        foreach (int idx in outliers)
        {
            re[idx] = FitAround(x, isOutlier, idx, re[idx]);
        }

        var im = new double[n];
        var plan = Fft.GetPlan(n);
        plan.Forward(re, im);
        double low = n * 3.0 / 8.0;
        double high = n * 5.0 / 8.0;
        for (int k = 0; k < n; k++)
        {
            if (k > low && k < high)
            {
                re[k] = 0;
                im[k] = 0;
            }
        }

        plan.Inverse(re, im);

        double min = double.PositiveInfinity;
        double max = double.NegativeInfinity;
        for (int i = 0; i < n; i++)
        {
            min = Math.Min(min, x[i]);
            max = Math.Max(max, x[i]);
        }

        for (int i = 0; i < n; i++)
        {
            if ((min >= 0 && re[i] < 0) || (max <= 0 && re[i] > 0))
            {
                re[i] = 0;
            }
        }

        return re;
    }

    /// <summary>
    /// Least-squares line through the non-outliers within +-step of <paramref name="idx"/>, evaluated at idx; step
    /// grows 1, 3, 5, ... until at least 4 points are found or the window covers the series. Needs 2 points.
    /// </summary>
    private static double FitAround(ReadOnlySpan<double> x, bool[] isOutlier, int idx, double fallback)
    {
        int n = x.Length;
        int step = 1;
        while (true)
        {
            int start = Math.Max(idx - step, 0);
            int end = Math.Min(n - 1, idx + step);
            int count = 0;
            double sumX = 0, sumY = 0, sumXX = 0, sumXY = 0;
            for (int i = start; i <= end; i++)
            {
                if (!isOutlier[i])
                {
                    count++;
                    sumX += i;
                    sumY += x[i];
                    sumXX += (double)i * i;
                    sumXY += i * x[i];
                }
            }

            if (count >= MinPointsToFit || (start == 0 && end == n - 1))
            {
                if (count < 2)
                {
                    return fallback;
                }

                double det = (count * sumXX) - (sumX * sumX);
                double slope = ((count * sumXY) - (sumX * sumY)) / det;
                double intercept = ((sumXX * sumY) - (sumX * sumXY)) / det;
                return (slope * idx) + intercept;
            }

            step += 2;
        }
    }

    /// <summary>
    /// unit_i = 0.5 mean|trend| + 0.5 |trend_i| over the points not flagged, trend = centred running median; 0.3 when
    /// every non-flagged trend value is below 1e-8 in magnitude.
    /// </summary>
    private static double[] BoundaryUnits(ReadOnlySpan<double> x, double[][] rows)
    {
        int n = x.Length;
        int window = (2 * (Math.Min(n / 3, MaxTrendWindow) / 2)) + 1;
        var trend = RunningMedian(x, window);
        double sum = 0;
        int count = 0;
        bool allSmall = true;
        for (int i = 0; i < n; i++)
        {
            if (rows[i][0] == 0)
            {
                double a = Math.Abs(trend[i]);
                sum += a;
                count++;
                allSmall &= a < Eps;
            }
        }

        var units = new double[n];
        for (int i = 0; i < n; i++)
        {
            double a = Math.Abs(trend[i]);
            if (count == 0)
            {
                // Every point flagged (the SPEC leaves this open): the point's own trend, 0.3 when that is ~0.
                units[i] = a < Eps ? 0.3 : a;
            }
            else
            {
                units[i] = allSmall ? 0.3 : (TrendFraction * sum / count) + ((1 - TrendFraction) * a);
            }
        }

        return units;
    }

    /// <summary>Median of x[max(0, i - h) .. min(n - 1, i + h)], h = window / 2 (a window truncated at the ends).</summary>
    private static double[] RunningMedian(ReadOnlySpan<double> x, int window)
    {
        int n = x.Length;
        int half = window / 2;
        var result = new double[n];
        var sorted = new List<double>(window);
        // Sorted multiset of the current window, updated by binary-search insert/remove: O(n * window).
        int lo = 0, hi = -1;
        for (int i = 0; i < n; i++)
        {
            int newLo = Math.Max(0, i - half);
            int newHi = Math.Min(n - 1, i + half);
            while (hi < newHi)
            {
                hi++;
                int at = sorted.BinarySearch(x[hi]);
                sorted.Insert(at < 0 ? ~at : at, x[hi]);
            }

            while (lo < newLo)
            {
                sorted.RemoveAt(sorted.BinarySearch(x[lo]));
                lo++;
            }

            int c = sorted.Count;
            result[i] = (c & 1) == 1 ? sorted[c / 2] : (sorted[(c / 2) - 1] + sorted[c / 2]) / 2;
        }

        return result;
    }

    /// <summary>
    /// AnomalyScore of AnomalyAndMargin: (100 - s) / 100 for the sensitivity s at which the margin equals the distance
    /// from the expected value (linear between integer sensitivities); 1 beyond the margin at sensitivity 0.
    /// </summary>
    private static double MarginScore(double distance, double unit)
    {
        if (unit <= 0)
        {
            return 1;
        }

        double f = distance / unit;
        if (f >= Factors[0])
        {
            return 1;
        }

        // Factors decrease with sensitivity: find s with Factors[s] >= f > Factors[s + 1].
        for (int s = 0; s < 100; s++)
        {
            if (f > Factors[s + 1])
            {
                double fraction = (Factors[s] - f) / (Factors[s] - Factors[s + 1]);
                return (100 - (s + fraction)) / 100;
            }
        }

        return 0;
    }

    private static double[] BuildFactors()
    {
        // f(s) = g(s + 5) with g piecewise (vectors section 12).
        static double G(int i) => i switch
        {
            < 30 => (0.8 * (i - 30) * (i - 30)) + 32,
            < 50 => (-1.25 * i) + 67.5,
            < 60 => (-0.4 * i) + 25,
            < 70 => (-0.04 * i) + 3.4,
            < 80 => (-0.03 * i) + 2.7,
            < 90 => (-0.015 * i) + 1.5,
            < 98 => (1335.0 - (13.0 * i)) / 1100.0,
            98 => (1335.0 - (13.0 * 99)) / 1100.0,
            99 => 0.012,
            < 105 => 0.008 - (0.001925 * (i - 100)),
            _ => 0,
        };

        var factors = new double[101];
        for (int s = 0; s <= 100; s++)
        {
            factors[s] = G(s + 5);
        }

        return factors;
    }
}

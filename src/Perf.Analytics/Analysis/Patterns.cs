using Perf.Analytics.Compression;
using Perf.Analytics.Detection;

namespace Perf.Analytics.Analysis;

/// <summary>
/// Recurring shapes in a bucketed series (buckets of <c>bucketMs</c>, stamped at their start, possibly with gaps).
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><b>seasonality</b>: the period <see cref="SeasonalityDetector.Detect"/> finds (at least
/// <see cref="SeasonalityDetector.MinRepetitions"/> repetitions, at most <see cref="SeasonalityDetector.MaxPeriod"/>
/// buckets). Confidence is the statistic the detector itself accepts the period on: the circular autocorrelation at the
/// period over that at lag 0, i.e. the share of the variance that repeats (1 for a clean cycle, near 0 for noise).</item>
/// <item><b>daily_peak</b> (range of at least 2 days, buckets of at most an hour): the hour of day (UTC) with the highest
/// mean. Each value counts towards the nearest whole hour, so a peak at 15:00 sampled every 5 minutes is 15:00 rather
/// than a near tie between the 14:00 and 15:00 hours; hourly buckets simply count towards the hour they start.
/// Confidence is the fraction of the whole UTC days with data whose own peak hour is within ±1 h of it (circularly);
/// a day with no variation has no peak and counts against.</item>
/// <item><b>weekly_peak</b> (range of at least 14 days, buckets of at most a day): the UTC day of week with the highest
/// mean over the whole days in the range; confidence likewise over consecutive 7-day blocks of whole days (±1 day,
/// circularly).</item>
/// </list>
/// Peaks are reported only from <see cref="MinPeakConfidence"/> up, and only when a Kruskal–Wallis test says the hours
/// (days of the week) differ at all (p &lt; <see cref="PeakSignificance"/>); nothing is reported for a series with no
/// variation.
/// </remarks>
public static class Patterns
{
    public const string Seasonality = "seasonality";
    public const string DailyPeak = "daily_peak";
    public const string WeeklyPeak = "weekly_peak";

    /// <summary>Below this a peak is what noise alone gives about as often as not, so it is not reported.</summary>
    public const double MinPeakConfidence = 0.5;

    /// <summary>A peak is only looked for when the slots (hours, days of the week) differ at this significance.</summary>
    public const double PeakSignificance = 0.01;

    /// <summary>
    /// The detector's randomness threshold. Its default 0.95 holds for one lag fixed in advance, but it searches a band
    /// of lags for two candidates, and on centred white noise (48 to 2,000 points) reported a period 12% of the time;
    /// at 0.999, 0.25%, while a cycle of about the noise's standard deviation in amplitude is found as often as before.
    /// </summary>
    public const double SeasonalityThreshold = 0.999;

    /// <summary>The most recent buckets the seasonality search looks at; many more than MaxPeriod × MinRepetitions add nothing.</summary>
    public const int MaxSeasonalityBuckets = 50_000;

    private const long HourMs = 3_600_000;
    private const long DayMs = 24 * HourMs;

    /// <summary>The patterns <paramref name="points"/> show, in the order seasonality, daily_peak, weekly_peak.</summary>
    public static IReadOnlyList<PatternResult> Find(IReadOnlyList<DataPoint> points, long bucketMs)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bucketMs);
        var series = FiniteSeries.InTimeOrder(points);
        var found = new List<PatternResult>();
        if (series.Length == 0 || NoVariation(series.Min(p => p.Value), series.Max(p => p.Value))) return found;

        if (FindSeasonality(series, bucketMs) is { } seasonality) found.Add(seasonality);

        var spanMs = series[^1].TimestampMs - series[0].TimestampMs + bucketMs;
        if (spanMs >= 2 * DayMs && bucketMs <= HourMs
            && FindDailyPeak(series, bucketMs) is { Confidence: >= MinPeakConfidence } daily) found.Add(daily);
        if (spanMs >= 14 * DayMs && bucketMs <= DayMs
            && FindWeeklyPeak(series, bucketMs) is { Confidence: >= MinPeakConfidence } weekly) found.Add(weekly);
        return found;
    }

    private static PatternResult? FindSeasonality(DataPoint[] series, long bucketMs)
    {
        var grid = RegularGrid(series, bucketMs);
        if (grid is null) return null;

        // Centred because the detector's circular autocorrelation keeps the mean's power: for a series far from zero,
        // ACF[p] / ACF[0] is near 1 at every lag and any candidate would pass as significant.
        var mean = grid.Average();
        for (var i = 0; i < grid.Length; i++) grid[i] -= mean;

        var period = SeasonalityDetector.Detect(grid, randomnessThreshold: SeasonalityThreshold);
        if (period <= 0) return null;
        var confidence = Math.Clamp(CircularAutocorrelation(grid, period), 0, 1);
        return new PatternResult(Seasonality, null, confidence, (double)period * bucketMs / HourMs);
    }

    /// <summary>
    /// One value per bucket from the first to the last (the most recent <see cref="MaxSeasonalityBuckets"/>), gaps filled
    /// linearly so the period in buckets stays a period in time; null when gaps would be most of it.
    /// </summary>
    private static double[]? RegularGrid(DataPoint[] series, long bucketMs)
    {
        var last = series[^1].TimestampMs;
        var firstIndex = 0;
        while (firstIndex < series.Length && (last - series[firstIndex].TimestampMs) / bucketMs >= MaxSeasonalityBuckets) firstIndex++;
        var origin = series[firstIndex].TimestampMs;
        var length = (int)((last - origin + bucketMs / 2) / bucketMs) + 1;

        var sums = new double[length];
        var counts = new int[length];
        for (var i = firstIndex; i < series.Length; i++)
        {
            var slot = (int)((series[i].TimestampMs - origin + bucketMs / 2) / bucketMs);
            sums[slot] += series[i].Value;
            counts[slot]++;
        }

        var filled = 0;
        for (var i = 0; i < length; i++)
        {
            if (counts[i] > 0) (sums[i], filled) = (sums[i] / counts[i], filled + 1);
        }
        // Interpolation beyond this would be drawing the shape rather than measuring it.
        if (2 * filled < length) return null;

        // The first and last slots always hold data, so every gap has a known value on both sides.
        for (var i = 1; i < length; i++)
        {
            if (counts[i] > 0) continue;
            var next = i;
            while (counts[next] == 0) next++;
            var before = sums[i - 1];
            var step = (sums[next] - before) / (next - i + 1);
            for (var k = i; k < next; k++) sums[k] = before + step * (k - i + 1);
            i = next;
        }
        return sums;
    }

    private static double CircularAutocorrelation(ReadOnlySpan<double> centred, int lag)
    {
        double atLag = 0, atZero = 0;
        for (var i = 0; i < centred.Length; i++)
        {
            atZero += centred[i] * centred[i];
            atLag += centred[i] * centred[(i + lag) % centred.Length];
        }
        return atZero > 0 ? atLag / atZero : 0;
    }

    private static PatternResult? FindDailyPeak(DataPoint[] series, long bucketMs)
    {
        var hours = new int[series.Length];
        var values = new double[series.Length];
        var profile = new MeanProfile(24);
        var days = new Dictionary<long, MeanProfile>();
        var (firstWholeDay, endWholeDays) = WholeDays(series, bucketMs);
        for (var i = 0; i < series.Length; i++)
        {
            var point = series[i];
            var hour = hours[i] = NearestHourOfDay(point.TimestampMs);
            values[i] = point.Value;
            profile.Add(hour, point.Value);
            var day = FloorDiv(point.TimestampMs, DayMs);
            if (day < firstWholeDay || day >= endWholeDays) continue;
            if (!days.TryGetValue(day, out var dayProfile)) days[day] = dayProfile = new MeanProfile(24);
            dayProfile.Add(hour, point.Value);
        }

        var peakHour = profile.Peak();
        if (peakHour < 0 || days.Count == 0 || !SlotsDiffer(values, hours, 24)) return null;
        var agreeing = days.Values.Count(d => d.Peak() is var h && h >= 0 && CircularDistance(h, peakHour, 24) <= 1);
        return new PatternResult(DailyPeak, $"{peakHour:00}:00", (double)agreeing / days.Count, null);
    }

    private static PatternResult? FindWeeklyPeak(DataPoint[] series, long bucketMs)
    {
        // Whole days only: a part day would give its day of the week a different mix of hours from the others, and a
        // strong daily cycle would then pass for a weekly one.
        var (firstWholeDay, endWholeDays) = WholeDays(series, bucketMs);
        var daysOfWeek = new List<int>(series.Length);
        var values = new List<double>(series.Length);
        var profile = new MeanProfile(7);
        var weeks = new Dictionary<long, MeanProfile>();
        foreach (var point in series)
        {
            var day = FloorDiv(point.TimestampMs, DayMs);
            if (day < firstWholeDay || day >= endWholeDays) continue;
            var dayOfWeek = DayOfWeekOf(day);
            daysOfWeek.Add(dayOfWeek);
            values.Add(point.Value);
            profile.Add(dayOfWeek, point.Value);
            var week = (day - firstWholeDay) / 7;
            if (firstWholeDay + 7 * (week + 1) > endWholeDays) continue;
            if (!weeks.TryGetValue(week, out var weekProfile)) weeks[week] = weekProfile = new MeanProfile(7);
            weekProfile.Add(dayOfWeek, point.Value);
        }

        var peakDay = profile.Peak();
        if (peakDay < 0 || weeks.Count == 0 || !SlotsDiffer([.. values], [.. daysOfWeek], 7)) return null;
        var agreeing = weeks.Values.Count(w => w.Peak() is var d && d >= 0 && CircularDistance(d, peakDay, 7) <= 1);
        return new PatternResult(WeeklyPeak, ((DayOfWeek)peakDay).ToString(), (double)agreeing / weeks.Count, null);
    }

    /// <summary>
    /// Whether the hour of day (day of week) matters at all. The agreement fraction alone cannot tell: with ±1 of 7 days
    /// counting as agreement, and the overall peak drawn from the same data, noise agrees half the time.
    /// </summary>
    private static bool SlotsDiffer(ReadOnlySpan<double> values, ReadOnlySpan<int> slots, int slotCount) =>
        KruskalWallis.Test(values, slots, slotCount).PValue < PeakSignificance;

    /// <summary>Day numbers (since the epoch) of the UTC days lying entirely inside the range the buckets cover: [first, end).</summary>
    private static (long First, long End) WholeDays(DataPoint[] series, long bucketMs)
    {
        var first = -FloorDiv(-series[0].TimestampMs, DayMs);
        var end = FloorDiv(series[^1].TimestampMs + bucketMs, DayMs);
        return (first, end);
    }

    internal static int NearestHourOfDay(long timestampMs) =>
        (int)(FloorDiv(timestampMs - FloorDiv(timestampMs, DayMs) * DayMs + HourMs / 2, HourMs) % 24);

    /// <summary>As <see cref="DayOfWeek"/>: day 0 of the epoch, 1970-01-01, was a Thursday.</summary>
    private static int DayOfWeekOf(long dayNumber) => (int)(((dayNumber + (int)DayOfWeek.Thursday) % 7 + 7) % 7);

    private static int CircularDistance(int a, int b, int modulus)
    {
        var distance = Math.Abs(a - b) % modulus;
        return Math.Min(distance, modulus - distance);
    }

    /// <summary>Means of identical values can differ in the last bits, and centring them leaves that residue as a
    /// perfectly "periodic" signal; neither is variation.</summary>
    private static bool NoVariation(double min, double max) => max - min <= 1e-9 * Math.Max(Math.Abs(max), Math.Abs(min));

    private static long FloorDiv(long value, long divisor)
    {
        var quotient = value / divisor;
        return value % divisor < 0 ? quotient - 1 : quotient;
    }

    /// <summary>Running means per slot (hour of day, day of week).</summary>
    private sealed class MeanProfile(int slots)
    {
        private readonly double[] _sums = new double[slots];
        private readonly int[] _counts = new int[slots];

        public void Add(int slot, double value)
        {
            _sums[slot] += value;
            _counts[slot]++;
        }

        /// <summary>The slot with the highest mean (the first of equals); -1 when the means do not vary.</summary>
        public int Peak()
        {
            int peak = -1, low = -1;
            for (var i = 0; i < _sums.Length; i++)
            {
                if (_counts[i] == 0) continue;
                if (peak < 0 || Mean(i) > Mean(peak)) peak = i;
                if (low < 0 || Mean(i) < Mean(low)) low = i;
            }
            if (peak < 0) return -1;
            return NoVariation(Mean(low), Mean(peak)) ? -1 : peak;
        }

        private double Mean(int slot) => _sums[slot] / _counts[slot];
    }
}

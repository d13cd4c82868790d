using Perf.Analytics.Analysis;
using Perf.Analytics.Compression;
using Xunit;

namespace Perf.Analytics.Tests.Analysis;

public sealed class PatternsTests
{
    // 2026-09-22 00:00 UTC, a Tuesday.
    private const long Midnight = 1_790_035_200_000;
    private const long MinuteMs = 60_000;
    private const long HourMs = 60 * MinuteMs;
    private const long DayMs = 24 * HourMs;

    private static DataPoint[] Generate(int days, long bucketMs, Func<long, double> valueAt, long startMs = Midnight) =>
        [.. Enumerable.Range(0, (int)(days * DayMs / bucketMs)).Select(i => startMs + i * bucketMs).Select(t => new DataPoint(t, valueAt(t)))];

    private static double HourOfDay(long t) => (double)(t % DayMs) / HourMs;

    /// <summary>A daily cycle peaking at <paramref name="peakHour"/> UTC, amplitude 10 around 50, uniform noise of ±noise.</summary>
    private static Func<long, double> DailySine(double peakHour, double noise, int seed)
    {
        var random = new Random(seed);
        return t => 50 + 10 * Math.Cos(2 * Math.PI * (HourOfDay(t) - peakHour) / 24) + noise * (2 * random.NextDouble() - 1);
    }

    [Theory]
    [InlineData(5, 7, false)]  // 2016 buckets: 7 repetitions of 288, one short of what the detector needs
    [InlineData(60, 14, true)] // 336 buckets: 14 repetitions of 24
    [InlineData(15, 30, true)] // 2880 buckets: 30 repetitions of 96
    public void A_daily_sine_peaking_at_three_pm_has_its_daily_peak_and_period(int bucketMinutes, int days, bool seasonalityVisible)
    {
        var points = Generate(days, bucketMinutes * MinuteMs, DailySine(15, noise: 0.5, seed: 1));

        var patterns = Patterns.Find(points, bucketMinutes * MinuteMs);

        var daily = Assert.Single(patterns, p => p.Type == Patterns.DailyPeak);
        Assert.Equal("15:00", daily.Time);
        Assert.True(daily.Confidence >= 0.9, $"confidence {daily.Confidence}");
        Assert.Null(daily.PeriodHours);
        var seasonality = patterns.SingleOrDefault(p => p.Type == Patterns.Seasonality);
        if (seasonalityVisible)
        {
            Assert.NotNull(seasonality);
            Assert.Equal(24, seasonality.PeriodHours);
            Assert.True(seasonality.Confidence >= 0.9, $"confidence {seasonality.Confidence}");
            Assert.Null(seasonality.Time);
        }
        else
        {
            Assert.Null(seasonality);
        }
        Assert.DoesNotContain(patterns, p => p.Type == Patterns.WeeklyPeak); // a daily cycle is the same every weekday
    }

    [Theory]
    [InlineData(15.0, "15:00")]
    [InlineData(3.25, "03:00")]
    [InlineData(23.75, "00:00")] // nearest whole hour, across midnight
    [InlineData(0.0, "00:00")]
    public void The_peak_hour_is_the_nearest_whole_hour_to_the_peak(double peakHour, string expected)
    {
        var points = Generate(7, 5 * MinuteMs, DailySine(peakHour, noise: 1, seed: 2));

        var daily = Assert.Single(Patterns.Find(points, 5 * MinuteMs), p => p.Type == Patterns.DailyPeak);

        Assert.Equal(expected, daily.Time);
        Assert.True(daily.Confidence >= 0.9);
    }

    [Fact]
    public void Gaps_and_NaN_values_do_not_move_the_pattern()
    {
        var random = new Random(3);
        var points = Generate(14, HourMs, DailySine(15, noise: 2, seed: 3))
            .Where(_ => random.NextDouble() > 0.1)                                    // 10% of buckets missing
            .Select(p => random.NextDouble() < 0.05 ? p with { Value = double.NaN } : p) // 5% NaN
            .ToArray();

        var patterns = Patterns.Find(points, HourMs);

        Assert.Equal(24, Assert.Single(patterns, p => p.Type == Patterns.Seasonality).PeriodHours);
        Assert.Equal("15:00", Assert.Single(patterns, p => p.Type == Patterns.DailyPeak).Time);
    }

    [Fact]
    public void A_period_that_is_not_a_day_is_reported_in_hours()
    {
        // Every 12 one-minute buckets: 0.2 h; 600 buckets hold 50 repetitions and span well under two days.
        var points = Generate(1, MinuteMs, t => 20 + 5 * Math.Sin(2 * Math.PI * (t / MinuteMs) / 12)).Take(600).ToArray();

        var pattern = Assert.Single(Patterns.Find(points, MinuteMs));

        Assert.Equal(Patterns.Seasonality, pattern.Type);
        Assert.Equal(0.2, pattern.PeriodHours!.Value, 1e-12);
        Assert.Equal(1, pattern.Confidence, 1e-9);
    }

    [Fact]
    public void A_weekly_cycle_peaking_on_wednesdays_has_its_weekly_peak()
    {
        var random = new Random(4);
        var points = Generate(28, HourMs, t =>
        {
            var dayOfWeek = (DayOfWeek)(int)((t / DayMs + 4) % 7);
            var weekday = dayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday);
            return (weekday ? 40 : 10) + (dayOfWeek == DayOfWeek.Wednesday ? 15 : 0) + 10 * Math.Cos(2 * Math.PI * (HourOfDay(t) - 11) / 24)
                + 4 * (random.NextDouble() - 0.5);
        });

        var patterns = Patterns.Find(points, HourMs);

        var weekly = Assert.Single(patterns, p => p.Type == Patterns.WeeklyPeak);
        Assert.Equal("Wednesday", weekly.Time);
        Assert.Equal(1, weekly.Confidence);
        Assert.Equal("11:00", Assert.Single(patterns, p => p.Type == Patterns.DailyPeak).Time);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Pure_noise_has_no_pattern(int seed)
    {
        var random = new Random(seed);
        var points = Generate(28, HourMs, _ => 50 + 10 * random.NextDouble());

        Assert.Empty(Patterns.Find(points, HourMs));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(42.0)]
    [InlineData(0.1)] // means of many 0.1s differ from 0.1 in the last bit
    public void A_flat_series_has_no_pattern(double level)
    {
        Assert.Empty(Patterns.Find(Generate(21, 5 * MinuteMs, _ => level), 5 * MinuteMs));
    }

    [Fact]
    public void Less_than_two_days_has_no_daily_peak_and_less_than_two_weeks_no_weekly_one()
    {
        var shortSeries = Generate(2, 5 * MinuteMs, DailySine(15, 0, 5)).Skip(1).ToArray(); // one bucket short of 2 days
        var twoDays = Generate(2, 5 * MinuteMs, DailySine(15, 0, 5));

        Assert.DoesNotContain(Patterns.Find(shortSeries, 5 * MinuteMs), p => p.Type == Patterns.DailyPeak);
        Assert.Contains(Patterns.Find(twoDays, 5 * MinuteMs), p => p.Type == Patterns.DailyPeak);
        var weekdaysBusy = Generate(13, HourMs, t => (t / DayMs + 4) % 7 is >= 1 and <= 5 ? 80 : 10);
        Assert.DoesNotContain(Patterns.Find(weekdaysBusy, HourMs), p => p.Type == Patterns.WeeklyPeak);
        Assert.Contains(Patterns.Find(Generate(14, HourMs, t => (t / DayMs + 4) % 7 is >= 1 and <= 5 ? 80 + (t / DayMs + 4) % 7 : 10), HourMs),
            p => p.Type == Patterns.WeeklyPeak);
    }

    [Fact]
    public void Buckets_longer_than_an_hour_have_no_daily_peak()
    {
        var points = Generate(14, 2 * HourMs, DailySine(15, 0, 6));

        Assert.DoesNotContain(Patterns.Find(points, 2 * HourMs), p => p.Type == Patterns.DailyPeak);
    }

    [Fact]
    public void Empty_input_has_no_pattern_and_bucket_width_is_checked()
    {
        Assert.Empty(Patterns.Find([], HourMs));
        Assert.Empty(Patterns.Find([new(Midnight, double.NaN)], HourMs));
        Assert.Throws<ArgumentOutOfRangeException>(() => Patterns.Find([], 0));
    }
}

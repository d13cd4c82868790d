using Perf.Analytics.Time;
using Xunit;

namespace Perf.Analytics.Tests.Time;

public sealed class DurationParserTests
{
    private const long Second = 1_000;
    private const long Minute = 60 * Second;
    private const long Hour = 60 * Minute;
    private const long Day = 24 * Hour;

    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("30s", 30 * Second)]
    [InlineData("5m", 5 * Minute)]
    [InlineData("1h", Hour)]
    [InlineData("7d", 7 * Day)]
    [InlineData("2w", 14 * Day)]
    [InlineData("1h30m", 90 * Minute)]
    [InlineData("1d12h", 36 * Hour)]
    [InlineData("1w2d3h4m5s6ms", (9 * Day) + (3 * Hour) + (4 * Minute) + (5 * Second) + 6)]
    [InlineData("90m", 90 * Minute)] // components need not be normalised
    [InlineData("1.5h", 90 * Minute)]
    [InlineData("0.25s", 250)]
    [InlineData("30", 30 * Second)] // a plain number is seconds
    [InlineData("1.5", 1_500)]
    [InlineData("0", 0)]
    [InlineData("0s", 0)]
    [InlineData("  30s ", 30 * Second)]
    [InlineData("01:30:00", 90 * Minute)]
    [InlineData("10:30", (10 * Hour) + (30 * Minute))]
    [InlineData("1.02:03:04", Day + (2 * Hour) + (3 * Minute) + (4 * Second))]
    [InlineData("00:00:00.250", 250)]
    public void TryParse_AcceptsUnitAndClockForms(string text, long expectedMs)
    {
        Assert.True(DurationParser.TryParse(text, out var duration));
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), duration);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("-5s")]
    [InlineData("-1")]
    [InlineData("-00:01:00")]
    [InlineData("+5s")]
    [InlineData("5x")]
    [InlineData("h")]
    [InlineData("ms")]
    [InlineData("1H")] // upper-case units are not accepted: "M" would read as months elsewhere
    [InlineData("1 h")]
    [InlineData("1h 30m")]
    [InlineData("30m1h")] // units largest first
    [InlineData("1h1h")]
    [InlineData("1s1ms1s")]
    [InlineData("1h30")] // a unit-less number only on its own
    [InlineData("1h-30m")]
    [InlineData(".5s")]
    [InlineData("5.s")]
    [InlineData("1.2.3s")]
    [InlineData("1e3s")]
    [InlineData("1,5s")]
    [InlineData("abc")]
    [InlineData("10675200d")] // just beyond TimeSpan.MaxValue
    [InlineData("99999999999999999999999999999w")]
    public void TryParse_RejectsNegativeEmptyAndMalformedInput(string? text)
    {
        Assert.False(DurationParser.TryParse(text, out var duration));
        Assert.Equal(TimeSpan.Zero, duration);
    }

    [Theory]
    [InlineData(0, "0s")]
    [InlineData(500, "500ms")]
    [InlineData(30 * Second, "30s")]
    [InlineData(5 * Minute, "5m")]
    [InlineData(Hour, "1h")]
    [InlineData(90 * Minute, "1h30m")]
    [InlineData(Hour + Second, "1h1s")]
    [InlineData(Day, "1d")]
    [InlineData(7 * Day, "1w")]
    [InlineData(8 * Day, "1w1d")]
    [InlineData(14 * Day, "2w")]
    [InlineData(30 * Day, "4w2d")]
    [InlineData(1_500, "1s500ms")]
    [InlineData((9 * Day) + (3 * Hour) + (4 * Minute) + (5 * Second) + 6, "1w2d3h4m5s6ms")]
    public void Format_WritesLargestUnitsFirstAndSkipsZeros(long milliseconds, string expected)
    {
        Assert.Equal(expected, DurationParser.Format(TimeSpan.FromMilliseconds(milliseconds)));
    }

    [Theory]
    [InlineData(1, "0.0001ms")]
    [InlineData(5_000, "0.5ms")]
    [InlineData(15_001, "1.5001ms")]
    [InlineData(TimeSpan.TicksPerSecond + 5_000, "1s0.5ms")]
    public void Format_KeepsSubMillisecondPrecision(long ticks, string expected)
    {
        Assert.Equal(expected, DurationParser.Format(TimeSpan.FromTicks(ticks)));
    }

    [Fact]
    public void Format_RejectsNegativeDurations()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => DurationParser.Format(TimeSpan.FromSeconds(-1)));
    }

    [Fact]
    public void FormatThenParse_GivesBackTheSameDuration()
    {
        var random = new Random(13);
        var samples = new List<TimeSpan> { TimeSpan.Zero, TimeSpan.MaxValue, TimeSpan.FromTicks(1) };
        for (int i = 0; i < 2_000; i++)
        {
            samples.Add(TimeSpan.FromTicks(random.Next(3) switch
            {
                0 => random.NextInt64(TimeSpan.MaxValue.Ticks),
                1 => random.NextInt64(1_000_000) * TimeSpan.TicksPerSecond,
                _ => random.NextInt64(100_000_000) * TimeSpan.TicksPerMillisecond,
            }));
        }

        foreach (var sample in samples)
        {
            string text = DurationParser.Format(sample);
            Assert.True(DurationParser.TryParse(text, out var parsed), text);
            Assert.Equal(sample, parsed);
        }
    }
}

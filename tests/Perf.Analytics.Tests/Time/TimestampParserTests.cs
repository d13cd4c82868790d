using Perf.Analytics.Time;
using Xunit;

namespace Perf.Analytics.Tests.Time;

public sealed class TimestampParserTests
{
    private const long March20 = 1_710_928_800_000; // 2024-03-20T10:00:00Z
    private const long MinEpochMs = -62_135_596_800_000; // 0001-01-01T00:00:00Z
    private const long MaxEpochMs = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z

    [Theory]
    [InlineData("2024-03-20T10:00:00Z", March20)]
    [InlineData("2024-03-20T10:00:00.123Z", March20 + 123)]
    [InlineData("2024-03-20T10:00:00.5Z", March20 + 500)]
    [InlineData("2024-03-20T10:00:00.05Z", March20 + 50)]
    [InlineData("2024-03-20T10:00:00.123999999Z", March20 + 123)] // truncated, not rounded
    [InlineData("2024-03-20T10:00:00,250Z", March20 + 250)] // ISO 8601 decimal comma
    [InlineData("2024-03-20T12:00:00+02:00", March20)]
    [InlineData("2024-03-20T05:30:00-04:30", March20)]
    [InlineData("2024-03-20T12:00:00+0200", March20)]
    [InlineData("2024-03-20T12:00:00+02", March20)]
    [InlineData("2024-03-20T10:00:00+00:00", March20)]
    [InlineData("2024-03-20t10:00:00z", March20)]
    [InlineData("2024-03-20 10:00:00Z", March20)]
    [InlineData("2024-03-20T10:00Z", March20)]
    [InlineData(" 2024-03-20T10:00:00Z ", March20)]
    [InlineData("2024-02-29T00:00:00Z", 1_709_164_800_000)]
    [InlineData("1970-01-01T00:00:00Z", 0)]
    [InlineData("1969-12-31T23:59:59.999Z", -1)]
    [InlineData("0001-01-01T00:00:00Z", MinEpochMs)]
    [InlineData("9999-12-31T23:59:59.999Z", MaxEpochMs)]
    [InlineData("2024-03-21T00:30:00+14:30", March20)]
    public void TryParse_AcceptsIsoDateTimesWithAZone(string text, long expected)
    {
        Assert.True(TimestampParser.TryParse(text, out long epochMs));
        Assert.Equal(expected, epochMs);
    }

    [Theory]
    [InlineData("1710928800", March20)] // seconds
    [InlineData("1710928800.123", March20 + 123)]
    [InlineData("1710928800.9999", March20 + 999)]
    [InlineData("1.7109288e9", March20)]
    [InlineData("1710928800123", March20 + 123)] // milliseconds
    [InlineData("1710928800123456", March20 + 123)] // microseconds
    [InlineData("1710928800123999", March20 + 123)]
    [InlineData("1710928800123456789", March20 + 123)] // nanoseconds
    [InlineData("0", 0)]
    [InlineData("-1", -1_000)]
    [InlineData("-0.0005", -1)] // floored, like every other sub-millisecond remainder
    [InlineData("99999999999", 99_999_999_999_000)] // just below 1e11: still seconds
    [InlineData("100000000000", 100_000_000_000)] // 1e11: milliseconds
    [InlineData("99999999999999", 99_999_999_999_999)] // just below 1e14: still milliseconds
    [InlineData("100000000000000", 100_000_000_000)] // 1e14: microseconds
    [InlineData("99999999999999999", 99_999_999_999_999)] // just below 1e17: still microseconds
    [InlineData("100000000000000000", 100_000_000_000)] // 1e17: nanoseconds
    public void TryParse_PicksTheUnixUnitByMagnitude(string text, long expected)
    {
        Assert.True(TimestampParser.TryParse(text, out long epochMs));
        Assert.Equal(expected, epochMs);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("2024-03-20")] // date only
    [InlineData("2024-03-20T10:00:00")] // no zone: local time is ambiguous
    [InlineData("2024-03-20T10:00:00.123")]
    [InlineData("2024-13-01T00:00:00Z")]
    [InlineData("2024-00-10T00:00:00Z")]
    [InlineData("2024-02-30T00:00:00Z")]
    [InlineData("2023-02-29T00:00:00Z")]
    [InlineData("2024-03-20T24:00:00Z")]
    [InlineData("2024-03-20T10:60:00Z")]
    [InlineData("2024-03-20T10:00:60Z")]
    [InlineData("2024-03-20T10:00:00.Z")]
    [InlineData("2024-03-20T10:00:00+24:00")]
    [InlineData("2024-03-20T10:00:00+02:60")]
    [InlineData("2024-03-20T10:00:00+2:00")]
    [InlineData("2024-03-20T10:00:00Zjunk")]
    [InlineData("2024-03-20T10:00:00 Z")]
    [InlineData("2024-3-20T10:00:00Z")]
    [InlineData("20240320T100000Z")]
    [InlineData("0000-01-01T00:00:00Z")]
    [InlineData("0001-01-01T00:00:00+01:00")] // before year 1 in UTC
    [InlineData("9999-12-31T23:59:59-01:00")] // after year 9999 in UTC
    [InlineData("1e40")]
    [InlineData("1e24")] // nanoseconds, but beyond year 9999
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("1 000")]
    [InlineData("1,000")]
    [InlineData("0x10")]
    [InlineData("now")]
    public void TryParse_RejectsEverythingElse(string? text)
    {
        Assert.False(TimestampParser.TryParse(text, out long epochMs));
        Assert.Equal(0, epochMs);
    }

    [Theory]
    [InlineData(March20, "2024-03-20T10:00:00Z")]
    [InlineData(March20 + 123, "2024-03-20T10:00:00.123Z")]
    [InlineData(March20 + 5, "2024-03-20T10:00:00.005Z")]
    [InlineData(March20 + 500, "2024-03-20T10:00:00.500Z")]
    [InlineData(0, "1970-01-01T00:00:00Z")]
    [InlineData(-1, "1969-12-31T23:59:59.999Z")]
    [InlineData(MinEpochMs, "0001-01-01T00:00:00Z")]
    [InlineData(MaxEpochMs, "9999-12-31T23:59:59.999Z")]
    public void FormatIso_WritesUtcWithMillisecondsOnlyWhenNeeded(long epochMs, string expected)
    {
        Assert.Equal(expected, TimestampParser.FormatIso(epochMs));
    }

    [Theory]
    [InlineData(MinEpochMs - 1)]
    [InlineData(MaxEpochMs + 1)]
    [InlineData(long.MaxValue)]
    public void FormatIso_RejectsInstantsDateTimeCannotHold(long epochMs)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => TimestampParser.FormatIso(epochMs));
    }

    [Fact]
    public void FormatIsoThenParse_GivesBackTheSameInstant()
    {
        var random = new Random(17);
        for (int i = 0; i < 5_000; i++)
        {
            long epochMs = random.Next(2) == 0
                ? random.NextInt64(MinEpochMs, MaxEpochMs + 1)
                : March20 + random.NextInt64(-1_000_000_000, 1_000_000_000);

            string text = TimestampParser.FormatIso(epochMs);

            Assert.True(TimestampParser.TryParse(text, out long parsed), text);
            Assert.Equal(epochMs, parsed);
        }
    }
}

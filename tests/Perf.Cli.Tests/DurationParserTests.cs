using Perf.Cli.Parsing;

namespace Perf.Cli.Tests;

public sealed class DurationParserTests
{
    [Theory]
    [InlineData("30s", 30_000)]
    [InlineData("2m", 120_000)]
    [InlineData("1m30s", 90_000)]
    [InlineData("500ms", 500)]
    [InlineData("123ms", 123)]
    [InlineData("1.5h", 5_400_000)]
    [InlineData("300s", 300_000)]
    [InlineData("45", 45_000)]
    [InlineData("0", 0)]
    [InlineData(" 10S ", 10_000)]
    public void Reads_durations_as_people_type_them(string text, long expectedMilliseconds)
    {
        Assert.True(DurationParser.TryParse(text, out var duration));
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMilliseconds), duration);
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("10x")]
    [InlineData("s")]
    [InlineData("-5s")]
    [InlineData("1m-3s")]
    public void Rejects_what_is_not_a_duration(string text)
    {
        Assert.False(DurationParser.TryParse(text, out _));
    }

    [Theory]
    [InlineData(30_000, "30s")]
    [InlineData(120_000, "2m")]
    [InlineData(3_600_000, "1h")]
    [InlineData(250, "250ms")]
    [InlineData(90_000, "90s")]
    public void Formats_so_that_parsing_reads_it_back(long milliseconds, string expected)
    {
        var duration = TimeSpan.FromMilliseconds(milliseconds);
        var text = DurationParser.Format(duration);
        Assert.Equal(expected, text);
        Assert.Equal(duration, DurationParser.Parse(text));
    }
}

using Perf.Actors.Configuration;

namespace Perf.Actors.Tests.Configuration;

public sealed class MetricPatternTests
{
    [Theory]
    [InlineData("cpu.usage", "cpu.usage", true)]
    [InlineData("cpu.usage", "CPU.Usage", true)]
    [InlineData("cpu.usage", "cpu.usage2", false)]
    [InlineData("cpu.*", "cpu.usage", true)]
    [InlineData("cpu.*", "cpu.", true)]
    [InlineData("cpu.*", "gpu.usage", false)]
    [InlineData("*", "", true)]
    [InlineData("*", "anything.at.all", true)]
    [InlineData("*latency*", "http.latency_p99", true)]
    [InlineData("*latency*", "latency", true)]
    [InlineData("*latency*", "http.p99", false)]
    [InlineData("*.usage_bytes", "memory.usage_bytes", true)]
    [InlineData("*.usage_bytes", "memory.usage_bytes.max", false)]
    [InlineData("a*b*c", "abc", true)]
    [InlineData("a*b*c", "axxbyyc", true)]
    [InlineData("a*b*c", "axxcyyb", false)]
    [InlineData("ab*ba", "aba", false)] // prefix and suffix must not overlap
    [InlineData("a*a*a", "aaa", true)]
    [InlineData("a*a*a", "aa", false)]
    public void Matches(string pattern, string metric, bool expected) =>
        Assert.Equal(expected, new MetricPattern(pattern).Matches(metric));

    [Theory]
    [InlineData("*", 0)]
    [InlineData("cpu.*", 4)]
    [InlineData("*latency*", 7)]
    [InlineData("cpu.usage", 9)]
    public void Specificity_counts_literal_characters(string pattern, int expected) =>
        Assert.Equal(expected, new MetricPattern(pattern).Specificity);
}

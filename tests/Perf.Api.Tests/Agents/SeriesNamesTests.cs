using Perf.Api.Agents;

namespace Perf.Api.Tests.Agents;

/// <summary>Series names and hosts made from agents' labels (no node needed).</summary>
public sealed class SeriesNamesTests
{
    [Theory]
    [InlineData("web-1:9100", "web-1:9100")]
    [InlineData("[::1]:9100", "_::1_:9100")]
    [InlineData("my host/1", "my_host_1")]
    [InlineData(".hidden", "_hidden")]
    [InlineData("", "default")]
    [InlineData(null, "default")]
    public void Hosts_perf_would_not_accept_are_made_acceptable(string? raw, string expected)
    {
        Assert.Equal(expected, SeriesNames.Host(raw));
    }
}

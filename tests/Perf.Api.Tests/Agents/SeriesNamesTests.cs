using Perf.Api.Agents;

namespace Perf.Api.Tests.Agents;

/// <summary>Series names and hosts made from agents' labels (no node needed).</summary>
public sealed class SeriesNamesTests
{
    [Fact]
    public void Labels_are_written_in_the_json_endpoints_form()
    {
        Assert.Equal("node_load1", SeriesNames.Metric("node_load1", []));
        Assert.Equal("cpu.usage{core=\"0\",zone=\"eu\"}", SeriesNames.Metric("cpu.usage", [new("core", "0"), new("zone", "eu")]));
    }

    [Theory]
    [InlineData("mountpoint", "/", "m{mountpoint=\"%2F\"}")]
    [InlineData("path", "50%", "m{path=\"50%25\"}")]
    [InlineData("q", "say \"hi\"\\", "m{q=\"say \\\"hi\\\"\\\\\"}")]
    [InlineData("multi line", "a\nb", "m{multi%20line=\"a%0Ab\"}")]
    [InlineData("k=v", "x", "m{k%3Dv=\"x\"}")]
    public void Characters_that_would_break_the_name_or_the_route_are_encoded(string key, string value, string expected)
    {
        Assert.Equal(expected, SeriesNames.Metric("m", [new(key, value)]));
    }

    [Fact]
    public void Names_with_slashes_or_braces_are_encoded()
    {
        Assert.Equal("http%2Frequests%7Bx%7D", SeriesNames.Metric("http/requests{x}", []));
    }

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

using Perf.Actors.Series;

namespace Perf.Actors.Tests.Series;

public sealed class SeriesNameTests
{
    [Fact]
    public void Labels_are_written_in_the_json_endpoints_form()
    {
        Assert.Equal("node_load1", SeriesName.Labelled("node_load1", []));
        Assert.Equal("cpu.usage{core=\"0\",zone=\"eu\"}", SeriesName.Labelled("cpu.usage", [new("core", "0"), new("zone", "eu")]));
    }

    [Theory]
    [InlineData("mountpoint", "/", "m{mountpoint=\"%2F\"}")]
    [InlineData("path", "50%", "m{path=\"50%25\"}")]
    [InlineData("q", "say \"hi\"\\", "m{q=\"say \\\"hi\\\"\\\\\"}")]
    [InlineData("multi line", "a\nb", "m{multi%20line=\"a%0Ab\"}")]
    [InlineData("k=v", "x", "m{k%3Dv=\"x\"}")]
    public void Characters_that_would_break_the_name_or_the_route_are_encoded(string key, string value, string expected)
    {
        Assert.Equal(expected, SeriesName.Labelled("m", [new(key, value)]));
    }

    [Fact]
    public void Names_with_slashes_or_braces_are_encoded()
    {
        Assert.Equal("http%2Frequests%7Bx%7D", SeriesName.Labelled("http/requests{x}", []));
    }
}

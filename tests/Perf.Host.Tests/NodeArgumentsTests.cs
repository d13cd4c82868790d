using Perf.Actors.Configuration;

namespace Perf.Host.Tests;

public sealed class NodeArgumentsTests
{
    [Theory]
    [InlineData(new[] { "--urls", "http://127.0.0.1:6000", "--data-dir", "/srv/perf" }, "http://127.0.0.1:6000", "/srv/perf", null)]
    [InlineData(new[] { "--config=perf.yaml", "--data-dir=/srv/perf" }, null, "/srv/perf", "perf.yaml")]
    [InlineData(new string[0], null, null, null)]
    public void Takes_its_three_flags_either_way(string[] args, string? urls, string? dataDir, string? config) =>
        Assert.Equal(new NodeArguments(urls, dataDir, config), NodeArguments.Parse(args, withUrls: true));

    [Theory]
    [InlineData(true, new[] { "--data-dri", "/srv/perf" }, "--data-dri", "is not an option")]
    [InlineData(false, new[] { "--urls", "http://127.0.0.1:6000" }, "--urls", "is not an option")]
    [InlineData(true, new[] { "--config" }, "--config", "needs a value")]
    [InlineData(true, new[] { "--config", "--data-dir", "/srv/perf" }, "--config", "needs a value")]
    [InlineData(true, new[] { "serve" }, "serve", "is not an option")]
    public void Anything_else_stops_start_up_naming_it(bool withUrls, string[] args, string flag, string problem)
    {
        var error = Assert.Throws<PerfConfigurationException>(() => NodeArguments.Parse(args, withUrls));

        Assert.Equal(flag, error.Key);
        Assert.Contains(problem, error.Message);
    }
}

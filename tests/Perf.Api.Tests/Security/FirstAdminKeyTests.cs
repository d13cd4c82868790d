using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Perf.Api.Tests.Infrastructure;
using Perf.Host.Tests.Infrastructure;

namespace Perf.Api.Tests.Security;

/// <summary>Without PERF_ADMIN_KEY, a fresh data directory gets an admin key, printed once; a restart prints none.</summary>
public sealed partial class FirstAdminKeyTests
{
    [GeneratedRegex(@"perf_[0-9a-f]{12}_[A-Za-z0-9_-]{43}")]
    private static partial Regex KeyPattern();

    [Fact]
    public async Task A_fresh_data_directory_prints_its_first_admin_key_once_and_the_key_works_after_a_restart()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "perf-api-tests", Guid.NewGuid().ToString("N"));
        var noAdminKey = new Dictionary<string, string> { ["PERF_ADMIN_KEY"] = "" };
        string key;
        await using (var node = new PerfNodeProcess(noAdminKey, dataDir))
        {
            await node.StartAsync();
            key = await Poll.UntilAsync("the first admin key in the node's output",
                _ => Task.FromResult(KeyPattern().Match(node.Output) is { Success: true } m ? m.Value : null), TestContext.Current.CancellationToken);
            using var client = node.ClientWithKey(key);
            var keys = await client.GetJsonAsync("/api/v1/admin/keys");
            Assert.Equal("first admin key", keys["keys"]![0]!["name"]!.GetValue<string>());
            using var withTestKey = await node.Client.GetAsync("/api/v1/admin/keys");
            Assert.Equal(HttpStatusCode.Unauthorized, withTestKey.StatusCode); // PERF_ADMIN_KEY was not set
            Assert.Equal(0, await node.InterruptAsync(TimeSpan.FromSeconds(60)));
        }

        await using var restarted = new PerfNodeProcess(noAdminKey, dataDir);
        await restarted.StartAsync();
        using var again = restarted.ClientWithKey(key);
        Assert.Single((await again.GetJsonAsync("/api/v1/admin/keys"))["keys"]!.AsArray());
        Assert.DoesNotMatch(KeyPattern(), restarted.Output);
        Directory.Delete(dataDir, recursive: true);
    }

    [Fact]
    public async Task A_port_in_use_is_one_line_before_the_data_directory_is_touched_and_the_first_key_waits_for_a_start_that_listens()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "perf-api-tests", Guid.NewGuid().ToString("N"));
        var noAdminKey = new Dictionary<string, string> { ["PERF_ADMIN_KEY"] = "" };
        var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        try
        {
            await using var refused = new PerfNodeProcess(noAdminKey, dataDir);
            Assert.Equal(2, await refused.RunToExitAsync(TimeSpan.FromSeconds(60), port));
            var line = Assert.Single(refused.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            Assert.Equal($"perf: cannot listen on http://127.0.0.1:{port}: address already in use. Stop what uses it, or choose another with --urls (or ASPNETCORE_URLS).", line);
            Assert.False(File.Exists(Path.Combine(dataDir, "perf.db")), "the data directory was opened");
        }
        finally
        {
            taken.Stop();
        }

        await using var started = new PerfNodeProcess(noAdminKey, dataDir);
        await started.StartAsync();
        var key = await Poll.UntilAsync("the first admin key in the node's output",
            _ => Task.FromResult(KeyPattern().Match(started.Output) is { Success: true } m ? m.Value : null), TestContext.Current.CancellationToken);
        using var client = started.ClientWithKey(key);
        Assert.Equal("first admin key", (await client.GetJsonAsync("/api/v1/admin/keys"))["keys"]![0]!["name"]!.GetValue<string>());
        Directory.Delete(dataDir, recursive: true);
    }
}

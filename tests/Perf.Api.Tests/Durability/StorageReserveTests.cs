using System.Net;
using System.Text.Json.Nodes;
using Perf.Api.Tests.Infrastructure;
using Perf.Host.Tests.Infrastructure;

namespace Perf.Api.Tests.Durability;

/// <summary>
/// The free-space reserve (<c>perf.storage.min_free_space</c>) on a small real file system: below it, writes are refused
/// with 507 naming the cause before any is tried and readiness says why, reads go on, and both come back once space is
/// freed.
/// </summary>
public sealed class StorageReserveTests
{
    [Fact]
    public async Task Below_the_reserve_writes_get_507_and_readiness_says_why_reads_go_on_and_both_return_once_space_is_freed()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var disk = await SmallDisk.TryMountAsync(96L * 1024 * 1024);
        Assert.True(disk is not null, "this test mounts a small tmpfs, which needs root");
        await using var node = new PerfNodeProcess(new Dictionary<string, string> { ["PERF_PERF__STORAGE__MIN_FREE_SPACE"] = "32MB" },
            Path.Combine(disk.Directory, "data"));
        await node.StartAsync();
        var start = NodeApi.RecentSecond(60);
        string Body(int second) => NodeApi.Serialize(new { host = "reserve-1", timestamp = NodeApi.Iso(start.AddSeconds(second)), metrics = new { cpu = new { usage = 40.5 } } });
        await (await node.Client.PostJsonAsync(Body(0))).ExpectAcceptedAsync();

        await disk.FillLeavingAsync(16L * 1024 * 1024); // above SQLite's needs, below the reserve
        // The free space is measured at most once a second.
        var refused = await Poll.UntilAsync("a write refused for the reserve", async _ =>
        {
            using var response = await node.Client.PostJsonAsync(Body(1));
            return response.StatusCode == HttpStatusCode.InsufficientStorage ? JsonNode.Parse(await response.Content.ReadAsStringAsync()) : null;
        }, ct);
        Assert.Contains("less than perf.storage.min_free_space (32 MB)", refused["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("Insufficient storage", refused["title"]!.GetValue<string>());
        using (var ready = await node.Client.GetAsync("/health/ready", ct))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.Contains("perf.storage.min_free_space", await ready.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
        }
        var points = (await node.Client.GetJsonAsync("/api/v1/series/reserve-1/cpu.usage?start=0"))["points"]!.AsArray();
        Assert.Single(points); // the point from before, and not the refused one

        disk.Free();
        await Poll.UntilAsync("writes taken again", async _ =>
        {
            using var response = await node.Client.PostJsonAsync(Body(2));
            return response.StatusCode == HttpStatusCode.Accepted;
        }, ct);
        using (var ready = await node.Client.GetAsync("/health/ready", ct)) Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal(2, (await node.Client.GetJsonAsync("/api/v1/series/reserve-1/cpu.usage?start=0"))["points"]!.AsArray().Count);
    }
}

using System.Text.Json;
using Perf.Cli.Load;
using Perf.Cli.Tests.Support;

namespace Perf.Cli.Tests;

public sealed class IngestPayloadBuilderTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 27, 10, 0, 0, 123, TimeSpan.Zero);

    [Fact]
    public void Builds_the_documented_json_array_with_one_object_per_host()
    {
        var catalog = new SeriesCatalog(hostCount: 2, metricCount: 3);
        var cycle = new SeriesCycle(new SeriesSlice(0, catalog.SeriesCount), new RoundTimestamps(new ManualTimeProvider(Start)));
        var points = new List<SeriesPoint>();
        cycle.Fill(points, catalog.SeriesCount);

        var body = new IngestPayloadBuilder(catalog).Build(points);

        using var document = JsonDocument.Parse(body);
        var objects = document.RootElement.EnumerateArray().ToList();
        Assert.Equal(2, objects.Count);
        for (var host = 0; host < 2; host++)
        {
            var item = objects[host];
            Assert.Equal($"bench-000{host}", item.GetProperty("host").GetString());
            Assert.Equal("2026-11-27T10:00:00.123Z", item.GetProperty("timestamp").GetString());
            var group = item.GetProperty("metrics").GetProperty("bench");
            Assert.Equal(["m0", "m1", "m2"], group.EnumerateObject().Select(field => field.Name));
            for (var metric = 0; metric < 3; metric++)
            {
                var seriesIndex = host * 3 + metric;
                Assert.Equal(SeriesCycle.SyntheticValue(seriesIndex, 0), group.GetProperty($"m{metric}").GetDouble());
            }
        }
    }

    [Fact]
    public void A_batch_spanning_two_rounds_of_one_host_starts_a_new_object_per_timestamp()
    {
        var catalog = new SeriesCatalog(hostCount: 1, metricCount: 2);
        var cycle = new SeriesCycle(new SeriesSlice(0, 2), new RoundTimestamps(new ManualTimeProvider(Start)));
        var points = new List<SeriesPoint>();
        cycle.Fill(points, 4);

        using var document = JsonDocument.Parse(new IngestPayloadBuilder(catalog).Build(points));

        var objects = document.RootElement.EnumerateArray().ToList();
        Assert.Equal(2, objects.Count);
        Assert.Equal("2026-11-27T10:00:00.123Z", objects[0].GetProperty("timestamp").GetString());
        Assert.Equal("2026-11-27T10:00:00.124Z", objects[1].GetProperty("timestamp").GetString());
        Assert.All(objects, item => Assert.Equal(2, item.GetProperty("metrics").GetProperty("bench").EnumerateObject().Count()));
    }

    [Fact]
    public void A_batch_may_start_and_end_in_the_middle_of_a_host()
    {
        var catalog = new SeriesCatalog(hostCount: 3, metricCount: 4);
        var points = new List<SeriesPoint>
        {
            new(2, 0, Start.ToUnixTimeMilliseconds(), 1.5),
            new(3, 0, Start.ToUnixTimeMilliseconds(), 2.5),
            new(4, 0, Start.ToUnixTimeMilliseconds(), 3.5),
        };

        using var document = JsonDocument.Parse(new IngestPayloadBuilder(catalog).Build(points));

        var objects = document.RootElement.EnumerateArray().ToList();
        Assert.Equal(["bench-0000", "bench-0001"], objects.Select(item => item.GetProperty("host").GetString()));
        var firstHost = objects[0].GetProperty("metrics").GetProperty("bench");
        Assert.Equal(1.5, firstHost.GetProperty("m2").GetDouble());
        Assert.Equal(2.5, firstHost.GetProperty("m3").GetDouble());
        Assert.Equal(3.5, objects[1].GetProperty("metrics").GetProperty("bench").GetProperty("m0").GetDouble());
    }

    [Fact]
    public void Timestamps_are_iso_8601_utc_with_milliseconds()
    {
        Assert.Equal("2026-11-27T10:00:00.000Z",
            IngestPayloadBuilder.FormatTimestamp(new DateTimeOffset(2026, 11, 27, 10, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds()));
    }
}

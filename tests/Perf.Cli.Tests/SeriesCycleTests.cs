using Perf.Cli.Load;
using Perf.Cli.Tests.Support;

namespace Perf.Cli.Tests;

public sealed class SeriesCycleTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 27, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Every_round_covers_all_hosts_times_metrics_exactly_once()
    {
        var catalog = new SeriesCatalog(hostCount: 3, metricCount: 4);
        var cycle = new SeriesCycle(new SeriesSlice(0, catalog.SeriesCount), new RoundTimestamps(TimeProvider.System));
        var points = new List<SeriesPoint>();

        // Odd batch sizes, so rounds straddle batches the way they do in a real run.
        foreach (var batchSize in new[] { 5, 7, 1, 11, 12 })
        {
            cycle.Fill(points, batchSize);
        }

        Assert.Equal(36, points.Count);
        var rounds = points.GroupBy(point => point.Round).OrderBy(round => round.Key).ToList();
        Assert.Equal([0L, 1L, 2L], rounds.Select(round => round.Key));
        foreach (var round in rounds)
        {
            var seriesInRound = round.Select(point => (catalog.HostOf(point.SeriesIndex), catalog.MetricOf(point.SeriesIndex)));
            var everySeries = from host in Enumerable.Range(0, 3) from metric in Enumerable.Range(0, 4) select (host, metric);
            Assert.Equal(everySeries.OrderBy(series => series), seriesInRound.OrderBy(series => series));
            Assert.Single(round.Select(point => point.TimestampMs).Distinct());
        }
    }

    [Fact]
    public void Each_series_gets_strictly_increasing_timestamps_even_when_the_clock_stands_still()
    {
        var clock = new ManualTimeProvider(Start);
        var cycle = new SeriesCycle(new SeriesSlice(0, 2), new RoundTimestamps(clock));
        var points = new List<SeriesPoint>();

        cycle.Fill(points, 10);

        foreach (var series in points.GroupBy(point => point.SeriesIndex))
        {
            var timestamps = series.Select(point => point.TimestampMs).ToList();
            Assert.All(timestamps.Zip(timestamps.Skip(1)), pair => Assert.True(pair.Item2 > pair.Item1));
        }

        Assert.Equal(Start.ToUnixTimeMilliseconds(), points[0].TimestampMs);
    }

    [Fact]
    public void Round_timestamps_follow_the_clock_when_it_moves_ahead()
    {
        var clock = new ManualTimeProvider(Start);
        var timestamps = new RoundTimestamps(clock);

        var first = timestamps.Next();
        var second = timestamps.Next();
        clock.Advance(TimeSpan.FromSeconds(5));
        var third = timestamps.Next();

        Assert.Equal(first + 1, second);
        Assert.Equal(Start.AddSeconds(5).ToUnixTimeMilliseconds(), third);
    }

    [Theory]
    [InlineData(3, 4, 5)]
    [InlineData(10, 10, 16)]
    [InlineData(1, 3, 16)]
    [InlineData(1, 1, 1)]
    public void Partition_gives_disjoint_slices_that_cover_every_series(int hosts, int metrics, int parts)
    {
        var catalog = new SeriesCatalog(hosts, metrics);
        var slices = catalog.Partition(parts);

        Assert.Equal(Math.Min(parts, hosts * metrics), slices.Count);
        Assert.All(slices, slice => Assert.True(slice.Count > 0));
        var covered = slices.SelectMany(slice => Enumerable.Range(slice.Start, slice.Count)).ToList();
        Assert.Equal(Enumerable.Range(0, hosts * metrics), covered);
    }

    [Fact]
    public void Names_follow_the_benchmark_convention()
    {
        var catalog = new SeriesCatalog(hostCount: 12, metricCount: 3);

        Assert.Equal("bench-0000", catalog.HostName(0));
        Assert.Equal("bench-0011", catalog.HostName(11));
        Assert.Equal("m2", catalog.MetricField(2));
        Assert.Equal("bench.m2", catalog.MetricName(2));
        Assert.Equal((3, 1), (catalog.HostOf(10), catalog.MetricOf(10)));
    }
}

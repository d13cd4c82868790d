using System.Diagnostics.Metrics;
using Perf.Actors.Telemetry;

namespace Perf.Actors.Tests.Telemetry;

public sealed class MetricsReaderTests
{
    [Fact]
    public void Each_read_gives_what_changed_since_the_previous_one()
    {
        var name = "perf.tests.reader." + Guid.NewGuid().ToString("N");
        using var meter = new Meter(name);
        var counter = meter.CreateCounter<long>("c");
        var histogram = meter.CreateHistogram<double>("h", "ms");
        var gauge = 7.0;
        meter.CreateObservableGauge("g", () => gauge);
        using var reader = new MetricsReader(name);

        counter.Add(3, new KeyValuePair<string, object?>("k", "a"));
        counter.Add(4, new KeyValuePair<string, object?>("k", "a"));
        foreach (var ms in Enumerable.Range(1, 100)) histogram.Record(ms);
        var first = reader.Read();

        Assert.Equal(7, first.Single(r => r.Instrument == "c").Value);
        Assert.Equal([new KeyValuePair<string, string>("k", "a")], first.Single(r => r.Instrument == "c").Tags);
        var h = first.Single(r => r.Instrument == "h");
        Assert.Equal((100L, 50.5), (h.Count, h.Value));
        Assert.InRange(h.P99, 98, 100.1);
        Assert.Equal(7, first.Single(r => r.Instrument == "g").Value);

        counter.Add(1, new KeyValuePair<string, object?>("k", "a"));
        gauge = 9;
        var second = reader.Read();

        Assert.Equal(1, second.Single(r => r.Instrument == "c").Value);
        Assert.Equal(0, second.Single(r => r.Instrument == "h").Count);
        Assert.True(double.IsNaN(second.Single(r => r.Instrument == "h").P99));
        Assert.Equal(9, second.Single(r => r.Instrument == "g").Value);
    }
}

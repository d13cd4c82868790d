using Perf.Actors.Hosts;
using Perf.Actors.Series;
using Perf.Actors.Tests.Series;
using Perf.Storage.Hosts;

namespace Perf.Actors.Tests.Hosts;

public sealed class HostStateTests
{
    private static readonly SealPolicy Policy = new(0, 5, 1_000_000);

    private static HostState State() => new("web-1", TestDetection.Default, Policy);

    [Fact]
    public void Registration_is_refused_as_a_whole_past_the_limit_and_known_series_are_free()
    {
        var state = State();
        state.AddSeries(["a", "b"]);

        var (accepted, fresh) = state.DecideRegistration(["a", "c", "d"], maxSeries: 3);
        Assert.False(accepted);
        Assert.Equal(["c", "d"], fresh);
        Assert.True(state.DecideRegistration(["a", "b", "c"], maxSeries: 3).Accepted);
        Assert.True(state.DecideRegistration(["a", "b"], maxSeries: 1).Accepted); // nothing new
        state.AddSeries(["c", "a"]);
        Assert.Equal(["a", "b", "c"], state.Series.Select(s => s.Metric));
        Assert.True(state.TryGetIndex("c", out var index) && index == 2);
    }

    [Fact]
    public void Replaying_the_records_a_host_wrote_rebuilds_the_same_series_detectors_and_findings()
    {
        // The live host: series added, points accepted and observed, findings kept, a seal; each step written to a record.
        var live = State();
        var records = new List<byte[]>();
        using var record = new HostRecordWriter();
        record.SeriesAdded(["cpu.usage", "memory.usage"]);
        live.AddSeries(["cpu.usage", "memory.usage"]);
        records.Add(record.ToArray());
        var random = new Random(5);
        for (var write = 0; write < 60; write++)
        {
            record.Reset();
            for (var i = 0; i < 5; i++)
            {
                var t = (write * 5 + i) * 1000L;
                for (var s = 0; s < 2; s++)
                {
                    var value = write == 40 && i == 2 && s == 0 ? 500 : 50 + random.NextDouble();
                    var series = live[s];
                    if (!series.Accept(t, value)) continue;
                    record.Point(s, t, value);
                    List<Anomaly>? found = null;
                    series.Observe(t, value, ref found);
                    foreach (var finding in found ?? [])
                    {
                        record.Finding(s, finding.ToStored());
                        series.Detection.Keep(finding);
                    }
                }
            }
            for (var s = 0; s < 2; s++)
            {
                var (count, lastMs) = live[s].PlanSeal();
                if (count == 0) continue;
                var seal = new ChunkSeal(live[s].NextChunkSequence, live[s].Head.FirstTimestampMs, lastMs, count, 10);
                record.ChunkSealed(s, seal);
                live[s].ApplySeal(seal);
            }
            records.Add(record.ToArray());
        }

        var replayed = State();
        foreach (var r in records) replayed.Replay(r);

        Assert.NotEmpty(live[0].Detection.Anomalies(0, long.MaxValue));
        Assert.Equivalent(live.ToSnapshot(), replayed.ToSnapshot(), strict: true);
    }

    [Fact]
    public void A_record_naming_a_series_the_host_does_not_have_is_damage()
    {
        using var record = new HostRecordWriter();
        record.Point(3, 1000, 1);

        Assert.Throws<InvalidDataException>(() => State().Replay(record.ToArray()));
    }
}

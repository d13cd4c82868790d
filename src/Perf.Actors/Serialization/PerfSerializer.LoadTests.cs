using Perf.Actors.LoadTesting;
using Perf.Analytics.LoadTesting;
using static Perf.Actors.LoadTesting.LoadTestsCommands;
using static Perf.Actors.LoadTesting.LoadTestsEvents;
using static Perf.Actors.LoadTesting.LoadTestsQueries;

namespace Perf.Actors.Serialization;

/// <summary>The load tests' messages (manifests T*), in their own file so the registrations of other features merge cleanly.</summary>
public sealed partial class PerfSerializer
{
    private void RegisterLoadTests()
    {
        Register<StartLoadTest>("TC", (w, m) => { w.Write(m.Id); WriteLoadTestSpec(w, m.Spec); w.Write(m.AtMs); },
            r => new StartLoadTest(r.ReadString(), ReadLoadTestSpec(r), r.ReadInt64()));
        Register<CancelLoadTest>("TX", (w, m) => { w.Write(m.Id); w.Write(m.AtMs); }, r => new CancelLoadTest(r.ReadString(), r.ReadInt64()));
        Register<LoadTestRefused>("TR", (w, m) => { w.Write(m.Reason); w.Write(m.Status); }, r => new LoadTestRefused(r.ReadString(), r.ReadInt32()));
        Register<GetLoadTest>("TG", (w, m) => w.Write(m.Id), r => new GetLoadTest(r.ReadString()));
        Register<ListLoadTests>("TL", (w, m) => w.Write(m.Limit), r => new ListLoadTests(r.ReadInt32()));
        Register<GetLoadTestProfile>("TP", (w, m) => w.Write(m.Id), r => new GetLoadTestProfile(r.ReadString()));
        Register<LoadTestView>("TV", (w, m) => { WriteLoadTestJob(w, m.Job); w.Write(m.NowMs); }, r => new LoadTestView(ReadLoadTestJob(r), r.ReadInt64()));
        Register<LoadTestList>("TLR", (w, m) => { w.WriteArray(m.Jobs, WriteLoadTestJob); w.Write(m.NowMs); },
            r => new LoadTestList(r.ReadArray(ReadLoadTestJob), r.ReadInt64()));
        Register<LoadTestNotFound>("TNF", (w, m) => w.Write(m.Id), r => new LoadTestNotFound(r.ReadString()));
        Register<LoadTestProfile>("TPR", (w, m) => w.Write(m.Json), r => new LoadTestProfile(r.ReadString()));
        Register<LoadTestStarted>("TE1", (w, m) => { w.Write(m.Id); WriteLoadTestSpec(w, m.Spec); w.Write(m.AtMs); },
            r => new LoadTestStarted(r.ReadString(), ReadLoadTestSpec(r), r.ReadInt64()));
        Register<LoadTestCheckpointed>("TE2", (w, m) => { w.Write(m.Id); WriteLoadTestSummary(w, m.Summary); },
            r => new LoadTestCheckpointed(r.ReadString(), ReadLoadTestSummary(r)));
        Register<LoadTestCancelRequested>("TE3", (w, m) => { w.Write(m.Id); w.Write(m.AtMs); }, r => new LoadTestCancelRequested(r.ReadString(), r.ReadInt64()));
        Register<LoadTestEnded>("TE4", (w, m) =>
        {
            w.Write(m.Id); w.Write(m.AtMs); w.Write((byte)m.Status); WriteLoadTestSummary(w, m.Summary); w.Write(m.Error is not null); w.Write(m.Error ?? "");
        }, r =>
        {
            var (id, at, status, summary, hasError, error) = (r.ReadString(), r.ReadInt64(), (LoadTestStatus)r.ReadByte(), ReadLoadTestSummary(r), r.ReadBoolean(), r.ReadString());
            return new LoadTestEnded(id, at, status, summary, hasError ? error : null);
        });
        Register<LoadTestInterrupted>("TE5", (w, m) => { w.Write(m.Id); w.Write(m.AtMs); }, r => new LoadTestInterrupted(r.ReadString(), r.ReadInt64()));
    }

    private static void WriteLoadTestSpec(BinaryWriter w, LoadTestSpec s)
    {
        w.Write(s.TargetUrl); w.Write(s.Method); w.WriteStrings(s.HeaderNames); w.WriteStrings(s.HeaderValues); w.Write(s.Body); w.Write(s.Rate);
        w.Write(s.Concurrency); w.Write(s.DurationMs); w.Write(s.RampUpMs); w.Write(s.TargetHost); w.Write(s.RequestedBy);
    }

    private static LoadTestSpec ReadLoadTestSpec(BinaryReader r) => new(r.ReadString(), r.ReadString(), r.ReadStrings(), r.ReadStrings(), r.ReadString(),
        r.ReadInt32(), r.ReadInt32(), r.ReadInt64(), r.ReadInt64(), r.ReadString(), r.ReadString());

    private static void WriteLoadTestSummary(BinaryWriter w, LoadTestSummary s)
    {
        w.Write(s.Requests); w.Write(s.Responses); w.Write(s.Errors); w.WriteStrings(s.Codes); w.WriteLongs(s.CodeCounts);
        w.WriteArray(s.LatencyBuckets, static (w, b) => w.Write7BitEncodedInt(b)); w.WriteLongs(s.LatencyCounts); w.Write(s.LatencyMinUs); w.Write(s.LatencyMaxUs);
        w.Write(s.PeakThroughput); w.Write(s.FirstSecondMs); w.Write(s.LastSecondMs);
        w.Write(s.Knee is not null);
        if (s.Knee is { } k) { w.Write(k.Rate); w.Write(k.AtMs); w.Write(k.Reason); w.Write(k.BaselineP95Ms); w.Write(k.Throughput); }
    }

    private static LoadTestSummary ReadLoadTestSummary(BinaryReader r) => new(r.ReadInt64(), r.ReadInt64(), r.ReadInt64(), r.ReadStrings(), r.ReadLongs(),
        r.ReadArray(static r => r.Read7BitEncodedInt()), r.ReadLongs(), r.ReadInt64(), r.ReadInt64(), r.ReadDouble(), r.ReadInt64(), r.ReadInt64(),
        r.ReadBoolean() ? new KneeResult(r.ReadDouble(), r.ReadInt64(), r.ReadString(), r.ReadDouble(), r.ReadDouble()) : null);

    private static void WriteLoadTestLive(BinaryWriter w, LoadTestLive l)
    {
        w.Write(l.SecondMs); w.Write(l.Level); w.Write(l.Requests); w.Write(l.Responses); w.Write(l.Errors);
        w.Write(l.P50Ms); w.Write(l.P95Ms); w.Write(l.P99Ms); w.Write(l.MaxMs);
    }

    private static LoadTestLive ReadLoadTestLive(BinaryReader r) => new(r.ReadInt64(), r.ReadDouble(), r.ReadInt64(), r.ReadInt64(), r.ReadInt64(),
        r.ReadDouble(), r.ReadDouble(), r.ReadDouble(), r.ReadDouble());

    private static void WriteLoadTestJob(BinaryWriter w, LoadTestJob j)
    {
        w.Write(j.Id); WriteLoadTestSpec(w, j.Spec); w.Write((byte)j.Status); w.Write(j.StartedMs); w.Write(j.CancelRequestedMs); w.Write(j.FinishedMs);
        WriteLoadTestSummary(w, j.Summary); w.Write(j.Error is not null); w.Write(j.Error ?? ""); w.Write(j.Live is not null);
        if (j.Live is { } live) WriteLoadTestLive(w, live);
    }

    private static LoadTestJob ReadLoadTestJob(BinaryReader r)
    {
        var (id, spec, status, started, cancel, finished) = (r.ReadString(), ReadLoadTestSpec(r), (LoadTestStatus)r.ReadByte(), r.ReadInt64(), r.ReadInt64(), r.ReadInt64());
        var (summary, hasError, error) = (ReadLoadTestSummary(r), r.ReadBoolean(), r.ReadString());
        return new LoadTestJob(id, spec, status, started, cancel, finished, summary, hasError ? error : null, r.ReadBoolean() ? ReadLoadTestLive(r) : null);
    }
}

using System.Diagnostics;
using Akka.Actor;
using Perf.Actors.Series;
using Perf.Storage.Hosts;
using static Perf.Actors.Hosts.HostCommands;

namespace Perf.Actors.Hosts;

/// <summary>
/// One write of a <see cref="HostActor"/> on its way to storage: whom to answer and with what, and what to hand on once
/// it is committed (points to the alert children, newest samples to the optimizer and the host model). It listens for
/// the end of its write on the database writer's thread and comes back to its host as a message.
/// </summary>
internal sealed class PendingWrite(IActorRef? replyTo, long correlation) : IHostWriteListener
{
    private IActorRef _host = ActorRefs.Nobody;
    private List<int>? _rejectedSeries;
    private List<int>? _rejectedCounts;
    private long _started;

    public long SequenceNr { get; private set; }

    /// <summary>Size of the record, for the snapshot policy.</summary>
    public int Bytes { get; private set; }

    public int Accepted { get; set; }

    private bool _isDone;

    public bool IsDone => Volatile.Read(ref _isDone);

    public Exception? Error { get; private set; }

    /// <summary>Accepted points (and findings) of the series that have an alerts child, by series index.</summary>
    public Dictionary<int, AlertPoints>? AlertPoints { get; private set; }

    /// <summary>Series the optimizer or the host model watch that this write touched.</summary>
    public List<int>? LatestSeries { get; private set; }

    /// <summary>Runs once the write is committed (after the append's answer, if it has one).</summary>
    public Action? OnStored { get; init; }

    /// <summary>Runs, with the reason, when the write failed (after the append's answer, if it has one).</summary>
    public Action<string>? OnFailed { get; init; }

    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(_started);

    public void Reject(int series)
    {
        _rejectedSeries ??= [];
        _rejectedCounts ??= [];
        var at = _rejectedSeries.IndexOf(series);
        if (at < 0)
        {
            _rejectedSeries.Add(series);
            _rejectedCounts.Add(1);
        }
        else _rejectedCounts[at]++;
    }

    public void Alert(int series, long timestampMs, double value, List<Anomaly>? findings)
    {
        AlertPoints ??= [];
        if (!AlertPoints.TryGetValue(series, out var points)) AlertPoints[series] = points = new AlertPoints(timestampMs);
        points.Add(timestampMs, value, findings);
    }

    public void Latest(int series)
    {
        LatestSeries ??= [];
        if (!LatestSeries.Contains(series)) LatestSeries.Add(series);
    }

    public void Start(long sequenceNr, int bytes, IActorRef host)
    {
        SequenceNr = sequenceNr;
        Bytes = bytes;
        _host = host;
        _started = Stopwatch.GetTimestamp();
    }

    /// <summary>On the database writer's thread: the host is told (this write is the message), and does the rest.</summary>
    public void Written(HostWrite write, Exception? error)
    {
        Error = error;
        Volatile.Write(ref _isDone, true);
        _host.Tell(this, ActorRefs.NoSender);
    }

    public void Reply(string host)
    {
        var rejected = _rejectedCounts?.Sum() ?? 0;
        replyTo?.Tell(new AppendResult(Accepted, rejected, correlation, _rejectedSeries?.ToArray(), _rejectedCounts?.ToArray()));
    }

    public void Fail(string reason)
    {
        replyTo?.Tell(new AppendFailed(reason, correlation));
        OnFailed?.Invoke(reason);
    }
}

using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Perf.Actors.Configuration;
using Perf.Actors.Optimization;
using static Perf.Actors.Hosts.HostCommands;
using static Perf.Actors.Hosts.HostEvents;
using static Perf.Actors.Hosts.HostQueries;

namespace Perf.Actors.Hosts;

/// <summary>
/// One monitored host (sharding entity <c>{host}</c>): its series list, guarded by the series limit, and the latest value
/// of each. New series are persisted before any of their points are written; latest values go into periodic snapshots.
/// </summary>
public sealed class HostActor : ReceivePersistentActor, IWithTimers
{
    // Latest values only matter after a crash, and every host snapshot costs a write of the whole host: once a minute.
    private static readonly TimeSpan SnapshotInterval = TimeSpan.FromMinutes(1);
    private readonly string _host;
    private readonly int _maxSeries;
    private readonly IActorRef _directory;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private IActorRef? _optimizer;
    private readonly (OptimizationPolicy Defaults, OptimizerSettings Settings)? _optimization;
    private IActorRef? _anomalies; // started when the host first sends a series its model watches
    private readonly IActorRef? _seriesRegion;
    private HostState _state = new();
    private bool _dirty;

    /// <param name="optimization">the configured optimization policy and the optimizer's settings; null runs no
    /// <see cref="OptimizerActor"/> (tests of the host alone).</param>
    /// <param name="seriesRegion">where the host model's findings go (on the series furthest from usual); null: nowhere.</param>
    public HostActor(string host, int maxSeries, IActorRef directory, (OptimizationPolicy Defaults, OptimizerSettings Settings)? optimization = null,
        IActorRef? seriesRegion = null)
    {
        _seriesRegion = seriesRegion;
        _host = host;
        _maxSeries = maxSeries;
        _directory = directory;
        PersistenceId = "host-" + host;
        _optimization = optimization;
        StartOptimizer();

        Recover<SnapshotOffer>(offer =>
        {
            if (offer.Snapshot is HostSnapshot snapshot) _state = HostState.FromSnapshot(snapshot);
        });
        Recover<SeriesAdded>(e => _state.Apply(e));
        Recover<RecoveryCompleted>(_ =>
        {
            // Covers a crash between persisting the first series and telling the directory.
            if (!_state.IsEmpty) _directory.Tell(new HostDirectoryCommands.AddHost(_host));
        });

        Command<RegisterSeries>(Register);
        Command<CheckSeries>(check =>
        {
            var (accepted, added) = _state.Decide(check.Metrics, _maxSeries);
            Sender.Tell(new SeriesRegistration(accepted, _state.SeriesCount, _maxSeries, check.Metrics.Length, added?.Metrics.Length ?? 0));
        });
        Command<RecordLatest>(latest =>
        {
            Optimize(latest);
            ModelHost(latest);
            if (_state.RecordLatest(latest.Metrics, latest.Timestamps, latest.Values) && !_dirty)
            {
                _dirty = true;
                Timers.StartSingleTimer("snapshot", TakeSnapshot.Instance, SnapshotInterval);
            }
        });
        // The optimizer answers the sender directly.
        Command<OptimizerCommands.SetPolicy>(m => _optimizer?.Forward(m));
        Command<OptimizerQueries.GetRecommendations>(m => _optimizer?.Forward(m));
        Command<HostAnomalyProtocol.GetHostAnomalies>(query =>
        {
            if (_anomalies is null) Sender.Tell(new HostAnomalyProtocol.HostAnomalyList([], [], 0));
            else _anomalies.Forward(query);
        });
        // A persistent child stops when its journal fails: start it again (it recovers what it had stored).
        Command<Terminated>(dead =>
        {
            if (dead.ActorRef.Equals(_optimizer)) StartOptimizer();
            else if (dead.ActorRef.Equals(_anomalies)) _anomalies = null;
        });
        Command<GetHost>(_ => Sender.Tell(_state.IsEmpty ? new HostNotFound(_host) : _state.View(_host)));
        Command<TakeSnapshot>(_ =>
        {
            _dirty = false;
            SaveSnapshot(_state.ToSnapshot());
        });
        Command<SaveSnapshotSuccess>(saved =>
        {
            DeleteMessages(saved.Metadata.SequenceNr);
            DeleteSnapshots(new SnapshotSelectionCriteria(saved.Metadata.SequenceNr - 1));
        });
        Command<SaveSnapshotFailure>(failed => _log.Warning(failed.Cause, "Snapshot of host {0} failed", _host));
        Command<DeleteMessagesSuccess>(_ => { });
        Command<DeleteMessagesFailure>(_ => { });
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(_ => { });
    }

    public override string PersistenceId { get; }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(string host, int maxSeries, IActorRef directory, (OptimizationPolicy Defaults, OptimizerSettings Settings)? optimization = null,
        IActorRef? seriesRegion = null) =>
        Akka.Actor.Props.Create(() => new HostActor(host, maxSeries, directory, optimization, seriesRegion));

    /// <summary>The optimizer sees the samples it watches as the host sees them: the newest of each series per request,
    /// with its own timestamp.</summary>
    private void Optimize(RecordLatest latest)
    {
        if (_optimizer is null) return;
        List<int>? watched = null;
        for (var i = 0; i < latest.Metrics.Length; i++)
            if (OptimizerState.Watches(latest.Metrics[i])) (watched ??= []).Add(i);
        if (watched is null) return;
        _optimizer.Tell(new OptimizerCommands.ObserveSamples(
            [.. watched.Select(i => latest.Metrics[i])], [.. watched.Select(i => latest.Timestamps[i])], [.. watched.Select(i => latest.Values[i])]));
    }

    private void StartOptimizer()
    {
        if (_optimization is not { } o) return;
        // A fresh name each time: the stopped child's name is free only once its Terminated has arrived, which it has.
        _optimizer = Context.ActorOf(OptimizerActor.Props(_host, o.Defaults, o.Settings), "optimizer-" + Guid.NewGuid().ToString("N")[..8]);
        Context.Watch(_optimizer);
    }

    /// <summary>The host model sees the same newest samples per request as the optimizer.</summary>
    private void ModelHost(RecordLatest latest)
    {
        if (_anomalies is null)
        {
            if (!latest.Metrics.Any(HostVectors.Watched.Contains)) return;
            _anomalies = Context.ActorOf(HostAnomalyActor.Props(_host, _seriesRegion), "anomalies");
            Context.Watch(_anomalies);
        }
        _anomalies.Tell(new HostAnomalyProtocol.ObserveHostSamples(latest.Metrics, latest.Timestamps, latest.Values));
    }

    private void Register(RegisterSeries register)
    {
        var (accepted, added) = _state.Decide(register.Metrics, _maxSeries);
        var replyTo = Sender;
        if (!accepted)
        {
            replyTo.Tell(new SeriesRegistration(false, _state.SeriesCount, _maxSeries, register.Metrics.Length));
            return;
        }
        if (added is null)
        {
            replyTo.Tell(new SeriesRegistration(true, _state.SeriesCount, _maxSeries, register.Metrics.Length));
            return;
        }
        var firstSeries = _state.IsEmpty;
        Persist(added, e =>
        {
            _state.Apply(e);
            // The directory lists hosts for GET /api/v1/hosts; it is idempotent, so telling it again after a crash is harmless.
            if (firstSeries) _directory.Tell(new HostDirectoryCommands.AddHost(_host));
            replyTo.Tell(new SeriesRegistration(true, _state.SeriesCount, _maxSeries, register.Metrics.Length));
            if (LastSequenceNr % 100 == 0) SaveSnapshot(_state.ToSnapshot());
        });
    }

    private sealed class TakeSnapshot
    {
        public static readonly TakeSnapshot Instance = new();
    }
}

using Perf.Storage.Reports;
using Akka.Actor;
using Akka.Persistence;
using Perf.Actors.Telemetry;
using Perf.Actors.Configuration;
using static Perf.Actors.Reports.ReportJobsCommands;
using static Perf.Actors.Reports.ReportJobsEvents;
using static Perf.Actors.Reports.ReportJobsQueries;
using static Perf.Actors.Reports.ReportWorkerMessages;

namespace Perf.Actors.Reports;

/// <summary>
/// Report jobs of the cluster (singleton <c>reports</c>, persistence id <c>reports</c>): records each job's life as
/// events and runs them one at a time, each in a <see cref="ReportWorker"/> child. A job that was queued or running
/// when the node stopped is recorded as interrupted on recovery, so a client polling it learns so rather than waiting.
/// </summary>
public sealed class ReportJobs : ReceivePersistentActor
{
    /// <summary>Reports running at once: rendering is CPU-bound and shares the node with ingestion.</summary>
    public const int MaxRunning = 1;

    private readonly ReportJobsState _state = new();
    private readonly Queue<string> _queued = new();
    private int _running;

    public ReportJobs(IActorRef seriesRegion, PerfSettings settings, TimeProvider clock, ReportStore store, ReportContextSources? context = null)
    {
        _context = context;
        _store = store;
        Recover<ReportQueued>(e => _state.Apply(e));
        Recover<ReportStarted>(e => _state.Apply(e));
        Recover<ReportDone>(e => _state.Apply(e));
        Recover<ReportFailed>(e => _state.Apply(e));
        Recover<ReportInterrupted>(e => _state.Apply(e));
        Recover<RecoveryCompleted>(_ =>
        {
            var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
            var interrupted = _state.Unfinished().Select(j => new ReportInterrupted(j.Id, now)).ToArray();
            if (interrupted.Length > 0) PersistAll(interrupted, e => _state.Apply(e));
        });

        Command<CreateReport>(create => Persist(new ReportQueued(create.Id, create.Spec, create.AtMs), queued =>
        {
            _state.Apply(queued);
            Sender.Tell(new ReportView(_state.Get(queued.Id)!));
            _queued.Enqueue(queued.Id);
            StartNext(seriesRegion, settings, clock);
        }));
        Command<GetReport>(get => Sender.Tell(_state.Get(get.Id) is { } job ? new ReportView(job) : new ReportNotFound(get.Id)));
        Command<ListReports>(list =>
        {
            var patterns = list.HostPatterns.Select(p => new MetricPattern(p)).ToArray();
            var (jobs, total) = _state.List(list.Limit, job => patterns.Length == 0 || job.Spec.Hosts.All(h => patterns.Any(p => p.Matches(h))));
            Sender.Tell(new ReportList(jobs, total));
        });
        Command<Progressed>(p => _state.Progress(p.Id, p.Progress));
        Command<Finished>(f => Persist(new ReportDone(f.Id, clock.GetUtcNow().ToUnixTimeMilliseconds(), f.Bytes), e =>
        {
            Measure(e.Id, e.AtMs, "done");
            Ended(e, seriesRegion, settings, clock);
        }));
        Command<Failed>(f => Persist(new ReportFailed(f.Id, clock.GetUtcNow().ToUnixTimeMilliseconds(), f.Error), e =>
        {
            Measure(e.Id, e.AtMs, "failed");
            PerfMetrics.ReportsFailed.Add(1);
            Ended(e, seriesRegion, settings, clock);
        }));
    }

    private readonly ReportContextSources? _context;
    private readonly ReportStore _store;

    public override string PersistenceId => "reports";

    /// <param name="context">where workers find hosts' alerts and recommendations; null leaves them out.</param>
    public static Props Props(IActorRef seriesRegion, PerfSettings settings, TimeProvider clock, ReportStore store, ReportContextSources? context = null) =>
        Akka.Actor.Props.Create(() => new ReportJobs(seriesRegion, settings, clock, store, context));

    private void Measure(string id, long endedMs, string status)
    {
        if (_state.Get(id) is { StartedMs: > 0 } job)
            PerfMetrics.ReportDuration.Record((endedMs - job.StartedMs) / 1000.0, new KeyValuePair<string, object?>("status", status));
    }

    private void Ended(object @event, IActorRef seriesRegion, PerfSettings settings, TimeProvider clock)
    {
        _state.Apply(@event);
        _running--;
        StartNext(seriesRegion, settings, clock);
    }

    private void StartNext(IActorRef seriesRegion, PerfSettings settings, TimeProvider clock)
    {
        if (_running >= MaxRunning || !_queued.TryDequeue(out var id)) return;
        _running++;
        Persist(new ReportStarted(id, clock.GetUtcNow().ToUnixTimeMilliseconds()), started =>
        {
            _state.Apply(started);
            Context.ActorOf(ReportWorker.Props(_state.Get(id)!, seriesRegion, settings, clock, _store, _context), $"report-{id}");
        });
    }
}

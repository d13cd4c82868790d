using Akka.Actor;
using Akka.Persistence;
using Perf.Actors.Configuration;
using Perf.Actors.Ingestion;
using static Perf.Actors.LoadTesting.LoadTestRunnerMessages;
using static Perf.Actors.LoadTesting.LoadTestsCommands;
using static Perf.Actors.LoadTesting.LoadTestsEvents;
using static Perf.Actors.LoadTesting.LoadTestsQueries;

namespace Perf.Actors.LoadTesting;

/// <summary>
/// Load tests of the cluster (singleton <c>loadtests</c>, persistence id <c>loadtests</c>, on a worker): records each
/// test's life as events (started, a checkpoint of its summary every <see cref="LoadTestRunner.CheckpointEvery"/>
/// seconds, cancel, end) and runs each in a <see cref="LoadTestRunner"/> child. A test that was running when the node
/// stopped is recorded as interrupted on recovery, keeping its last checkpoint: never resumed, never silently lost.
/// </summary>
public sealed class LoadTests : ReceivePersistentActor
{
    private readonly LoadTestsState _state = new();

    public LoadTests(LoadTestSettings settings, Func<IngestBatch, Task<IngestOutcome>> ingest, LoadTestProfiler profiler, TimeProvider clock)
    {
        long Now() => clock.GetUtcNow().ToUnixTimeMilliseconds();
        Recover<LoadTestStarted>(e => _state.Apply(e));
        Recover<LoadTestCheckpointed>(e => _state.Apply(e));
        Recover<LoadTestCancelRequested>(e => _state.Apply(e));
        Recover<LoadTestEnded>(e => _state.Apply(e));
        Recover<LoadTestInterrupted>(e => _state.Apply(e));
        Recover<RecoveryCompleted>(_ =>
        {
            var interrupted = _state.Running().Select(j => new LoadTestInterrupted(j.Id, Now())).ToArray();
            if (interrupted.Length > 0) PersistAll(interrupted, e => _state.Apply(e));
        });

        Command<StartLoadTest>(start =>
        {
            if (_state.Get(start.Id) is not null)
            {
                Sender.Tell(new LoadTestRefused($"a load test '{start.Id}' exists already", 409));
                return;
            }
            if (_state.Running().Count >= settings.MaxRunning)
            {
                Sender.Tell(new LoadTestRefused($"{settings.MaxRunning} load tests are running already (perf.loadtest.max_running); wait for one to end or cancel one", 429));
                return;
            }
            Persist(new LoadTestStarted(start.Id, start.Spec, Now()), started =>
            {
                _state.Apply(started);
                Context.Watch(Context.ActorOf(LoadTestRunner.Props(started.Id, started.Spec, started.AtMs, settings, ingest, clock), $"loadtest-{started.Id}"));
                Sender.Tell(new LoadTestView(_state.Get(started.Id)!, Now()));
            });
        });
        Command<CancelLoadTest>(cancel =>
        {
            if (_state.Get(cancel.Id) is not { } job)
            {
                Sender.Tell(new LoadTestNotFound(cancel.Id));
                return;
            }
            if (job.Status != LoadTestStatus.Running || job.CancelRequestedMs > 0)
            {
                Sender.Tell(new LoadTestView(job, Now()));
                return;
            }
            // The runner is told first, so the load stops while the event is written.
            Context.Child($"loadtest-{cancel.Id}").Tell(new Stop());
            Persist(new LoadTestCancelRequested(cancel.Id, Now()), e =>
            {
                _state.Apply(e);
                Sender.Tell(new LoadTestView(_state.Get(cancel.Id)!, Now()));
            });
        });
        Command<GetLoadTest>(get => Sender.Tell(_state.Get(get.Id) is { } job ? new LoadTestView(job, Now()) : new LoadTestNotFound(get.Id)));
        Command<ListLoadTests>(list => Sender.Tell(new LoadTestList([.. _state.Newest(Math.Clamp(list.Limit, 1, LoadTestsState.Kept))], Now())));
        Command<GetLoadTestProfile>(get =>
        {
            if (_state.Get(get.Id) is not { } job)
            {
                Sender.Tell(new LoadTestNotFound(get.Id));
                return;
            }
            var until = job.Status == LoadTestStatus.Running ? Now() : job.FinishedMs;
            profiler.ProfileAsync(job, until).PipeTo(Sender, success: json => new LoadTestProfile(json));
        });
        Command<Measured>(m =>
        {
            _state.Measured(m.Id, m.Summary, m.Live);
            if (m.Checkpoint) Persist(new LoadTestCheckpointed(m.Id, m.Summary), _ => { });
        });
        Command<Stopped>(stopped =>
        {
            var job = _state.Get(stopped.Id);
            if (job is null || job.Status != LoadTestStatus.Running) return;
            var status = stopped.Error is not null && stopped.Summary.Responses == 0 ? LoadTestStatus.Failed
                : job.CancelRequestedMs > 0 ? LoadTestStatus.Cancelled
                : LoadTestStatus.Completed;
            Persist(new LoadTestEnded(stopped.Id, stopped.AtMs, status, stopped.Summary, stopped.Error), e => _state.Apply(e));
        });
        // A runner that stopped without saying so failed; its test must not stay "running" until the next restart.
        Command<Terminated>(terminated =>
        {
            var id = terminated.ActorRef.Path.Name["loadtest-".Length..];
            if (_state.Get(id) is not { Status: LoadTestStatus.Running } job) return;
            Persist(new LoadTestEnded(id, Now(), LoadTestStatus.Failed, job.Summary, "the test's runner failed; see the worker's log"), e => _state.Apply(e));
        });
    }

    public override string PersistenceId => "loadtests";

    /// <summary>A runner that throws is stopped, never restarted: a restart would start the load again from the beginning.</summary>
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(_ => Directive.Stop);

    public static Props Props(LoadTestSettings settings, Func<IngestBatch, Task<IngestOutcome>> ingest, LoadTestProfiler profiler, TimeProvider clock) =>
        Akka.Actor.Props.Create(() => new LoadTests(settings, ingest, profiler, clock));
}

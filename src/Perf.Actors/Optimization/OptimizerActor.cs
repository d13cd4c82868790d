using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Perf.Actors.Telemetry;
using Perf.Actors.Configuration;
using Perf.Actors.Hosts;
using static Perf.Actors.Optimization.OptimizerCommands;
using static Perf.Actors.Optimization.OptimizerEvents;
using static Perf.Actors.Optimization.OptimizerQueries;

namespace Perf.Actors.Optimization;

/// <summary>
/// The optimizer of one host (child <c>optimizer</c> of its <see cref="HostActor"/>, persistence id <c>optimizer-{host}</c>,
/// default journal): a thin shell over <see cref="OptimizerState"/>. Each recommendation and each policy change is a
/// persisted event; the journal is their history, and a snapshot every <see cref="SnapshotEvery"/> events keeps recovery short.
/// Recommendations only: Perf runs no instances, caches or balancers.
/// </summary>
public sealed class OptimizerActor : ReceivePersistentActor
{
    // Decisions are minutes apart: a snapshot now and then is plenty.
    private const int SnapshotEvery = 20;
    private readonly string _host;
    private readonly OptimizationPolicy _defaults;
    private readonly OptimizerSettings _settings;
    private OptimizerState _state;
    private readonly DecisionImpact _impact = new();

    public OptimizerActor(string host, OptimizationPolicy defaults, OptimizerSettings settings)
    {
        (_host, _defaults, _settings) = (host, defaults, settings);
        _state = new OptimizerState(defaults, settings);
        PersistenceId = "optimizer-" + host;

        Recover<SnapshotOffer>(offer =>
        {
            if (offer.Snapshot is OptimizerSnapshot snapshot) _state = OptimizerState.FromSnapshot(snapshot, _defaults, _settings);
        });
        Recover<RecommendationMade>(e => _state.Apply(e));
        Recover<PolicySet>(e => _state.Apply(e));

        Command<ObserveSamples>(Observe);
        Command<SetPolicy>(Set);
        Command<GetRecommendations>(_ => Sender.Tell(View()));
        Command<SaveSnapshotSuccess>(saved => DeleteSnapshots(new SnapshotSelectionCriteria(saved.Metadata.SequenceNr - 1)));
        Command<SaveSnapshotFailure>(failed => Context.GetLogger().Warning(failed.Cause, "Snapshot of the optimizer of {0} failed", _host));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(_ => { });
    }

    public override string PersistenceId { get; }

    public static Props Props(string host, OptimizationPolicy defaults, OptimizerSettings settings) =>
        Akka.Actor.Props.Create(() => new OptimizerActor(host, defaults, settings));

    private void Observe(ObserveSamples samples)
    {
        List<RecommendationMade>? made = null;
        for (var i = 0; i < samples.Metrics.Length; i++)
        {
            if (_impact.Observe(samples.Metrics[i], samples.Timestamps[i], samples.Values[i]) is { } impacts)
                foreach (var (kind, _, change) in impacts)
                    PerfMetrics.OptimizerImpact.Record(change, new KeyValuePair<string, object?>("kind", kind));
            if (_state.Observe(samples.Metrics[i], samples.Timestamps[i], samples.Values[i]) is not { } recommendation) continue;
            // Applied at once, so the next sample is judged after it (cooldown, instance count); should the write fail,
            // the actor stops and recovers from the journal, which does not have it.
            var e = new RecommendationMade(recommendation);
            _state.Apply(e);
            (made ??= []).Add(e);
        }
        if (made is null) return;
        // PersistAll (not async): samples arriving meanwhile wait until the decisions are in the journal.
        PersistAll(made, e =>
        {
            Context.GetLogger().Info("Optimizer of {0}: {1} {2}: {3}", _host, e.Recommendation.Kind, e.Recommendation.Action, e.Recommendation.Reason);
            PerfMetrics.OptimizerDecisions.Add(1, new KeyValuePair<string, object?>("kind", e.Recommendation.Kind), new KeyValuePair<string, object?>("action", e.Recommendation.Action));
            _impact.Decided(e.Recommendation);
            SnapshotNow();
        });
    }

    private void Set(SetPolicy set)
    {
        var before = _state.Policy;
        var policy = before.With(set.Change);
        if (policy.Problem() is { } problem)
        {
            Sender.Tell(new PolicyRejected(problem.Field, problem.Message));
            return;
        }
        var replyTo = Sender;
        Persist(new PolicySet(policy, set.OptimizationType, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()), e =>
        {
            _state.Apply(e);
            var changes = policy.ChangesFrom(before);
            replyTo.Tell(new PolicyAccepted(policy, changes.Length > 0 ? changes
                : [$"no change: the {set.OptimizationType} policy of host {_host} already had these values"]));
            SnapshotNow();
        });
    }

    private void SnapshotNow()
    {
        if (LastSequenceNr % SnapshotEvery == 0) SaveSnapshot(_state.ToSnapshot());
    }

    private RecommendationsView View() =>
        new(_host, _state.Policy, _state.Override is not null, _state.Instances, [.. _state.Current]);
}

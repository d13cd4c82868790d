using Akka.Actor;
using Perf.Actors.Telemetry;
using Akka.Event;
using Perf.Analytics.Analysis;
using static Perf.Actors.Hosts.HostAnomalyProtocol;

namespace Perf.Actors.Hosts;

/// <summary>
/// Multivariate anomaly detection of one host (child <c>anomalies</c> of its <see cref="HostActor"/>): keeps the host's
/// recent metric vectors (<see cref="HostVectors"/>), trains a <see cref="HostVectorModel"/> on them off the actor's
/// thread once there are <see cref="FirstTraining"/> and again every <see cref="RetrainEvery"/> new ones, and scores
/// each new vector with the model it has. A run of unusual vectors is one finding, at its first vector: after a level
/// shift every vector is unusual until the model has learned the new level, and that is one event, not one a minute.
/// Findings are kept in memory (the newest <see cref="KeptAnomalies"/>); after a restart the model learns again from new
/// data, which takes <see cref="FirstTraining"/> collection intervals.
/// </summary>
public sealed class HostAnomalyActor : ReceiveActor
{
    public const int WindowVectors = 720;
    public const int FirstTraining = 100;
    public const int RetrainEvery = 60;
    public const int KeptAnomalies = 200;

    private readonly HostVectors _vectors = new(WindowVectors);
    private readonly List<HostAnomaly> _anomalies = [];
    private HostVectorModel? _model;
    private bool _training;
    // The last vector scored was unusual: the next unusual one continues the same finding.
    private bool _unusual;

    /// <summary>The kind of the findings it puts on series (<see cref="Series.Anomaly.Kind"/>): anomaly rules can watch it.</summary>
    public const string FindingKind = "host_anomaly";

    private readonly string _host;
    private readonly IActorRef? _seriesRegion;

    public HostAnomalyActor(string host, IActorRef? seriesRegion)
    {
        _host = host;
        _seriesRegion = seriesRegion;
        Receive<ObserveHostSamples>(samples =>
        {
            if (_vectors.Observe(samples.Metrics, samples.Timestamps, samples.Values) is not { } observed) return;
            Score(observed.TimestampMs, observed.Vector);
            var due = _model is null ? _vectors.Count >= FirstTraining : _vectors.AddedSinceTraining >= RetrainEvery;
            if (!due || _training) return;
            _training = true;
            _vectors.Trained();
            var (features, window) = (_vectors.Features, _vectors.Window);
            Task.Run(() => new Trained(HostVectorModel.Train(features, window))).PipeTo(Self, failure: e => new TrainingFailed(e));
        });
        Receive<Trained>(trained =>
        {
            _training = false;
            // A model of an older feature set is no use to the vectors now coming in.
            if (trained.Model is { } model && model.Features.SequenceEqual(_vectors.Features)) _model = model;
        });
        Receive<TrainingFailed>(failed =>
        {
            _training = false;
            Context.GetLogger().Warning(failed.Cause, "Training the host model of {0} failed", host);
            PerfMetrics.HostModelFailures.Add(1);
        });
        Receive<GetHostAnomalies>(query => Sender.Tell(new HostAnomalyList(
            [.. _anomalies.Where(a => a.TimestampMs >= query.FromMs && a.TimestampMs <= query.ToMs)],
            _model is null ? _vectors.Features : [.. _model.Features],
            _model?.TrainedOn ?? 0)));
    }

    public static Props Props(string host, IActorRef? seriesRegion) => Akka.Actor.Props.Create(() => new HostAnomalyActor(host, seriesRegion));

    private void Score(long timestampMs, double[] vector)
    {
        if (_model is null || !_model.Features.SequenceEqual(_vectors.Features)) return;
        var score = _model.Score(vector);
        var continuing = _unusual;
        _unusual = score > _model.Threshold; // NaN is not unusual
        if (!_unusual || continuing) return;
        var mostUnusual = _model.MostUnusual(vector);
        _anomalies.Add(new HostAnomaly(timestampMs, score, _model.Threshold, [.. _model.Features], vector, mostUnusual));
        if (_anomalies.Count > KeptAnomalies) _anomalies.RemoveAt(0);
        // On the series that is furthest from usual: its findings and its anomaly rules (kind host_anomaly) see it.
        var value = vector[Array.IndexOf(_vectors.Features, mostUnusual)];
        _seriesRegion?.Tell(new Series.SeriesCommands.RecordFinding(new Series.SeriesKey(_host, mostUnusual).EntityId,
            new Series.Anomaly(timestampMs, value, "host-model", FindingKind, score, double.NaN, double.NaN)));
    }

    private sealed record Trained(HostVectorModel? Model);
    private sealed record TrainingFailed(Exception Cause);
}

using Perf.Actors.Configuration;
using Perf.Analytics.Detection;
using Perf.Storage.Hosts;

namespace Perf.Actors.Series;

/// <summary>
/// The detectors of one series and the findings it keeps, without Akka or I/O. <see cref="Observe"/> feeds a new point to
/// every detector and adds the alert-worthy outputs to a list, which the host records with the point; only
/// <see cref="Keep"/> adds them to the kept findings. Replaying the host log calls both again (Observe's findings are
/// then dropped: the kept ones come from their own entries), so detectors and findings end exactly where the live host
/// had them.
/// </summary>
public sealed class SeriesDetection
{
    // Output rows are at most this wide (the ensemble has 5 columns).
    private const int MaxColumns = 8;

    private readonly DetectorSet _set;
    private readonly int _maxAnomalies;
    private readonly Running[] _detectors;
    private List<Anomaly>? _anomalies; // oldest first; null while there are none (most series, most of the time)
    private List<(string Detector, Exception Error)>? _failures; // until TakeFailures; null unless a detector threw

    public SeriesDetection(DetectorSet set, int maxAnomalies)
        : this(set, maxAnomalies, null)
    {
    }

    private SeriesDetection(DetectorSet set, int maxAnomalies, DetectionState? snapshot)
    {
        _set = set;
        _maxAnomalies = maxAnomalies;
        _detectors = new Running[set.Detectors.Count];
        for (var i = 0; i < _detectors.Length; i++)
        {
            var spec = set.Detectors[i];
            // A stored state is reused only for the same detector with the same options; a changed configuration
            // starts that detector afresh (and the others continue).
            var stored = snapshot?.Detectors.FirstOrDefault(d => d.Key == spec.Key);
            _detectors[i] = stored is null ? new Running(spec, spec.Create()) : RestoreOrStartAfresh(spec, stored);
        }
        if (snapshot is null) return;
        LastObservedMs = snapshot.LastObservedMs;
        PointsObserved = snapshot.PointsObserved;
        if (snapshot.Findings.Count > 0) _anomalies = [.. snapshot.Findings.TakeLast(Math.Max(0, maxAnomalies)).Select(Anomaly.From)];
    }

    /// <summary>
    /// A stored state that cannot be read back (written by a detector with a bug, or damaged on disk) must not keep the
    /// series from recovering: that detector starts afresh and the failure is reported like one of its updates throwing.
    /// </summary>
    private Running RestoreOrStartAfresh(DetectorSpec spec, StoredDetector stored)
    {
        try
        {
            return Running.Restore(spec, stored);
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or ArgumentException)
        {
            (_failures ??= []).Add((spec.Name, e));
            return new Running(spec, spec.Create());
        }
    }

    /// <summary>Timestamp of the newest point fed to the detectors; points at or before it are not fed again.</summary>
    public long LastObservedMs { get; private set; } = long.MinValue;

    /// <summary>Finite points fed to the detectors.</summary>
    public long PointsObserved { get; private set; }

    public int DetectorCount => _detectors.Length;

    public int AnomalyCount => _anomalies?.Count ?? 0;

    /// <summary>
    /// Feeds a point newer than <see cref="LastObservedMs"/> to every detector and adds the alerts they raise to
    /// <paramref name="found"/> (created on the first). Older points (late ones, within the out-of-order tolerance) are
    /// stored but not scored: detectors only move forward. Nothing is recorded before <see cref="DetectorSet.MinDataPoints"/>
    /// points. A detector that throws is started afresh and kept for <see cref="TakeFailures"/>, so one bad detector cannot
    /// stop a series.
    /// </summary>
    public void Observe(long timestampMs, double value, ref List<Anomaly>? found)
    {
        if (_detectors.Length == 0 || timestampMs <= LastObservedMs) return;
        LastObservedMs = timestampMs;
        if (!double.IsFinite(value)) return; // a missing value leaves every detector untouched
        PointsObserved++;
        var recording = PointsObserved >= _set.MinDataPoints;
        Span<double> row = stackalloc double[MaxColumns];
        foreach (var detector in _detectors)
        {
            var output = row[..detector.Columns.Count];
            try
            {
                detector.Update(value, output);
            }
            catch (Exception e) // whatever a detector bug throws, the points must still be stored
            {
                detector.Reset();
                (_failures ??= []).Add((detector.Spec.Name, e));
                continue;
            }
            if (recording && output[0] > 0) (found ??= []).Add(detector.Finding(timestampMs, value, output));
        }
    }

    /// <summary>Whether a detector threw since the last <see cref="TakeFailures"/>.</summary>
    public bool HasFailures => _failures is not null;

    /// <summary>Detectors that threw since the last call, with what they threw; empty (and nothing allocated) as a rule.</summary>
    public IReadOnlyList<(string Detector, Exception Error)> TakeFailures()
    {
        var failures = _failures ?? [];
        _failures = null;
        return failures;
    }

    /// <summary>Keeps a finding (live: once it is part of the host's record; replay: as read).</summary>
    public void Keep(Anomaly anomaly)
    {
        if (_maxAnomalies == 0) return;
        foreach (var detector in _detectors)
            if (detector.Spec.Name == anomaly.Detector) detector.CountAlert(anomaly.TimestampMs);
        (_anomalies ??= []).Add(anomaly);
        if (_anomalies.Count > _maxAnomalies) _anomalies.RemoveRange(0, _anomalies.Count - _maxAnomalies);
    }

    /// <summary>Retention: findings older than <paramref name="cutoffMs"/> go, with the chunks that held their points.</summary>
    public void Expire(long cutoffMs)
    {
        if (_anomalies is not { } kept) return;
        var stale = 0;
        while (stale < kept.Count && kept[stale].TimestampMs < cutoffMs) stale++;
        kept.RemoveRange(0, stale);
        if (kept.Count == 0) _anomalies = null;
    }

    /// <summary>Kept findings with <c>fromMs &lt;= t &lt;= toMs</c>, oldest first.</summary>
    public Anomaly[] Anomalies(long fromMs, long toMs) =>
        _anomalies is null ? [] : _anomalies.Where(a => a.TimestampMs >= fromMs && a.TimestampMs <= toMs).ToArray();

    public DetectorView[] Views() => Array.ConvertAll(_detectors, d => d.View());

    public DetectionState ToSnapshot() =>
        new(LastObservedMs, PointsObserved, Array.ConvertAll(_detectors, d => d.ToSnapshot()), _anomalies?.Select(a => a.ToStored()).ToArray() ?? []);

    /// <summary>The detectors of <paramref name="set"/>, continuing from <paramref name="snapshot"/> where it holds their state.</summary>
    public static SeriesDetection FromSnapshot(DetectorSet set, int maxAnomalies, DetectionState snapshot) => new(set, maxAnomalies, snapshot);

    /// <summary>One detector with what the state endpoint shows about it.</summary>
    private sealed class Running(DetectorSpec spec, IStreamingDetector detector)
    {
        private IStreamingDetector _detector = detector;
        private readonly int _pValueColumn = ColumnOf(detector, "P-Value", "TailProbability");
        private readonly int _martingaleColumn = ColumnOf(detector, "Martingale");
        private readonly string _kind = DetectorCatalog.AlertKind(spec.Name);
        private double[]? _lastOutput;
        private long _points;
        private long _alerts;
        private long _lastAlertMs;

        public DetectorSpec Spec => spec;

        public IReadOnlyList<string> Columns => _detector.OutputColumns;

        public void Update(double value, Span<double> output)
        {
            _detector.Update(value, output);
            _points++;
            output.CopyTo(_lastOutput ??= new double[output.Length]);
        }

        public void Reset() => _detector = spec.Create();

        public Anomaly Finding(long timestampMs, double value, ReadOnlySpan<double> output) => new(
            timestampMs, value, spec.Name, _kind, output[1],
            _pValueColumn < 0 ? double.NaN : output[_pValueColumn],
            _martingaleColumn < 0 ? double.NaN : output[_martingaleColumn]);

        public void CountAlert(long timestampMs)
        {
            _alerts++;
            _lastAlertMs = Math.Max(_lastAlertMs, timestampMs);
        }

        public DetectorView View() => new(
            spec.Name, _kind, _points, _alerts, _lastAlertMs, [.. Columns], _lastOutput?.ToArray() ?? [], DetectorState.SizeOf(_detector));

        public StoredDetector ToSnapshot() =>
            new(spec.Key, DetectorState.ToBytes(_detector), _points, _alerts, _lastAlertMs, _lastOutput?.ToArray() ?? []);

        public static Running Restore(DetectorSpec spec, StoredDetector stored) =>
            new(spec, DetectorState.FromBytes(stored.State))
            {
                _points = stored.PointsObserved,
                _alerts = stored.Alerts,
                _lastAlertMs = stored.LastAlertMs,
                _lastOutput = stored.LastOutput.Length == 0 ? null : stored.LastOutput,
            };

        private static int ColumnOf(IStreamingDetector detector, params string[] names)
        {
            for (var i = 0; i < detector.OutputColumns.Count; i++)
                if (names.Contains(detector.OutputColumns[i])) return i;
            return -1;
        }
    }
}

namespace Perf.Actors.Hosts;

/// <summary>
/// The host's recent metric vectors for its multivariate model, without Akka: each ingest request's newest samples
/// of the watched series, combined with the latest known values of the others, make one vector per new timestamp. The
/// features are the watched series the host has sent so far; when a new one appears the window starts again, since
/// vectors of different shapes cannot be compared.
/// </summary>
public sealed class HostVectors(int capacity)
{
    /// <summary>The series the host model watches: the document's system metrics and the application's health.</summary>
    public static readonly IReadOnlySet<string> Watched = new HashSet<string>(StringComparer.Ordinal)
    {
        "cpu.usage", "memory.usage", "disk.usage", "network.usage", "application.response_time", "application.error_rate",
    };

    private readonly Dictionary<string, double> _latest = new(StringComparer.Ordinal);
    private readonly Queue<(long TimestampMs, double[] Vector)> _window = new();
    private long _lastTimestampMs = long.MinValue;

    public string[] Features { get; private set; } = [];

    public int Count => _window.Count;

    /// <summary>Vectors added since the window started (or since <see cref="Trained"/>), to pace retraining.</summary>
    public int AddedSinceTraining { get; private set; }

    public IReadOnlyList<double[]> Window => _window.Select(v => v.Vector).ToArray();

    /// <summary>Takes one request's newest samples; returns the vector they complete, if any.</summary>
    public (long TimestampMs, double[] Vector)? Observe(IReadOnlyList<string> metrics, IReadOnlyList<long> timestamps, IReadOnlyList<double> values)
    {
        var newest = long.MinValue;
        var grew = false;
        for (var i = 0; i < metrics.Count; i++)
        {
            if (!Watched.Contains(metrics[i]) || !double.IsFinite(values[i])) continue;
            if (!_latest.ContainsKey(metrics[i])) grew = true;
            _latest[metrics[i]] = values[i];
            newest = Math.Max(newest, timestamps[i]);
        }
        if (grew)
        {
            Features = [.. _latest.Keys.Order(StringComparer.Ordinal)];
            _window.Clear();
            AddedSinceTraining = 0;
        }
        if (newest <= _lastTimestampMs || Features.Length < 2) return null;
        _lastTimestampMs = newest;
        var vector = Features.Select(f => _latest[f]).ToArray();
        _window.Enqueue((newest, vector));
        if (_window.Count > capacity) _window.Dequeue();
        AddedSinceTraining++;
        return (newest, vector);
    }

    public void Trained() => AddedSinceTraining = 0;
}

using System.Runtime.InteropServices;

namespace Perf.Analytics.Trend;

/// <summary>
/// The samples of the last <see cref="Window"/> (of sample time, ending at the newest), at most <see cref="MaxSamples"/>
/// of them: samples are kept at least <c>Window / (MaxSamples - 2)</c> apart, the newest always, so a fast series is
/// thinned evenly across the window instead of keeping only its latest minutes.
/// </summary>
/// <remarks>
/// The newest sample is a provisional tail: a new sample replaces it while it is still closer than the spacing to the
/// sample before it, and is appended once it is not. Samples must come in timestamp order (older ones are ignored) and
/// non-finite values are skipped. The result depends only on the samples, so a replay rebuilds the same window.
/// </remarks>
public sealed class SampleWindow
{
    private readonly List<long> _timestamps = [];
    private readonly List<double> _values = [];
    private readonly long _windowMs;
    private readonly long _spacingMs;

    public SampleWindow(TimeSpan window, int maxSamples)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSamples, 3);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero);
        Window = window;
        MaxSamples = maxSamples;
        _windowMs = (long)window.TotalMilliseconds;
        _spacingMs = _windowMs / (maxSamples - 2);
    }

    public TimeSpan Window { get; }
    public int MaxSamples { get; }
    public int Count => _timestamps.Count;

    /// <summary>From the oldest sample kept to the newest.</summary>
    public long SpanMs => Count == 0 ? 0 : _timestamps[^1] - _timestamps[0];

    public ReadOnlySpan<long> Timestamps => CollectionsMarshal.AsSpan(_timestamps);
    public ReadOnlySpan<double> Values => CollectionsMarshal.AsSpan(_values);

    public void Add(long timestampMs, double value)
    {
        if (!double.IsFinite(value) || (Count > 0 && timestampMs <= _timestamps[^1])) return;
        if (Count >= 2 && _timestamps[^1] - _timestamps[^2] < _spacingMs)
        {
            _timestamps[^1] = timestampMs;
            _values[^1] = value;
        }
        else
        {
            _timestamps.Add(timestampMs);
            _values.Add(value);
        }
        var drop = 0;
        while (drop < Count - 1 && _timestamps[drop] < timestampMs - _windowMs) drop++;
        drop = Math.Max(drop, Count - MaxSamples); // only when the spacing rounded down; keeps the bound a bound
        if (drop == 0) return;
        _timestamps.RemoveRange(0, drop);
        _values.RemoveRange(0, drop);
    }

    /// <summary>The same samples in a window of another length (an operator edited the rule).</summary>
    public SampleWindow Resized(TimeSpan window)
    {
        var resized = new SampleWindow(window, MaxSamples);
        for (var i = 0; i < Count; i++) resized.Add(_timestamps[i], _values[i]);
        return resized;
    }

    public (long[] TimestampsMs, double[] Values) ToArrays() => ([.. _timestamps], [.. _values]);

    public static SampleWindow From(TimeSpan window, int maxSamples, long[] timestampsMs, double[] values)
    {
        var restored = new SampleWindow(window, maxSamples);
        for (var i = 0; i < timestampsMs.Length; i++) restored.Add(timestampsMs[i], values[i]);
        return restored;
    }
}

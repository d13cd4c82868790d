namespace Perf.Actors.Optimization;

/// <summary>
/// Consecutive samples of one signal in the same class (above, below, in between): how long the condition has held and
/// the values it held with (the evidence of a recommendation). Not persisted: after a restart the windows start again.
/// </summary>
public sealed class SampleRun
{
    public int Class { get; private set; } = int.MinValue;
    public long StartMs { get; private set; }
    public long LastMs { get; private set; }
    public int Count { get; private set; }
    public double Min { get; private set; }
    public double Max { get; private set; }
    public double Mean => Count == 0 ? double.NaN : _sum / Count;
    public long DurationMs => LastMs - StartMs;
    private double _sum;

    /// <summary>Adds a sample; a sample of another class starts a new run.</summary>
    public void Add(int @class, long timestampMs, double value)
    {
        if (@class != Class) Restart(@class, timestampMs);
        LastMs = timestampMs;
        Count++;
        _sum += value;
        Min = Count == 1 ? value : Math.Min(Min, value);
        Max = Count == 1 ? value : Math.Max(Max, value);
    }

    /// <summary>A decision was taken on this run: the next one needs a whole window of its own.</summary>
    public void Restart(int @class, long fromMs)
    {
        (Class, StartMs, LastMs, Count, _sum, Min, Max) = (@class, fromMs, fromMs, 0, 0, double.NaN, double.NaN);
    }

    public Evidence[] Describe(string name) =>
    [
        new(name + ".min", Min), new(name + ".max", Max), new(name + ".mean", Math.Round(Mean, 3)), new(name + ".samples", Count),
        new(name + ".window_seconds", DurationMs / 1000.0),
    ];
}

namespace Perf.Actors.Optimization;

/// <summary>
/// The observed impact of the optimizer's decisions: for each one, the mean of the metric it was taken on over the
/// window before it (its evidence, <c>{metric}.mean</c> over <c>{metric}.window_seconds</c>) against the mean over the
/// same length of time after it. Pure and in memory: an impact is a measurement for <c>perf.optimizer.impact</c>, not
/// state worth persisting (a restart loses the decisions still being watched).
/// </summary>
public sealed class DecisionImpact
{
    private readonly List<Watch> _watching = [];

    public int Watching => _watching.Count;

    /// <summary>Starts watching a decision whose evidence names a metric's mean and window; others are ignored.</summary>
    public void Decided(Recommendation decision)
    {
        foreach (var mean in decision.Evidence.Where(e => e.Name.EndsWith(".mean", StringComparison.Ordinal)))
        {
            var metric = mean.Name[..^".mean".Length];
            var window = decision.Evidence.FirstOrDefault(e => e.Name == metric + ".window_seconds")?.Value;
            if (window is not > 0 || mean.Value == 0 || !double.IsFinite(mean.Value)) continue;
            _watching.Add(new Watch(decision.Kind, metric, mean.Value, decision.AtMs, decision.AtMs + (long)(window.Value * 1000)));
        }
    }

    /// <summary>
    /// Feeds a sample; returns the impacts (percent change of the mean, after against before) of the decisions whose
    /// after-window this sample closes.
    /// </summary>
    public List<(string Kind, string Metric, double ChangePercent)>? Observe(string metric, long timestampMs, double value)
    {
        List<(string, string, double)>? done = null;
        for (var i = _watching.Count - 1; i >= 0; i--)
        {
            var watch = _watching[i];
            if (watch.Metric != metric || timestampMs <= watch.FromMs) continue;
            if (timestampMs <= watch.UntilMs)
            {
                if (double.IsFinite(value)) _watching[i] = watch with { Sum = watch.Sum + value, Count = watch.Count + 1 };
                continue;
            }
            _watching.RemoveAt(i);
            if (watch.Count > 0) (done ??= []).Add((watch.Kind, watch.Metric, (watch.Sum / watch.Count - watch.Before) / Math.Abs(watch.Before) * 100));
        }
        return done;
    }

    private sealed record Watch(string Kind, string Metric, double Before, long FromMs, long UntilMs, double Sum = 0, int Count = 0);
}

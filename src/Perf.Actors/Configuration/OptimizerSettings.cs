namespace Perf.Actors.Configuration;

/// <summary>
/// <c>perf.optimization</c>: how the optimizer turns samples into recommendations. Both durations are sample time (the
/// samples' own timestamps), so replayed or delayed data gives the recommendations it would have given live.
/// </summary>
/// <param name="Sustain">how long a condition must hold before it is acted on (a short spike is not a trend).</param>
/// <param name="Cooldown">least time between two recommendations of one kind, so one load change gives one decision.</param>
/// <param name="CacheHitTarget">cache hit rate (percent) below which a full cache should grow.</param>
public sealed record OptimizerSettings(TimeSpan Sustain, TimeSpan Cooldown, double CacheHitTarget)
{
    public static OptimizerSettings Read(ConfigReader config) => new(
        config.Duration("perf.optimization.sustain", TimeSpan.Zero),
        config.Duration("perf.optimization.cooldown", TimeSpan.Zero),
        config.Double("perf.optimization.cache_hit_target", 0, 100));
}

using System.Globalization;
using Perf.Actors.Configuration;
using static Perf.Actors.Optimization.OptimizerEvents;
using Kinds = Perf.Actors.Optimization.Recommendation.Kinds;

namespace Perf.Actors.Optimization;

/// <summary>
/// The optimizer of one host as a pure state machine: samples in (sample time), recommendations out. The caller
/// persists a recommendation and then applies it (<see cref="Apply(RecommendationMade)"/>), so replaying the journal
/// rebuilds the instance count and the current recommendations.
/// </summary>
/// <remarks>
/// Scaling: <c>cpu.usage</c> and <c>memory.usage</c> are classified above (&gt;= scale_up_threshold), below
/// (&lt;= scale_down_threshold) or in the dead band between them. Either signal above for <c>sustain</c> scales up;
/// scaling down needs every signal seen below for <c>sustain</c>, since removing capacity must not starve the other
/// resource. The dead band is the hysteresis: a value between the thresholds breaks both runs, so a load hovering at one
/// threshold does not alternate decisions. Any two scaling decisions, in either direction, are <c>cooldown</c> apart,
/// and a decision restarts the window, so the next one needs a full window of its own evidence. The instance count starts
/// at min_instances, moves by one per decision and stays within [min_instances, max_instances].
/// </remarks>
public sealed class OptimizerState(OptimizationPolicy defaults, OptimizerSettings settings)
{
    public const string Cpu = "cpu.usage";
    public const string Memory = "memory.usage";
    public const string CacheHitRate = "cache.hit_rate";
    public const string CacheSize = "cache.size";
    // A cache at least this full counts as full; one at most this full is far below its maximum.
    private const double FullFraction = 0.95;
    private const double SparseFraction = 0.5;
    // A hit rate this high leaves nothing to gain from a larger cache.
    private const double SaturatedHitRate = 99;
    // Weights are recommended again only when one moves by more than this (balancers take weights coarsely anyway).
    private const double WeightTolerance = 0.05;
    private const int Above = 1, Between = 0, Below = -1;

    private readonly Dictionary<string, SampleRun> _scaling = new(StringComparer.Ordinal);
    private readonly SampleRun _cache = new();
    private double _cacheSizeMb = double.NaN;
    private readonly SortedDictionary<string, Backend> _backends = new(StringComparer.Ordinal);
    private long _balancingWindowStartMs = long.MinValue;
    private readonly SortedDictionary<string, Recommendation> _current = new(StringComparer.Ordinal);

    public OptimizationPolicy? Override { get; private set; }
    public OptimizationPolicy Policy => Override ?? defaults;
    public int Instances { get; private set; } = defaults.MinInstances;
    public IReadOnlyCollection<Recommendation> Current => _current.Values;
    private long SustainMs => (long)settings.Sustain.TotalMilliseconds;
    private long CooldownMs => (long)settings.Cooldown.TotalMilliseconds;

    /// <summary>Whether the optimizer wants this series of the host.</summary>
    public static bool Watches(string metric) =>
        metric is Cpu or Memory or CacheHitRate or CacheSize || BackendOf(metric) is not null;

    /// <summary>Takes one sample; a decision to persist (then <see cref="Apply(RecommendationMade)"/>) or null.</summary>
    public Recommendation? Observe(string metric, long timestampMs, double value)
    {
        if (!double.IsFinite(value)) return null;
        switch (metric)
        {
            case Cpu or Memory:
                return ObserveLoad(metric, timestampMs, value);
            case CacheSize:
                _cacheSizeMb = value;
                return null;
            case CacheHitRate:
                return ObserveCache(timestampMs, value);
        }
        return BackendOf(metric) is { } backend ? ObserveBackend(backend.Name, backend.Field, timestampMs, value) : null;
    }

    public void Apply(RecommendationMade made)
    {
        var r = made.Recommendation;
        _current[r.Kind] = r;
        switch (r.Kind)
        {
            case Kinds.Scaling:
                Instances = (int)r.Evidence.First(e => e.Name == "instances").Value;
                foreach (var run in _scaling.Values) run.Restart(run.Class, r.AtMs);
                break;
            case Kinds.Cache:
                _cache.Restart(_cache.Class, r.AtMs);
                break;
        }
    }

    public void Apply(PolicySet set)
    {
        // A recommendation of the changed kind was made under the old policy (it may even say "8 -> 9 instances" past a
        // new max_instances of 8): it no longer stands, and the next one is made under the new policy.
        if (!set.Policy.Equals(Policy)) _current.Remove(set.OptimizationType);
        Override = set.Policy;
        Instances = Math.Clamp(Instances, Policy.MinInstances, Policy.MaxInstances);
        // Runs were classified with the old thresholds: new data is judged by the new ones only.
        _scaling.Clear();
        _cache.Restart(int.MinValue, 0);
    }

    public OptimizerSnapshot ToSnapshot() => new(Override, Instances, [.. _current.Values]);

    public static OptimizerState FromSnapshot(OptimizerSnapshot snapshot, OptimizationPolicy defaults, OptimizerSettings settings)
    {
        var state = new OptimizerState(defaults, settings) { Override = snapshot.Policy };
        state.Instances = Math.Clamp(snapshot.Instances, state.Policy.MinInstances, state.Policy.MaxInstances);
        foreach (var r in snapshot.Current) state._current[r.Kind] = r;
        return state;
    }

    private Recommendation? ObserveLoad(string metric, long t, double value)
    {
        var policy = Policy;
        var @class = value >= policy.ScaleUpThreshold ? Above : value <= policy.ScaleDownThreshold ? Below : Between;
        if (!_scaling.TryGetValue(metric, out var run)) _scaling[metric] = run = new SampleRun();
        if (t < run.LastMs) return null; // older than what this signal has shown: the host only forwards newer samples
        run.Add(@class, t, value);
        if (!CooledDown(Kinds.Scaling, t)) return null;

        if (Instances < policy.MaxInstances && @class == Above && run.DurationMs >= SustainMs)
            return Scaling("scale_up", t, run, Instances + 1,
                $"{metric} has stayed at or above {Number(policy.ScaleUpThreshold)} (scale_up_threshold) for {Seconds(run.DurationMs)} (min {Number(run.Min)}, mean {Number(run.Mean)}): {Instances} -> {Instances + 1} instances");
        if (Instances > policy.MinInstances && @class == Below && _scaling.Values.All(r => r.Class == Below && r.DurationMs >= SustainMs))
            return Scaling("scale_down", t, run, Instances - 1,
                $"{string.Join(" and ", _scaling.Keys)} have stayed at or below {Number(policy.ScaleDownThreshold)} (scale_down_threshold) for {Seconds(run.DurationMs)} (max {Number(run.Max)}, mean {Number(run.Mean)}): {Instances} -> {Instances - 1} instances");
        return null;
    }

    private Recommendation Scaling(string action, long t, SampleRun run, int instances, string reason)
    {
        var p = Policy;
        var evidence = _scaling.OrderBy(s => s.Key, StringComparer.Ordinal).SelectMany(s => s.Value.Describe(s.Key)).Concat(
        [
            new Evidence("instances_before", Instances), new Evidence("instances", instances),
            new Evidence("scale_up_threshold", p.ScaleUpThreshold), new Evidence("scale_down_threshold", p.ScaleDownThreshold),
            new Evidence("min_instances", p.MinInstances), new Evidence("max_instances", p.MaxInstances),
            new Evidence("sustain_seconds", SustainMs / 1000.0), new Evidence("cooldown_seconds", CooldownMs / 1000.0),
        ]).ToArray();
        return new Recommendation(Kinds.Scaling, action, reason, t, run.StartMs, evidence);
    }

    /// <summary>
    /// Cache: a hit rate below the target for <c>sustain</c> while the cache is full (<c>cache.size</c>, MB, at 95% of
    /// max_size or more) calls for a larger cache (max_size x 1.5); a hit rate of 99% or more while it is at most half full
    /// calls for a smaller one (1.5 x the size in use), which frees memory for nothing lost. Needs <c>cache.size</c>.
    /// </summary>
    private Recommendation? ObserveCache(long t, double hitRate)
    {
        if (double.IsNaN(_cacheSizeMb)) return null;
        var max = Policy.CacheMaxSizeMb;
        var @class = hitRate < settings.CacheHitTarget && _cacheSizeMb >= FullFraction * max ? Above
            : hitRate >= SaturatedHitRate && _cacheSizeMb <= SparseFraction * max ? Below
            : Between;
        if (t < _cache.LastMs) return null;
        _cache.Add(@class, t, hitRate);
        if (@class == Between || _cache.DurationMs < SustainMs || !CooledDown(Kinds.Cache, t)) return null;

        var grow = @class == Above;
        var recommended = Math.Ceiling(grow ? max * 1.5 : Math.Max(1, _cacheSizeMb * 1.5));
        var reason = grow
            ? $"cache.hit_rate has stayed below {Number(settings.CacheHitTarget)}% for {Seconds(_cache.DurationMs)} (mean {Number(_cache.Mean)}%) with the cache full ({Number(_cacheSizeMb)} of {Number(max)} MB): grow max_size to {Number(recommended)} MB"
            : $"cache.hit_rate has stayed at or above {Number(SaturatedHitRate)}% for {Seconds(_cache.DurationMs)} with {Number(_cacheSizeMb)} of {Number(max)} MB in use: shrink max_size to {Number(recommended)} MB";
        return new Recommendation(Kinds.Cache, grow ? "grow_cache" : "shrink_cache", reason, t, _cache.StartMs,
        [
            .. _cache.Describe(CacheHitRate), new(CacheSize, _cacheSizeMb), new("max_size_mb", max), new("recommended_max_size_mb", recommended),
            new("cache_hit_target", settings.CacheHitTarget),
        ]);
    }

    /// <summary>
    /// Load balancing, from <c>lb.{backend}.response_time</c> and <c>lb.{backend}.connections</c>, once per <c>sustain</c>
    /// window of samples. <c>weighted</c>: each backend's weight is the inverse of its mean response time over the window,
    /// normalised to sum 1 (a backend twice as slow gets half the traffic); recommended again when a weight moves by more
    /// than 0.05. <c>least_connections</c>: the backend with the fewest connections (latest sample), when it changes.
    /// <c>round_robin</c> has nothing to tune. Needs two backends.
    /// </summary>
    private Recommendation? ObserveBackend(string name, string field, long t, double value)
    {
        if (!_backends.TryGetValue(name, out var backend)) _backends[name] = backend = new Backend();
        if (field == "connections") backend.Connections = value;
        else (backend.ResponseSum, backend.ResponseCount) = (backend.ResponseSum + value, backend.ResponseCount + 1);
        if (_balancingWindowStartMs == long.MinValue) _balancingWindowStartMs = t;
        if (t - _balancingWindowStartMs < SustainMs || !CooledDown(Kinds.LoadBalancing, t)) return null;

        var start = _balancingWindowStartMs;
        var decision = Policy.Algorithm switch
        {
            "weighted" => Weights(t, start),
            "least_connections" => LeastConnections(t, start),
            _ => null,
        };
        _balancingWindowStartMs = t;
        foreach (var b in _backends.Values) (b.ResponseSum, b.ResponseCount) = (0, 0);
        return decision;
    }

    private Recommendation? Weights(long t, long start)
    {
        var measured = _backends.Where(b => b.Value.ResponseCount > 0 && b.Value.ResponseSum > 0)
            .Select(b => (Name: b.Key, Mean: b.Value.ResponseSum / b.Value.ResponseCount)).ToArray();
        if (measured.Length < 2) return null;
        var inverse = measured.Sum(b => 1 / b.Mean);
        var weights = measured.Select(b => (b.Name, b.Mean, Weight: Math.Round(1 / b.Mean / inverse, 3))).ToArray();
        if (_current.TryGetValue(Kinds.LoadBalancing, out var last) && last.Action == "set_weights"
            && weights.All(w => last.Evidence.FirstOrDefault(e => e.Name == "weight." + w.Name) is { } old && Math.Abs(old.Value - w.Weight) <= WeightTolerance)
            && last.Evidence.Count(e => e.Name.StartsWith("weight.", StringComparison.Ordinal)) == weights.Length)
            return null;
        return new Recommendation(Kinds.LoadBalancing, "set_weights",
            "weighted: weights inverse to the mean response time over the window: " + string.Join(", ", weights.Select(w => $"{w.Name} {Number(w.Weight)} ({Number(w.Mean)} ms)")),
            t, start, [.. weights.Select(w => new Evidence("weight." + w.Name, w.Weight)), .. weights.Select(w => new Evidence("response_time." + w.Name, Math.Round(w.Mean, 3)))]);
    }

    private Recommendation? LeastConnections(long t, long start)
    {
        var known = _backends.Where(b => !double.IsNaN(b.Value.Connections)).ToArray();
        if (known.Length < 2) return null;
        var best = known.MinBy(b => b.Value.Connections);
        if (_current.TryGetValue(Kinds.LoadBalancing, out var last) && last.Action == "prefer_backend"
            && last.Evidence.Any(e => e.Name == "preferred." + best.Key))
            return null;
        return new Recommendation(Kinds.LoadBalancing, "prefer_backend",
            $"least_connections: {best.Key} has the fewest connections ({Number(best.Value.Connections)})",
            t, start, [new Evidence("preferred." + best.Key, 1), .. known.Select(b => new Evidence("connections." + b.Key, b.Value.Connections))]);
    }

    private bool CooledDown(string kind, long t) => !_current.TryGetValue(kind, out var last) || t - last.AtMs >= CooldownMs;

    /// <summary>(backend, response_time|connections) of <c>lb.{backend}.{field}</c>.</summary>
    private static (string Name, string Field)? BackendOf(string metric)
    {
        if (!metric.StartsWith("lb.", StringComparison.Ordinal)) return null;
        var dot = metric.LastIndexOf('.');
        if (dot <= 3) return null;
        var field = metric[(dot + 1)..];
        return field is "response_time" or "connections" ? (metric[3..dot], field) : null;
    }

    private static string Number(double value) => Math.Round(value, 2).ToString(CultureInfo.InvariantCulture);

    private static string Seconds(long ms) => TimeSpan.FromMilliseconds(ms).ToString("c", CultureInfo.InvariantCulture);

    private sealed class Backend
    {
        public double ResponseSum;
        public int ResponseCount;
        public double Connections = double.NaN;
    }
}

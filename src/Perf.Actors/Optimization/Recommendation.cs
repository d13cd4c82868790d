namespace Perf.Actors.Optimization;

/// <summary>
/// One decision of the optimizer. It is a recommendation: Perf runs no instances, caches or balancers, it tells the
/// operator (or an autoscaler polling <c>GET /api/v1/recommendations</c>) what the samples call for.
/// </summary>
/// <param name="Kind"><see cref="Kinds"/>: scaling, cache or load_balancing.</param>
/// <param name="Action">scale_up, scale_down, grow_cache, shrink_cache, set_weights, prefer_backend.</param>
/// <param name="Reason">why, in words, with the numbers.</param>
/// <param name="AtMs">sample time of the sample that decided it.</param>
/// <param name="WindowStartMs">first sample of the evidence window (sample time).</param>
/// <param name="Evidence">the values and settings it rests on.</param>
public sealed record Recommendation(string Kind, string Action, string Reason, long AtMs, long WindowStartMs, Evidence[] Evidence)
{
    public static class Kinds
    {
        public const string Scaling = "scaling";
        public const string Cache = "cache";
        public const string LoadBalancing = "load_balancing";
    }
}

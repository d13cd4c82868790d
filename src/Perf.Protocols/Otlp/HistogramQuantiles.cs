namespace Perf.Protocols.Otlp;

/// <summary>
/// Quantile estimates from histogram buckets, the way Prometheus' <c>histogram_quantile</c> makes them: find the
/// bucket holding the wanted rank and interpolate linearly inside it. The recorded min and max, when the sender has
/// them, bound the first and last buckets (without them the open-ended last bucket answers its lower bound).
/// </summary>
public static class HistogramQuantiles
{
    /// <summary>The quantile <paramref name="q"/> (0..1) of the values in <paramref name="buckets"/> (in increasing order); null without values.</summary>
    public static double? Estimate(double q, IReadOnlyList<BucketRange> buckets)
    {
        var total = 0.0;
        foreach (var bucket in buckets) total += bucket.Count;
        if (total <= 0 || buckets.Count == 0) return null;
        var rank = q * total;
        var below = 0.0;
        for (var i = 0; i < buckets.Count; i++)
        {
            var bucket = buckets[i];
            if (bucket.Count <= 0 || below + bucket.Count < rank)
            {
                below += bucket.Count;
                continue;
            }
            if (double.IsPositiveInfinity(bucket.Upper)) return bucket.Lower;
            if (double.IsNegativeInfinity(bucket.Lower)) return bucket.Upper;
            var fraction = Math.Clamp((rank - below) / bucket.Count, 0, 1);
            return bucket.Lower + (bucket.Upper - bucket.Lower) * fraction;
        }
        return buckets[^1].Upper is var last && double.IsFinite(last) ? last : buckets[^1].Lower;
    }

    /// <summary>
    /// The buckets of an explicit-bounds histogram: <paramref name="bounds"/> are the N upper bounds, <paramref name="counts"/>
    /// the N+1 counts (the last one above every bound). The first bucket starts at <paramref name="min"/>, or at 0
    /// when its bound is positive (Prometheus' convention); the last ends at <paramref name="max"/> or is open.
    /// </summary>
    public static IReadOnlyList<BucketRange> Explicit(IReadOnlyList<double> bounds, IReadOnlyList<double> counts, double? min, double? max)
    {
        var buckets = new List<BucketRange>(counts.Count);
        for (var i = 0; i < counts.Count; i++)
        {
            var lower = i == 0 ? min ?? (bounds.Count > 0 && bounds[0] > 0 ? 0 : double.NegativeInfinity) : bounds[i - 1];
            var upper = i < bounds.Count ? bounds[i] : max ?? double.PositiveInfinity;
            if (min is { } low) lower = Math.Max(lower, Math.Min(low, upper));
            if (max is { } high) upper = Math.Min(upper, Math.Max(high, lower));
            buckets.Add(new BucketRange(lower, upper, counts[i]));
        }
        return buckets;
    }

    /// <summary>
    /// The buckets of an exponential histogram: bucket index k covers (base^k, base^(k+1)] with base = 2^(2^-scale),
    /// negative buckets mirror them, and the zero bucket holds the values within the zero threshold.
    /// </summary>
    public static IReadOnlyList<BucketRange> Exponential(int scale, double zeroThreshold, double zeroCount,
        int positiveOffset, IReadOnlyList<double> positive, int negativeOffset, IReadOnlyList<double> negative, double? min, double? max)
    {
        var @base = Math.Pow(2, Math.Pow(2, -scale));
        var buckets = new List<BucketRange>(positive.Count + negative.Count + 1);
        for (var i = negative.Count - 1; i >= 0; i--)
        {
            var k = negativeOffset + i;
            buckets.Add(new BucketRange(-Math.Pow(@base, k + 1), -Math.Pow(@base, k), negative[i]));
        }
        if (zeroCount > 0) buckets.Add(new BucketRange(-zeroThreshold, zeroThreshold, zeroCount));
        for (var i = 0; i < positive.Count; i++)
        {
            var k = positiveOffset + i;
            buckets.Add(new BucketRange(Math.Pow(@base, k), Math.Pow(@base, k + 1), positive[i]));
        }
        if (min is null && max is null) return buckets;
        return buckets.Select(b => new BucketRange(
            min is { } low ? Math.Max(b.Lower, Math.Min(low, b.Upper)) : b.Lower,
            max is { } high ? Math.Min(b.Upper, Math.Max(high, b.Lower)) : b.Upper,
            b.Count)).ToList();
    }
}

using System.Numerics;

namespace Perf.Analytics.Aggregation;

/// <summary>
/// A thread-safe log-linear (HDR-style) histogram of latencies in microseconds. Values below 128 µs are
/// counted exactly; above, every power of two is split into 64 equal buckets, so a reported percentile is
/// within 1/64 (about 1.6 %) of a recorded value. Fixed memory, lock-free recording, and percentiles
/// from the whole distribution rather than from averages of intervals.
/// </summary>
public sealed class LatencyHistogram
{
    private const int LinearLimit = 128;           // values 0..127 µs get one bucket each
    private const int SubBucketBits = 6;           // 64 buckets per power of two above that
    private const int SubBucketCount = 1 << SubBucketBits;
    private const int LinearLimitExponent = 7;     // log2(LinearLimit)
    private const int HighestExponent = 45;        // 2^45 µs is about a year; larger values are clamped
    private const int BucketCount = LinearLimit + (HighestExponent - LinearLimitExponent + 1) * SubBucketCount;

    private readonly long[] counts = new long[BucketCount];
    private long totalCount;
    private long maxMicroseconds;
    private long minMicroseconds = long.MaxValue;

    public long Count => Interlocked.Read(ref totalCount);

    public double MaxMilliseconds => Count == 0 ? 0 : Interlocked.Read(ref maxMicroseconds) / 1000.0;

    public double MinMilliseconds => Count == 0 ? 0 : Interlocked.Read(ref minMicroseconds) / 1000.0;

    public void Record(TimeSpan latency) => RecordMicroseconds((long)Math.Round(latency.TotalMicroseconds));

    public void RecordMicroseconds(long microseconds)
    {
        var value = Math.Max(0, microseconds);
        Interlocked.Increment(ref counts[BucketOf(value)]);
        UpdateMax(value);
        UpdateMin(value);
        // Counted last so that a concurrent reader never sees more total than bucket counts.
        Interlocked.Increment(ref totalCount);
    }

    /// <summary>
    /// The value at percentile <paramref name="percentile"/> (0..100) in milliseconds, by nearest rank:
    /// the smallest recorded value with at least p % of the values at or below it. 0 when empty.
    /// </summary>
    public double PercentileMilliseconds(double percentile)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(percentile, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percentile, 100);
        var total = Count;
        if (total == 0)
        {
            return 0;
        }

        var rank = Math.Max(1, (long)Math.Ceiling(percentile / 100.0 * total));
        // The extremes are tracked exactly, so the first and last rank need no bucket estimate.
        if (rank == 1)
        {
            return MinMilliseconds;
        }

        if (rank >= total)
        {
            return MaxMilliseconds;
        }

        long seen = 0;
        for (var bucket = 0; bucket < BucketCount; bucket++)
        {
            seen += Interlocked.Read(ref counts[bucket]);
            if (seen >= rank)
            {
                // The bucket's middle is the best single estimate; min and max are exact, so clamp to them.
                var (low, high) = BoundsOf(bucket);
                var estimate = low + (high - low) / 2;
                var clamped = Math.Clamp(estimate, Interlocked.Read(ref minMicroseconds),
                    Interlocked.Read(ref maxMicroseconds));
                return clamped / 1000.0;
            }
        }

        return MaxMilliseconds;
    }

    /// <summary>
    /// The non-empty buckets as (bucket, count) pairs with the exact extremes: what a persisted summary keeps, so its
    /// percentiles can be recomputed from the whole distribution after a restart (a few hundred pairs at most).
    /// </summary>
    public (int[] Buckets, long[] Counts, long MinMicroseconds, long MaxMicroseconds) Export()
    {
        var buckets = new List<int>();
        var values = new List<long>();
        for (var bucket = 0; bucket < BucketCount; bucket++)
        {
            var count = Interlocked.Read(ref counts[bucket]);
            if (count == 0) continue;
            buckets.Add(bucket);
            values.Add(count);
        }
        return ([.. buckets], [.. values], Count == 0 ? 0 : Interlocked.Read(ref minMicroseconds), Interlocked.Read(ref maxMicroseconds));
    }

    /// <summary>A histogram holding what <see cref="Export"/> gave; buckets out of range are ignored.</summary>
    public static LatencyHistogram Import(int[] buckets, long[] bucketCounts, long minMicroseconds, long maxMicroseconds)
    {
        ArgumentNullException.ThrowIfNull(buckets);
        ArgumentNullException.ThrowIfNull(bucketCounts);
        var histogram = new LatencyHistogram();
        for (var i = 0; i < Math.Min(buckets.Length, bucketCounts.Length); i++)
        {
            if (buckets[i] is < 0 or >= BucketCount || bucketCounts[i] <= 0) continue;
            histogram.counts[buckets[i]] += bucketCounts[i];
            histogram.totalCount += bucketCounts[i];
        }
        if (histogram.totalCount > 0) (histogram.minMicroseconds, histogram.maxMicroseconds) = (minMicroseconds, maxMicroseconds);
        return histogram;
    }

    /// <summary>Adds every value of <paramref name="other"/> (a second's histogram into the whole run's).</summary>
    public void Add(LatencyHistogram other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Count == 0) return;
        for (var bucket = 0; bucket < BucketCount; bucket++)
        {
            var count = Interlocked.Read(ref other.counts[bucket]);
            if (count != 0) Interlocked.Add(ref counts[bucket], count);
        }
        UpdateMax(Interlocked.Read(ref other.maxMicroseconds));
        UpdateMin(Interlocked.Read(ref other.minMicroseconds));
        Interlocked.Add(ref totalCount, other.Count);
    }

    internal static int BucketOf(long microseconds)
    {
        if (microseconds < LinearLimit)
        {
            return (int)microseconds;
        }

        var exponent = 63 - BitOperations.LeadingZeroCount((ulong)microseconds);
        if (exponent > HighestExponent)
        {
            return BucketCount - 1;
        }

        // The top SubBucketBits+1 bits of the value: a number in [64, 128) that picks the linear sub-bucket.
        var subBucket = (int)(microseconds >> (exponent - SubBucketBits)) - SubBucketCount;
        return LinearLimit + (exponent - LinearLimitExponent) * SubBucketCount + subBucket;
    }

    /// <summary>Inclusive lowest and highest value that fall into <paramref name="bucket"/>.</summary>
    internal static (long Low, long High) BoundsOf(int bucket)
    {
        if (bucket < LinearLimit)
        {
            return (bucket, bucket);
        }

        var exponent = (bucket - LinearLimit) / SubBucketCount + LinearLimitExponent;
        var subBucket = (bucket - LinearLimit) % SubBucketCount + SubBucketCount;
        var shift = exponent - SubBucketBits;
        var low = (long)subBucket << shift;
        return (low, low + (1L << shift) - 1);
    }

    private void UpdateMax(long value)
    {
        var current = Interlocked.Read(ref maxMicroseconds);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref maxMicroseconds, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }

    private void UpdateMin(long value)
    {
        var current = Interlocked.Read(ref minMicroseconds);
        while (value < current)
        {
            var seen = Interlocked.CompareExchange(ref minMicroseconds, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}

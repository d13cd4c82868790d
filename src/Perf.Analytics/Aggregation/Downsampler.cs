using System.Buffers;
using System.Numerics;
using Perf.Analytics.Compression;

namespace Perf.Analytics.Aggregation;

/// <summary>Reduces a series to one value per fixed interval bucket.</summary>
/// <remarks>
/// NaN samples propagate (as numpy's percentile, not nanpercentile, does) into every kind except Count and Last,
/// so missing data is visible rather than quietly skewing the result.
/// </remarks>
public static class Downsampler
{
    /// <summary>
    /// Aggregates time-sorted <paramref name="points"/> into buckets aligned to multiples of
    /// <paramref name="stepMs"/> since the Unix epoch; one output per non-empty bucket, stamped with the bucket start.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="stepMs"/> is not positive.</exception>
    /// <exception cref="ArgumentException"><paramref name="points"/> is not sorted by timestamp.</exception>
    public static List<DataPoint> Aggregate(IReadOnlyList<DataPoint> points, long stepMs, AggregationKind kind)
    {
        ArgumentNullException.ThrowIfNull(points);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stepMs);
        ThrowIfUnknown(kind);

        var result = new List<DataPoint>();
        if (points.Count == 0)
        {
            return result;
        }

        double[] bucket = ArrayPool<double>.Shared.Rent(Math.Min(points.Count, 1024));
        try
        {
            long previousTimestamp = points[0].TimestampMs;
            long bucketStart = BucketStart(previousTimestamp, stepMs);
            int length = 0;
            for (int i = 0; i < points.Count; i++)
            {
                var point = points[i];
                if (point.TimestampMs < previousTimestamp)
                {
                    throw new ArgumentException(
                        $"Points must be sorted by timestamp; index {i} ({point.TimestampMs}) precedes {previousTimestamp}.",
                        nameof(points));
                }

                previousTimestamp = point.TimestampMs;
                long start = BucketStart(point.TimestampMs, stepMs);
                if (start != bucketStart)
                {
                    result.Add(new(bucketStart, ReduceInPlace(bucket.AsSpan(0, length), kind)));
                    bucketStart = start;
                    length = 0;
                }

                if (length == bucket.Length)
                {
                    double[] larger = ArrayPool<double>.Shared.Rent(bucket.Length * 2);
                    bucket.AsSpan().CopyTo(larger);
                    ArrayPool<double>.Shared.Return(bucket);
                    bucket = larger;
                }

                bucket[length++] = point.Value;
            }

            result.Add(new(bucketStart, ReduceInPlace(bucket.AsSpan(0, length), kind)));
            return result;
        }
        finally
        {
            ArrayPool<double>.Shared.Return(bucket);
        }
    }

    /// <summary>
    /// Reduces <paramref name="values"/> (in time order, so Last is the final element) to one value;
    /// NaN when there are no values, for every kind including Count.
    /// Percentiles interpolate linearly between closest ranks, like numpy's default method.
    /// </summary>
    public static double Reduce(ReadOnlySpan<double> values, AggregationKind kind)
    {
        ThrowIfUnknown(kind);
        if (values.IsEmpty)
        {
            return double.NaN;
        }

        if (!IsPercentile(kind))
        {
            return ReduceInOrder(values, kind);
        }

        // Percentiles reorder their input, and the caller's values must stay untouched.
        double[] copy = ArrayPool<double>.Shared.Rent(values.Length);
        try
        {
            Span<double> scratch = copy.AsSpan(0, values.Length);
            values.CopyTo(scratch);
            return ReduceInPlace(scratch, kind);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(copy);
        }
    }

    /// <summary>Percentiles reorder <paramref name="values"/>; only pass a buffer the caller owns.</summary>
    private static double ReduceInPlace(Span<double> values, AggregationKind kind) => kind switch
    {
        AggregationKind.P50 => Percentile(values, 50),
        AggregationKind.P95 => Percentile(values, 95),
        AggregationKind.P99 => Percentile(values, 99),
        _ => ReduceInOrder(values, kind),
    };

    private static double ReduceInOrder(ReadOnlySpan<double> values, AggregationKind kind) => kind switch
    {
        AggregationKind.Avg => CompensatedSum.Of(values) / values.Length,
        AggregationKind.Min => Min(values),
        AggregationKind.Max => Max(values),
        AggregationKind.Sum => CompensatedSum.Of(values),
        AggregationKind.Count => values.Length,
        AggregationKind.Last => values[^1],
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not an order-preserving aggregation."),
    };

    private static double Percentile(Span<double> values, double percent)
    {
        if (HasNaN(values))
        {
            return double.NaN;
        }

        // numpy 'linear': virtual index (n - 1) * q between the two closest ranks, same arithmetic and lerp form.
        double virtualIndex = (values.Length - 1) * (percent / 100);
        int lower = (int)Math.Floor(virtualIndex);
        double gamma = virtualIndex - lower;
        double a = SelectNth(values, lower);
        if (gamma == 0 || lower == values.Length - 1)
        {
            return a;
        }

        // After selection everything right of 'lower' is >= a, so the next rank is simply their minimum.
        double b = Min(values[(lower + 1)..]);
        if (a == b)
        {
            return a;
        }

        double difference = b - a;
        return gamma >= 0.5 ? b - (difference * (1 - gamma)) : a + (difference * gamma);
    }

    /// <summary>
    /// Quickselect: places the k-th smallest value at index k with no larger value before it and no smaller one
    /// after it. Linear on average versus n log n for a full sort, which dominates the cost of large buckets.
    /// </summary>
    private static double SelectNth(Span<double> values, int k)
    {
        int low = 0;
        int high = values.Length - 1;
        // Median-of-three copes with sorted input (monotonic counters); the budget caps adversarial inputs at a sort.
        int budget = (2 * BitOperations.Log2((uint)values.Length)) + 4;
        while (high > low)
        {
            if (high - low < 16 || budget-- == 0)
            {
                values[low..(high + 1)].Sort();
                return values[k];
            }

            double pivot = MedianOfThree(values[low], values[low + ((high - low) / 2)], values[high]);
            int i = low;
            int j = high;
            while (i <= j)
            {
                while (values[i] < pivot)
                {
                    i++;
                }

                while (values[j] > pivot)
                {
                    j--;
                }

                if (i <= j)
                {
                    (values[i], values[j]) = (values[j], values[i]);
                    i++;
                    j--;
                }
            }

            // Now values[low..j] <= pivot <= values[i..high], and anything strictly between equals the pivot.
            if (k <= j)
            {
                high = j;
            }
            else if (k >= i)
            {
                low = i;
            }
            else
            {
                return values[k];
            }
        }

        return values[k];
    }

    private static double MedianOfThree(double a, double b, double c) =>
        a < b
            ? (b < c ? b : (a < c ? c : a))
            : (a < c ? a : (b < c ? c : b));

    private static bool HasNaN(ReadOnlySpan<double> values)
    {
        foreach (double value in values)
        {
            if (double.IsNaN(value))
            {
                return true;
            }
        }

        return false;
    }

    private static double Min(ReadOnlySpan<double> values)
    {
        double min = double.PositiveInfinity;
        foreach (double value in values)
        {
            min = Math.Min(min, value);
        }

        return min;
    }

    private static double Max(ReadOnlySpan<double> values)
    {
        double max = double.NegativeInfinity;
        foreach (double value in values)
        {
            max = Math.Max(max, value);
        }

        return max;
    }

    private static long BucketStart(long timestampMs, long stepMs)
    {
        // Floor, not truncation, so buckets before 1970 are aligned the same way as later ones.
        long remainder = timestampMs % stepMs;
        return remainder < 0 ? timestampMs - remainder - stepMs : timestampMs - remainder;
    }

    private static bool IsPercentile(AggregationKind kind) =>
        kind is AggregationKind.P50 or AggregationKind.P95 or AggregationKind.P99;

    private static void ThrowIfUnknown(AggregationKind kind)
    {
        if (!Enum.IsDefined(kind))
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown aggregation kind.");
        }
    }
}

using System.Numerics;
using System.Runtime.InteropServices;

namespace Perf.Analytics.Detection;

/// <summary>
/// The ensemble's pattern memory: the last H + m*f + f values (as float32, relative to the first value seen) and, per
/// new value, the distance from the newest pattern to its nearest earlier pattern at two time scales:
/// <list type="bullet">
/// <item>fast: the last m values (x_t, x_t-1, ..., x_t-m+1) against every earlier, non-overlapping m-pattern that
/// starts at most H points back (lags m..H);</item>
/// <item>slow: m means of f points, f points apart (y_t, y_t-f, ..., y_t-(m-1)f with y the mean of the last f values),
/// against lags m*f..H.</item>
/// </list>
/// Distances are RMS per compared point (sqrt(sum of squared differences / m)). O(H * m) per point, vectorised; no
/// allocation after construction.
/// </summary>
/// <remarks>
/// The store is a linear buffer of the capacity plus <see cref="Slack"/>, compacted when its end is reached, so that
/// lagged patterns are contiguous slices (for the vectorised distance loop) while a live series holds little more
/// than the values themselves: the compaction copies the capacity once every Slack points, a few floats per point.
/// The buffer starts small and doubles until it reaches that size, so a young series (most of them, after a restart
/// or a deploy) holds about its own points, not the whole history. The slow-scale means are derived data and are not
/// kept at all: each point recomputes the means it compares, in a scratch buffer of the calling thread, with the same
/// float operations in the same order (a mean of f values summed oldest first, then divided by f; the vectorised loop
/// does the same per lane), and only means whose inputs are all still held are ever compared. So the distances are the
/// same bit for bit as with means kept from point to point (they were, before: 4 bytes more per remembered point),
/// and a restored memory continues exactly. Storing values relative to the first value keeps float32's resolution
/// relative to the series' own range even for large offsets (e.g. 1e9 +- 1).
/// </remarks>
internal sealed class EnsemblePatternMemory
{
    /// <summary>Free room at the end of the buffer: a compaction every this many points.</summary>
    private const int Slack = 64;

    /// <summary>The first size of the buffer; it doubles up to the capacity plus <see cref="Slack"/>.</summary>
    private const int InitialLength = 16;

    /// <summary>The slow-scale means of the point being pushed, at the indexes of the values they end (per thread).</summary>
    [ThreadStatic]
    private static float[]? t_means;

    private readonly int _m;
    private readonly int _h;
    private readonly int _f;
    private readonly int _capacity;
    private float[] _x;
    private int _start;
    private int _end;
    private double _anchor;

    public EnsemblePatternMemory(int patternLength, int historyLength, int slowScale)
    {
        _m = patternLength;
        _h = historyLength;
        _f = slowScale;
        _capacity = historyLength + (patternLength * slowScale) + slowScale;
        _x = new float[Math.Min(InitialLength, _capacity + Slack)];
    }

    public int Count => _end - _start;

    public int Capacity => _capacity;

    /// <summary>
    /// Stores <paramref name="value"/> (finite) and returns the nearest-neighbour distances of the pattern it ends,
    /// NaN for a scale without a complete pattern or without any earlier pattern to compare with.
    /// </summary>
    public void Push(double value, out double fast, out double slow)
    {
        if (_end == _start)
        {
            _anchor = value;
            _start = 0;
            _end = 0;
        }

        if (_end == _x.Length)
        {
            MakeRoom();
        }

        int e = _end;
        _x[e] = (float)Math.Clamp(value - _anchor, float.MinValue, float.MaxValue);
        _end++;
        if (_end - _start > _capacity)
        {
            _start++;
        }

        fast = Nearest(_x, e, _m, 1, Math.Max(_start + _m - 1, e - _h), e - _m, _start);
        slow = _f > 1 ? NearestSlow(e) : double.NaN;
    }

    public void Write(BinaryWriter writer)
    {
        writer.Write(_anchor);
        writer.Write(Count);
        for (int i = _start; i < _end; i++)
        {
            writer.Write(_x[i]);
        }
    }

    public void Read(BinaryReader reader)
    {
        _anchor = reader.ReadDouble();
        int count = StateIO.ReadLength(reader, 0, _capacity);
        if (count > _x.Length)
        {
            _x = new float[Math.Min(Math.Max(count, 2 * _x.Length), _capacity + Slack)];
        }

        for (int i = 0; i < count; i++)
        {
            float value = reader.ReadSingle();
            if (!float.IsFinite(value))
            {
                throw new InvalidDataException($"Detector state '{EnsembleDetector.TypeTag}': stored value {i} is not finite.");
            }

            _x[i] = value;
        }

        _start = 0;
        _end = count;
    }

    /// <summary>
    /// The slow-scale distance of the pattern ending at buffer index <paramref name="e"/>: the means of f values, f
    /// apart, against lags m*f..H, over the means whose f inputs are all held (from index start + f - 1 on).
    /// </summary>
    private double NearestSlow(int e)
    {
        int low = _start + _f - 1;
        int reach = (_m - 1) * _f;
        int lo = Math.Max(low + reach, e - _h);
        int hi = e - (_m * _f);
        if (lo > hi || e - reach < low)
        {
            return double.NaN;
        }

        float[] means = t_means is { } held && held.Length >= _x.Length ? held : (t_means = new float[_capacity + Slack]);
        Means(_x, means, lo - reach, hi, _f); // every mean a lagged pattern reads
        for (int k = 0; k < _m; k++)
        {
            int p = e - (k * _f); // the newest pattern's means, all after hi
            means[p] = Mean(_x, p, _f);
        }

        return Nearest(means, e, _m, _f, lo, hi, low);
    }

    /// <summary>means[p] = the mean of values[p - f + 1 .. p] for p in [from, to], as <see cref="Mean"/> computes it.</summary>
    private static void Means(float[] values, float[] means, int from, int to, int f)
    {
        int p = from;
        int width = Vector<float>.Count;
        if (Vector.IsHardwareAccelerated && to - from + 1 >= width)
        {
            var divisor = new Vector<float>(f);
            // Unchecked loads and stores (this loop is most of what recomputing the means costs): the caller passes
            // from - f + 1 >= start >= 0 and to < values.Length <= means.Length.
            ref float x = ref MemoryMarshal.GetArrayDataReference(values);
            ref float y = ref MemoryMarshal.GetArrayDataReference(means);
            for (; p + width - 1 <= to; p += width)
            {
                var sum = Vector.LoadUnsafe(ref x, (nuint)(p - f + 1));
                for (int q = p - f + 2; q <= p; q++)
                {
                    sum += Vector.LoadUnsafe(ref x, (nuint)q);
                }

                (sum / divisor).StoreUnsafe(ref y, (nuint)p);
            }
        }

        for (; p <= to; p++)
        {
            means[p] = Mean(values, p, f);
        }
    }

    /// <summary>The mean of values[p - f + 1 .. p], summed oldest first.</summary>
    private static float Mean(float[] values, int p, int f)
    {
        float sum = values[p - f + 1];
        for (int q = p - f + 2; q <= p; q++)
        {
            sum += values[q];
        }

        return sum / f;
    }

    /// <summary>
    /// min over i in [lo, hi] of sum_k (s[e - k*step] - s[i - k*step])^2, k = 0..m-1, as an RMS distance; NaN when the
    /// range is empty or the newest pattern reaches below <paramref name="floor"/>.
    /// </summary>
    private static double Nearest(float[] s, int e, int m, int step, int lo, int hi, int floor)
    {
        if (lo > hi || e - ((m - 1) * step) < floor)
        {
            return double.NaN;
        }

        Span<float> current = stackalloc float[16];
        for (int k = 0; k < m; k++)
        {
            current[k] = s[e - (k * step)];
        }

        float best = float.PositiveInfinity;
        int i = lo;
        int width = Vector<float>.Count;
        if (Vector.IsHardwareAccelerated && hi - lo + 1 >= width)
        {
            var bestVector = new Vector<float>(float.PositiveInfinity);
            for (; i + width - 1 <= hi; i += width)
            {
                var sum = Vector<float>.Zero;
                for (int k = 0; k < m; k++)
                {
                    var difference = new Vector<float>(current[k]) - new Vector<float>(s, i - (k * step));
                    sum += difference * difference;
                }

                bestVector = Vector.Min(bestVector, sum);
            }

            for (int lane = 0; lane < width; lane++)
            {
                best = Math.Min(best, bestVector[lane]);
            }
        }

        for (; i <= hi; i++)
        {
            float sum = 0;
            for (int k = 0; k < m; k++)
            {
                float difference = current[k] - s[i - (k * step)];
                sum += difference * difference;
            }

            best = Math.Min(best, sum);
        }

        return Math.Sqrt(best / (double)m);
    }

    /// <summary>Moves the held values to the front of the buffer, into a buffer twice as large while it is smaller than the capacity plus <see cref="Slack"/>.</summary>
    private void MakeRoom()
    {
        int count = _end - _start;
        if (_x.Length < _capacity + Slack)
        {
            var larger = new float[Math.Min(2 * _x.Length, _capacity + Slack)];
            Array.Copy(_x, _start, larger, 0, count);
            _x = larger;
        }
        else
        {
            Array.Copy(_x, _start, _x, 0, count);
        }

        _start = 0;
        _end = count;
    }
}

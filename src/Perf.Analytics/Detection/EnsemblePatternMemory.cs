using System.Numerics;
using System.Runtime.CompilerServices;
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

    /// <summary>The slow-scale means of the memory that last used them on this thread (see <see cref="MeansCache"/>).</summary>
    [ThreadStatic]
    private static MeansCache? t_means;

    private readonly int _m;
    private readonly int _h;
    private readonly int _f;
    private readonly int _capacity;
    private readonly float _hugeMagnitude;
    private float[] _x;
    private int _start;
    private int _end;
    private double _anchor;
    private int _huge; // held values above _hugeMagnitude: while there are none, no slow mean can overflow
    private int _layout; // changes whenever held values move or change, which invalidates cached means

    public EnsemblePatternMemory(int patternLength, int historyLength, int slowScale)
    {
        _m = patternLength;
        _h = historyLength;
        _f = slowScale;
        _capacity = historyLength + (patternLength * slowScale) + slowScale;

        // A float sum of f values of at most max / (2 f) stays finite (rounding adds far less than the factor 2).
        _hugeMagnitude = float.MaxValue / (2f * slowScale);
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
            _huge = 0;
            _layout++;
        }

        if (_end == _x.Length)
        {
            MakeRoom();
        }

        int e = _end;
        float x = (float)Math.Clamp(value - _anchor, float.MinValue, float.MaxValue);
        _x[e] = x;
        _huge += IsHuge(x) ? 1 : 0;
        _end++;
        if (_end - _start > _capacity)
        {
            _huge -= IsHuge(_x[_start]) ? 1 : 0;
            _start++;
        }

        // Differences of finite values square to a number or +infinity, never NaN: no NaN check needed at this scale.
        fast = Nearest(_x, e, _m, 1, Math.Max(_start + _m - 1, e - _h), e - _m, _start, mayBeNaN: false);
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
        _layout++;
        _huge = 0;
        for (int i = 0; i < count; i++)
        {
            _huge += IsHuge(_x[i]) ? 1 : 0;
        }
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

        // Every mean a lagged pattern reads ([lo - reach, hi]) and the newest pattern's (after hi, up to e).
        float[] means = (t_means ??= new MeansCache()).Cover(this, lo - reach, e);

        // Means of huge values can be infinite, and differences of infinite means NaN.
        return Nearest(means, e, _m, _f, lo, hi, low, mayBeNaN: _huge > 0);
    }

    /// <summary>means[p] = the mean of values[p - f + 1 .. p] for p in [from, to], as <see cref="Mean"/> computes it.</summary>
    private static void Means(float[] values, float[] means, int from, int to, int f)
    {
        int p = from;
        int width = Vector<float>.Count;
        if (Vector.IsHardwareAccelerated && to - from + 1 >= width)
        {
            // Unchecked loads and stores (this loop is most of what recomputing the means costs): the caller passes
            // from - f + 1 >= start >= 0 and to < values.Length <= means.Length.
            ref float x = ref MemoryMarshal.GetArrayDataReference(values);
            ref float y = ref MemoryMarshal.GetArrayDataReference(means);

            // Dividing by a power of two and multiplying by its reciprocal round the same real number, so they agree
            // bit for bit; the multiplication is several times cheaper.
            bool powerOfTwo = BitOperations.IsPow2(f);
            var divisor = new Vector<float>(f);
            var reciprocal = new Vector<float>(1f / f);

            // The last vector is placed to end at `to`, overlapping the one before: it stores the same means again
            // instead of leaving a scalar remainder.
            int last = to - width + 1;
            for (; ; p += width)
            {
                p = Math.Min(p, last);
                var sum = Vector.LoadUnsafe(ref x, (nuint)(p - f + 1));
                for (int q = p - f + 2; q <= p; q++)
                {
                    sum += Vector.LoadUnsafe(ref x, (nuint)q);
                }

                (powerOfTwo ? sum * reciprocal : sum / divisor).StoreUnsafe(ref y, (nuint)p);
                if (p == last)
                {
                    return;
                }
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
    /// <remarks>
    /// The vector loops compute every lag's sum with the same float operations in the same order as the scalar loop
    /// (products and sums rounded separately, no fused multiply-add), and a minimum does not depend on the order of its
    /// operands, so the distance is the same bit for bit on any hardware. They take the platform's minimum
    /// (<see cref="Vector.MinNative{T}"/>), which may drop a NaN: <see cref="Vector.Min{T}"/> keeps it but cost 40% of
    /// the whole fast scale. A caller that cannot rule out a NaN sum (<paramref name="mayBeNaN"/>; only infinite slow
    /// means make one) gets the scalar loop, whose Math.Min keeps the NaN as before.
    /// </remarks>
    private static double Nearest(float[] s, int e, int m, int step, int lo, int hi, int floor, bool mayBeNaN)
    {
        if (lo > hi || e - ((m - 1) * step) < floor)
        {
            return double.NaN;
        }

        float best;
        if (!Vector.IsHardwareAccelerated || hi - lo + 1 < Vector<float>.Count || mayBeNaN)
        {
            best = NearestScalar(s, e, m, step, lo, hi);
        }
        else if (m == 3)
        {
            best = NearestOfThree(s, e, step, lo, hi);
        }
        else
        {
            best = NearestVector(s, e, m, step, lo, hi);
        }

        return Math.Sqrt(best / (double)m);
    }

    private static float NearestScalar(float[] s, int e, int m, int step, int lo, int hi)
    {
        float best = float.PositiveInfinity;
        for (int i = lo; i <= hi; i++)
        {
            float sum = 0;
            for (int k = 0; k < m; k++)
            {
                float difference = s[e - (k * step)] - s[i - (k * step)];
                sum += difference * difference;
            }

            best = Math.Min(best, sum);
        }

        return best;
    }

    /// <summary>
    /// The vector loop for any m (needs hi - lo + 1 &gt;= the vector width). Loads are unchecked: Nearest's caller
    /// guarantees lo - (m - 1) * step &gt;= floor &gt;= 0 and hi &lt; e &lt; s.Length.
    /// </summary>
    private static float NearestVector(float[] s, int e, int m, int step, int lo, int hi)
    {
        Span<Vector<float>> current = stackalloc Vector<float>[m];
        for (int k = 0; k < m; k++)
        {
            current[k] = new Vector<float>(s[e - (k * step)]);
        }

        ref float origin = ref MemoryMarshal.GetArrayDataReference(s);
        ref Vector<float> pattern = ref MemoryMarshal.GetReference(current);
        var best = new Vector<float>(float.PositiveInfinity);

        // The last vector ends at hi and may overlap the one before; lags seen twice do not change a minimum.
        int last = hi - Vector<float>.Count + 1;
        for (int i = lo; ; i += Vector<float>.Count)
        {
            i = Math.Min(i, last);
            var difference = pattern - Vector.LoadUnsafe(ref origin, (nuint)i);
            var sum = difference * difference;
            for (int k = 1; k < m; k++)
            {
                difference = Unsafe.Add(ref pattern, k) - Vector.LoadUnsafe(ref origin, (nuint)(i - (k * step)));
                sum += difference * difference;
            }

            best = Vector.MinNative(best, sum);
            if (i == last)
            {
                return Smallest(best);
            }
        }
    }

    /// <summary><see cref="NearestVector"/> unrolled for the default pattern length 3.</summary>
    private static float NearestOfThree(float[] s, int e, int step, int lo, int hi)
    {
        var c0 = new Vector<float>(s[e]);
        var c1 = new Vector<float>(s[e - step]);
        var c2 = new Vector<float>(s[e - (2 * step)]);
        ref float origin = ref MemoryMarshal.GetArrayDataReference(s);
        var best = new Vector<float>(float.PositiveInfinity);
        int last = hi - Vector<float>.Count + 1;
        for (int i = lo; ; i += Vector<float>.Count)
        {
            i = Math.Min(i, last);
            var d0 = c0 - Vector.LoadUnsafe(ref origin, (nuint)i);
            var d1 = c1 - Vector.LoadUnsafe(ref origin, (nuint)(i - step));
            var d2 = c2 - Vector.LoadUnsafe(ref origin, (nuint)(i - (2 * step)));
            best = Vector.MinNative(best, (d0 * d0) + (d1 * d1) + (d2 * d2));
            if (i == last)
            {
                return Smallest(best);
            }
        }
    }

    private bool IsHuge(float value) => Math.Abs(value) > _hugeMagnitude;

    private static float Smallest(Vector<float> values)
    {
        float best = values[0];
        for (int lane = 1; lane < Vector<float>.Count; lane++)
        {
            best = Math.Min(best, values[lane]);
        }

        return best;
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
        _layout++;
    }

    /// <summary>
    /// The slow-scale means of one memory, kept per thread between its points: a mean depends only on the f values it
    /// ends, which stay where they are until <see cref="MakeRoom"/> or <see cref="Read"/> moves them (both change the
    /// memory's layout number). So a memory that pushes again on the same thread, before another memory took the
    /// cache, computes one new mean instead of about H: a series fed a batch of points recomputes its means once per
    /// batch, a CLI run over one file once per compaction. The means are the same bit for bit either way (the same
    /// float operations on the same values), so neither results nor states depend on what was cached.
    /// </summary>
    private sealed class MeansCache
    {
        private float[] _means = [];
        private EnsemblePatternMemory? _owner;
        private int _layout;
        private int _from;
        private int _to = -1;

        /// <summary>A buffer holding <paramref name="memory"/>'s means at indexes [from, to] (and maybe more).</summary>
        public float[] Cover(EnsemblePatternMemory memory, int from, int to)
        {
            if (_means.Length < memory._x.Length)
            {
                _means = new float[memory._capacity + Slack];
                _owner = null;
            }

            if (_owner != memory || _layout != memory._layout || from < _from || from > _to + 1)
            {
                Means(memory._x, _means, from, to, memory._f);
                _owner = memory;
                _layout = memory._layout;
                _from = from;
                _to = to;
            }
            else if (to > _to)
            {
                Means(memory._x, _means, _to + 1, to, memory._f);
                _to = to;
            }

            return _means;
        }
    }
}

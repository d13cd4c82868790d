using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Perf.Analytics.Detection;

/// <summary>
/// The ensemble's pattern memory: the last H + m*f + f values (16-bit, on a grid over the range seen so far) and, per
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
/// <para>
/// Values are held as 16-bit steps of a grid: value = center + q * step (float32 arithmetic, relative to the first
/// value seen), q in [-32767, 32767], the grid spanning the range seen so far plus 12.5% on each side. A value beyond
/// the grid re-grids: the range (with new headroom) is spread over the 65,535 steps again and every held value is
/// re-quantised, which a growing range does ever more rarely (it must grow by at least an eighth each time). A step is
/// 1.25 / 65,534 of the range, about 2e-4 of the ensemble's unit of distance (vigilance 0.1 of the range), and
/// re-quantisations add at most a few steps of error: on NAB the scores moved by at most 3e-4 and the NAB scores not
/// at all (docs/DETECTION.md). The range is all-time, like the detector's own min and max, so a series that leaves
/// its first level keeps the resolution the detector measures with, even for large offsets (e.g. 1e9 +- 1 relative to
/// its first value).
/// </para>
/// <para>
/// The store is a linear buffer of the capacity plus <see cref="Slack"/>, compacted when its end is reached, so that
/// lagged patterns are contiguous slices while a live series holds little more than the values themselves. The buffer
/// starts small and doubles until it reaches that size, so a young series holds about its own points. The distance
/// loops run on float32: the held values decoded, and the slow-scale means computed from them (a mean of f values
/// summed oldest first, then divided by f), both in a scratch buffer of the calling thread (<see cref="Scratch"/>),
/// which keeps them for the memory that used it last. Decoding and means are the same float operations whether
/// computed now or cached, so the distances do not depend on what was cached, and a restored memory (the same steps
/// and grid) continues exactly.
/// </para>
/// </remarks>
internal sealed class EnsemblePatternMemory
{
    /// <summary>Free room at the end of the buffer: a compaction every this many points.</summary>
    private const int Slack = 64;

    /// <summary>The first size of the buffer; it doubles up to the capacity plus <see cref="Slack"/>.</summary>
    private const int InitialLength = 16;

    /// <summary>Largest step number; -MaxStep..MaxStep is 65,535 levels.</summary>
    private const int MaxStep = short.MaxValue;

    /// <summary>Room added on each side of the range seen when the grid is laid out, as a fraction of that range.</summary>
    private const double Headroom = 0.125;

    /// <summary>The decoded values and slow means of the memory that last used them on this thread.</summary>
    [ThreadStatic]
    private static Scratch? t_scratch;

    private readonly int _m;
    private readonly int _h;
    private readonly int _f;
    private readonly int _capacity;
    private readonly float _hugeMagnitude;
    private short[] _q;
    private int _start;
    private int _end;
    private double _anchor;
    private double _min; // range of the values seen (relative to the anchor, clamped to float), which the grid covers
    private double _max;
    private float _center;
    private float _step; // 0 while every value seen was the same: the grid is then that value alone
    private int _layout; // changes whenever held values move or change, which invalidates the scratch

    public EnsemblePatternMemory(int patternLength, int historyLength, int slowScale)
    {
        _m = patternLength;
        _h = historyLength;
        _f = slowScale;
        _capacity = historyLength + (patternLength * slowScale) + slowScale;

        // A float sum of f values of at most max / (2 f) stays finite (rounding adds far less than the factor 2).
        _hugeMagnitude = float.MaxValue / (2f * slowScale);
        _q = new short[Math.Min(InitialLength, _capacity + Slack)];
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
            _min = 0;
            _max = 0;
            _center = 0;
            _step = 0;
            _layout++;
        }

        if (_end == _q.Length)
        {
            MakeRoom();
        }

        // As float32, like the values compared: a subnormal double difference is 0, not a range to lay a grid over.
        double x = (float)Math.Clamp(value - _anchor, float.MinValue, float.MaxValue);
        _min = Math.Min(_min, x);
        _max = Math.Max(_max, x);
        if (!OnGrid(x))
        {
            Regrid();
        }

        int e = _end;
        _q[e] = Encode(x);
        _end++;
        if (_end - _start > _capacity)
        {
            _start++;
        }

        var scratch = t_scratch ??= new Scratch();
        float[] values = scratch.Values(this, e);

        // Differences of finite values square to a number or +infinity, never NaN: no NaN check needed at this scale.
        fast = Nearest(values, e, _m, 1, Math.Max(_start + _m - 1, e - _h), e - _m, _start, mayBeNaN: false);
        slow = _f > 1 ? NearestSlow(scratch, e) : double.NaN;
    }

    public void Write(BinaryWriter writer)
    {
        writer.Write(_anchor);
        writer.Write(_min);
        writer.Write(_max);
        writer.Write(_center);
        writer.Write(_step);
        writer.Write(Count);
        for (int i = _start; i < _end; i++)
        {
            writer.Write(_q[i]);
        }
    }

    /// <summary>Reads what <see cref="Write"/> wrote (the ensemble's state format 2).</summary>
    public void Read(BinaryReader reader)
    {
        _anchor = reader.ReadDouble();
        _min = reader.ReadDouble();
        _max = reader.ReadDouble();
        _center = reader.ReadSingle();
        _step = reader.ReadSingle();
        int count = StateIO.ReadLength(reader, 0, _capacity);
        if (!double.IsFinite(_anchor) || !(_min <= 0 && _max >= 0) || _min < float.MinValue || _max > float.MaxValue
            || !float.IsFinite(_center) || !(_step >= 0) || !float.IsFinite(_step) || (_step == 0 && _min != _max)
            || (count > 0 && !OnGrid(_min)) || (count > 0 && !OnGrid(_max)))
        {
            throw new InvalidDataException($"Detector state '{EnsembleDetector.TypeTag}': corrupt pattern grid.");
        }

        Reserve(count);
        for (int i = 0; i < count; i++)
        {
            short q = reader.ReadInt16();
            if (q < -MaxStep)
            {
                throw new InvalidDataException($"Detector state '{EnsembleDetector.TypeTag}': stored step {i} is out of range.");
            }

            _q[i] = q;
        }

        _start = 0;
        _end = count;
        _layout++;
    }

    /// <summary>
    /// Reads format 1 (float32 values relative to the anchor) and quantises it onto a grid over the range those values
    /// and <paramref name="min"/>..<paramref name="max"/> (the detector's range seen, absolute) span: the memory then
    /// continues as one that had been 16-bit all along, within the grid's resolution.
    /// </summary>
    public void ReadFormat1(BinaryReader reader, double min, double max)
    {
        _anchor = reader.ReadDouble();
        int count = StateIO.ReadLength(reader, 0, _capacity);
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = reader.ReadSingle();
            if (!float.IsFinite(values[i]))
            {
                throw new InvalidDataException($"Detector state '{EnsembleDetector.TypeTag}': stored value {i} is not finite.");
            }
        }

        _min = 0;
        _max = 0;
        if (count > 0)
        {
            _min = Math.Min(Math.Min(0, values.Min()), Math.Clamp(min - _anchor, float.MinValue, 0));
            _max = Math.Max(Math.Max(0, values.Max()), Math.Clamp(max - _anchor, 0, float.MaxValue));
        }

        Reserve(count);
        _start = 0;
        _end = 0;
        _center = 0;
        _step = 0;
        Regrid();
        for (int i = 0; i < count; i++)
        {
            _q[i] = Encode(values[i]);
        }

        _end = count;
    }

    /// <summary>The value of step <paramref name="q"/>, as every decoding computes it (float32, clamped).</summary>
    private float Decode(short q) => Math.Clamp(_center + (q * _step), float.MinValue, float.MaxValue);

    private short Encode(double x) => Quantise(x, _center, _step);

    /// <summary>The nearest step to <paramref name="x"/> (in double precision, however x was held).</summary>
    private static short Quantise(double x, float center, float step) =>
        step == 0 ? (short)0 : (short)Math.Clamp(Math.Round((x - center) / step), -MaxStep, MaxStep);

    private bool OnGrid(double x) => Math.Abs(x - _center) <= MaxStep * (double)_step;

    /// <summary>Lays the grid over the range seen plus headroom and re-quantises the held values onto it.</summary>
    private void Regrid()
    {
        double spread = _max - _min;
        double low = Math.Max(_min - (Headroom * spread), float.MinValue);
        double high = Math.Min(_max + (Headroom * spread), float.MaxValue);
        float center = (float)((low / 2) + (high / 2));
        float step = (float)((high - low) / (2.0 * MaxStep));

        // Rounding the centre and the step to float32 may leave an end of the range just off the grid: widen the step.
        while (spread > 0 && Math.Max(_max - center, center - _min) > MaxStep * (double)step)
        {
            step = MathF.BitIncrement(step);
        }

        for (int i = _start; i < _end; i++)
        {
            _q[i] = Quantise(Decode(_q[i]), center, spread == 0 ? 0 : step);
        }

        _center = center;
        _step = spread == 0 ? 0 : step;
        _layout++;
    }

    private void Reserve(int count)
    {
        if (count > _q.Length)
        {
            _q = new short[Math.Min(Math.Max(count, 2 * _q.Length), _capacity + Slack)];
        }
    }

    /// <summary>
    /// The slow-scale distance of the pattern ending at buffer index <paramref name="e"/>: the means of f values, f
    /// apart, against lags m*f..H, over the means whose f inputs are all held (from index start + f - 1 on).
    /// </summary>
    private double NearestSlow(Scratch scratch, int e)
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
        float[] means = scratch.Means(this, lo - reach, e);

        // Means of huge values can be infinite, and differences of infinite means NaN; the grid bounds every value.
        bool mayBeNaN = Math.Abs(_center) + (MaxStep * (double)_step) > _hugeMagnitude;
        return Nearest(means, e, _m, _f, lo, hi, low, mayBeNaN);
    }

    /// <summary>values[i] = the value of step q[i] for i in [from, to], as <see cref="Decode"/> computes it.</summary>
    private void DecodeInto(float[] values, int from, int to)
    {
        int i = from;
        int width = Vector<float>.Count;
        if (Vector.IsHardwareAccelerated && to - from + 1 >= 2 * width)
        {
            ref short q = ref MemoryMarshal.GetArrayDataReference(_q);
            ref float y = ref MemoryMarshal.GetArrayDataReference(values);
            var center = new Vector<float>(_center);
            var step = new Vector<float>(_step);
            var lowest = new Vector<float>(float.MinValue);
            var highest = new Vector<float>(float.MaxValue);

            // Two vectors of floats per vector of shorts; the last pair ends at `to`, overlapping (decoding is idempotent).
            int last = to - (2 * width) + 1;
            for (; ; i += 2 * width)
            {
                i = Math.Min(i, last);
                Vector.Widen(Vector.LoadUnsafe(ref q, (nuint)i), out Vector<int> lower, out Vector<int> upper);
                var first = center + (Vector.ConvertToSingle(lower) * step);
                var second = center + (Vector.ConvertToSingle(upper) * step);
                Vector.ClampNative(first, lowest, highest).StoreUnsafe(ref y, (nuint)i);
                Vector.ClampNative(second, lowest, highest).StoreUnsafe(ref y, (nuint)(i + width));
                if (i == last)
                {
                    return;
                }
            }
        }

        for (; i <= to; i++)
        {
            values[i] = Decode(_q[i]);
        }
    }

    /// <summary>
    /// The float32 values and slow-scale means of one memory, kept per thread between its points: a decoded value and a
    /// mean depend only on held steps and the grid, which stay as they are until <see cref="MakeRoom"/>,
    /// <see cref="Regrid"/> or a read moves or changes them (each changes the memory's layout number). So a memory
    /// that pushes again on the same thread, before another memory took the scratch, decodes one value and computes one
    /// mean instead of about H of each: a series fed a batch of points does the full work once per batch, a CLI run
    /// over one file once per compaction. The results are the same bit for bit either way.
    /// </summary>
    private sealed class Scratch
    {
        private float[] _values = [];
        private float[] _means = [];
        private EnsemblePatternMemory? _owner;
        private int _layout;
        private int _valuesFrom;
        private int _valuesTo = -1;
        private int _meansFrom;
        private int _meansTo = -1;

        /// <summary>The memory's decoded values, valid from its oldest held value up to index <paramref name="to"/>.</summary>
        public float[] Values(EnsemblePatternMemory memory, int to)
        {
            Bind(memory);
            int from = memory._start;
            if (from < _valuesFrom || from > _valuesTo + 1)
            {
                memory.DecodeInto(_values, from, to);
                _valuesFrom = from;
                _valuesTo = to;
            }
            else if (to > _valuesTo)
            {
                memory.DecodeInto(_values, _valuesTo + 1, to);
                _valuesTo = to;
            }

            return _values;
        }

        /// <summary>The memory's slow means at indexes [from, to] (after <see cref="Values"/> covered their inputs).</summary>
        public float[] Means(EnsemblePatternMemory memory, int from, int to)
        {
            if (from < _meansFrom || from > _meansTo + 1)
            {
                EnsemblePatternMemory.Means(_values, _means, from, to, memory._f);
                _meansFrom = from;
                _meansTo = to;
            }
            else if (to > _meansTo)
            {
                EnsemblePatternMemory.Means(_values, _means, _meansTo + 1, to, memory._f);
                _meansTo = to;
            }

            return _means;
        }

        private void Bind(EnsemblePatternMemory memory)
        {
            if (_values.Length < memory._q.Length)
            {
                _values = new float[memory._capacity + Slack];
                _means = new float[memory._capacity + Slack];
                _owner = null;
            }

            if (_owner != memory || _layout != memory._layout)
            {
                _owner = memory;
                _layout = memory._layout;
                _valuesFrom = 0;
                _valuesTo = -1;
                _meansFrom = 0;
                _meansTo = -1;
            }
        }
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
            if (f == 4)
            {
                // The default slow scale, unrolled: the same additions in the same order as the loop below.
                for (; ; p += width)
                {
                    p = Math.Min(p, last);
                    var four = ((Vector.LoadUnsafe(ref x, (nuint)(p - 3)) + Vector.LoadUnsafe(ref x, (nuint)(p - 2)))
                        + Vector.LoadUnsafe(ref x, (nuint)(p - 1))) + Vector.LoadUnsafe(ref x, (nuint)p);
                    (four * reciprocal).StoreUnsafe(ref y, (nuint)p);
                    if (p == last)
                    {
                        return;
                    }
                }
            }

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
        if (_q.Length < _capacity + Slack)
        {
            var larger = new short[Math.Min(2 * _q.Length, _capacity + Slack)];
            Array.Copy(_q, _start, larger, 0, count);
            _q = larger;
        }
        else
        {
            Array.Copy(_q, _start, _q, 0, count);
        }

        _start = 0;
        _end = count;
        _layout++;
    }
}

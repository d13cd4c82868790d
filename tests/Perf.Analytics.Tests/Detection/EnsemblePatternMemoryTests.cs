using Perf.Analytics.Detection;
using Xunit;

namespace Perf.Analytics.Tests.Detection;

/// <summary>
/// The pattern memory holds 16-bit steps of a grid, decodes them and computes its slow-scale means in a per-thread
/// scratch, and grows its buffer from a small one; the distances must be bit for bit those of the straightforward store
/// that keeps every step, value and mean in full-size buffers (<see cref="KeptMeans"/>), and within the stated
/// tolerance of the float32 store it replaced (<see cref="Float32Store"/>).
/// </summary>
public sealed class EnsemblePatternMemoryTests
{
    public static TheoryData<int, int, int> Shapes() => new()
    {
        { 3, 700, 4 },   // the engine's configuration
        { 3, 1000, 4 },  // the detector's default
        { 2, 24, 3 },
        { 5, 300, 7 },
        { 1, 8, 1 },     // one time scale
        { 16, 2048, 64 },
        { 4, 40, 5 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Distances_MatchAStoreThatKeepsEveryMean(int m, int h, int f)
    {
        var random = new Random((m * 1_000_003) + (h * 31) + f);
        var memory = new EnsemblePatternMemory(m, h, f);
        var reference = new KeptMeans(m, h, f);
        for (int i = 0; i < 3 * (h + (m * f) + f + 70); i++)
        {
            double value = 1e6 + (Math.Sin(i / 7.0) * 50) + (random.NextDouble() * 10) + (i % 97 == 0 ? 400 : 0);
            memory.Push(value, out double fast, out double slow);
            reference.Push(value, out double expectedFast, out double expectedSlow);
            Assert.Equal(BitConverter.DoubleToInt64Bits(expectedFast), BitConverter.DoubleToInt64Bits(fast));
            Assert.Equal(BitConverter.DoubleToInt64Bits(expectedSlow), BitConverter.DoubleToInt64Bits(slow));
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(17)]
    [InlineData(300)]
    [InlineData(716)]
    [InlineData(5000)]
    public void Restored_ContinuesWithTheSameDistances(int split)
    {
        var random = new Random(split);
        var memory = new EnsemblePatternMemory(3, 700, 4);
        var reference = new KeptMeans(3, 700, 4);
        for (int i = 0; i < split + 1500; i++)
        {
            if (i == split)
            {
                var stream = new MemoryStream();
                memory.Write(new BinaryWriter(stream));
                memory = new EnsemblePatternMemory(3, 700, 4);
                stream.Position = 0;
                memory.Read(new BinaryReader(stream));
            }

            double value = (i % 50) + random.NextDouble();
            memory.Push(value, out double fast, out double slow);
            reference.Push(value, out double expectedFast, out double expectedSlow);
            Assert.Equal(BitConverter.DoubleToInt64Bits(expectedSlow), BitConverter.DoubleToInt64Bits(slow));
            Assert.Equal(BitConverter.DoubleToInt64Bits(expectedSlow), BitConverter.DoubleToInt64Bits(slow));
        }
    }

    /// <summary>Series the vector loops must get right: no spread, huge offsets, tiny steps, values whose means overflow.</summary>
    public static TheoryData<string> AdversarialSeries() => [.. Adversarial.Keys];

    private static readonly Dictionary<string, Func<int, Random, double>> Adversarial = new()
    {
        ["constant"] = (i, r) => 42,
        ["offset 1e9 +- 1"] = (i, r) => 1e9 + (r.Next(3) - 1),
        ["tiny range"] = (i, r) => 1 + (r.NextDouble() * 1e-6),
        ["subnormal steps"] = (i, r) => r.Next(4) * double.Epsilon,
        ["1e38 and back"] = (i, r) => i % 50 < 25 ? 1e38 * r.NextDouble() : -1e38 * r.NextDouble(),
        ["one huge value"] = (i, r) => i == 400 ? 3e38 : r.NextDouble(),
        ["1e300"] = (i, r) => i % 3 == 0 ? 1e300 : -1e300,
        ["sawtooth"] = (i, r) => i % 17,
    };

    [Theory]
    [MemberData(nameof(AdversarialSeries))]
    public void Distances_MatchTheDefinition_OnAdversarialSeries(string series)
    {
        foreach (var (m, h, f) in new[] { (3, 700, 4), (2, 24, 3), (5, 64, 1), (4, 40, 8) })
        {
            var random = new Random(series.Length);
            var memory = new EnsemblePatternMemory(m, h, f);
            var reference = new KeptMeans(m, h, f);
            for (int i = 0; i < h + 900; i++)
            {
                double value = Adversarial[series](i, random);
                memory.Push(value, out double fast, out double slow);
                reference.Push(value, out double expectedFast, out double expectedSlow);
                AssertSame(expectedFast, fast, $"{series} m={m} h={h} f={f} fast at {i}");
                AssertSame(expectedSlow, slow, $"{series} m={m} h={h} f={f} slow at {i}");
            }
        }
    }

    /// <summary>
    /// The slow means are cached per thread for the memory that pushed last: memories taking turns (series sharing a
    /// thread, batches of different lengths) and a memory read back into place must never see another's means.
    /// </summary>
    [Fact]
    public void Memories_TakingTurnsOnOneThread_GetTheirOwnMeans()
    {
        var random = new Random(5);
        var memories = new[] { new EnsemblePatternMemory(3, 700, 4), new EnsemblePatternMemory(3, 700, 4), new EnsemblePatternMemory(3, 64, 4) };
        var references = new[] { new KeptMeans(3, 700, 4), new KeptMeans(3, 700, 4), new KeptMeans(3, 64, 4) };
        var offsets = new[] { 0.0, 1000.0, -5.0 };
        var pushed = new int[memories.Length];
        for (int turn = 0; turn < 600; turn++)
        {
            int which = random.Next(memories.Length);
            if (turn % 97 == 0)
            {
                // Read back into the same object: its values move, so cached means must not survive.
                var stream = new MemoryStream();
                memories[which].Write(new BinaryWriter(stream));
                stream.Position = 0;
                memories[which].Read(new BinaryReader(stream));
            }

            int batch = 1 + random.Next(12);
            for (int b = 0; b < batch; b++)
            {
                double value = offsets[which] + Math.Sin(pushed[which]++ / 5.0) + random.NextDouble();
                memories[which].Push(value, out double fast, out double slow);
                references[which].Push(value, out double expectedFast, out double expectedSlow);
                AssertSame(expectedFast, fast, $"memory {which} fast, turn {turn}");
                AssertSame(expectedSlow, slow, $"memory {which} slow, turn {turn}");
            }
        }
    }

    [Fact]
    public void Memories_OnSeveralThreads_GetTheirOwnMeans()
    {
        var memory = new EnsemblePatternMemory(3, 200, 4);
        var reference = new KeptMeans(3, 200, 4);
        var random = new Random(9);
        for (int round = 0; round < 12; round++)
        {
            // Rounds alternate between this thread and a new one, so this thread's cache holds the memory's means from
            // two rounds back: still valid up to where they end, unless a compaction moved the values meanwhile.
            var values = Enumerable.Range(0, 40).Select(_ => random.NextDouble() * 100).ToArray();
            var results = new (double Fast, double Slow)[values.Length];
            void Run()
            {
                for (int i = 0; i < values.Length; i++)
                {
                    memory.Push(values[i], out results[i].Fast, out results[i].Slow);
                }
            }

            if (round % 2 == 0)
            {
                Run();
            }
            else
            {
                var thread = new Thread(Run);
                thread.Start();
                thread.Join();
            }

            for (int i = 0; i < values.Length; i++)
            {
                reference.Push(values[i], out double expectedFast, out double expectedSlow);
                AssertSame(expectedFast, results[i].Fast, $"round {round} fast {i}");
                AssertSame(expectedSlow, results[i].Slow, $"round {round} slow {i}");
            }
        }
    }

    private static void AssertSame(double expected, double actual, string what) =>
        Assert.True(
            BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(actual) || (double.IsNaN(expected) && double.IsNaN(actual)),
            $"{what}: {expected:R} != {actual:R}");

    /// <summary>
    /// The stated tolerance of the 16-bit store against float32: every distance within 12 grid steps (each value is
    /// off by at most half a step per re-quantisation, and re-quantisations grow the step by at least 9/8, so by at
    /// most 4.5 final steps; a distance compares two patterns), i.e. within 2.3e-4 of the range, 2.3e-3 of the
    /// ensemble's unit of novelty.
    /// </summary>
    [Theory]
    [MemberData(nameof(Shapes))]
    public void Distances_StayWithinTwelveStepsOfTheFloat32Store(int m, int h, int f)
    {
        foreach (string series in new[] { "drifting", "growing", "noisy levels" })
        {
            var random = new Random((m * 31) + f);
            var memory = new EnsemblePatternMemory(m, h, f);
            var exact = new Float32Store(m, h, f);
            double min = double.PositiveInfinity;
            double max = double.NegativeInfinity;
            for (int i = 0; i < 2 * (h + (m * f) + f + 70); i++)
            {
                double value = series switch
                {
                    "drifting" => 1e6 + (i * 0.37) + (Math.Sin(i / 7.0) * 50) + (random.NextDouble() * 10),
                    "growing" => Math.Sin(i / 5.0) * Math.Pow(1.003, i) * 100,
                    _ => ((i / 200) % 3 * 40) + (random.NextDouble() * 5) + (i % 97 == 0 ? 400 : 0),
                };
                min = Math.Min(min, value);
                max = Math.Max(max, value);
                double step = 1.25 * (max - min) / 65534;
                memory.Push(value, out double fast, out double slow);
                exact.Push(value, out double expectedFast, out double expectedSlow);
                Assert.Equal(double.IsNaN(expectedFast), double.IsNaN(fast));
                Assert.Equal(double.IsNaN(expectedSlow), double.IsNaN(slow));
                Assert.True(double.IsNaN(fast) || Math.Abs(fast - expectedFast) <= 12 * step, $"{series} fast at {i}: {fast} vs {expectedFast} (step {step})");
                Assert.True(double.IsNaN(slow) || Math.Abs(slow - expectedSlow) <= 12 * step, $"{series} slow at {i}: {slow} vs {expectedSlow} (step {step})");
            }
        }
    }

    /// <summary>
    /// The definition, kept simple: every step, its value and every slow mean in lists that never move (no compaction,
    /// no scratch), re-laid by plain loops when the grid changes; the nearest pattern found by a plain loop.
    /// </summary>
    private sealed class KeptMeans(int m, int h, int f)
    {
        private readonly List<short> _q = [];
        private readonly List<float> _x = [];
        private readonly List<float> _y = [];
        private readonly int _capacity = h + (m * f) + f;
        private double _anchor;
        private double _min;
        private double _max;
        private float _center;
        private float _step;

        public void Push(double value, out double fast, out double slow)
        {
            if (_q.Count == 0)
            {
                _anchor = value;
            }

            double x = (float)Math.Clamp(value - _anchor, float.MinValue, float.MaxValue);
            _min = Math.Min(_min, x);
            _max = Math.Max(_max, x);
            int e = _q.Count;
            int start = Math.Max(0, e + 1 - _capacity);
            if (Math.Abs(x - _center) > 32767 * (double)_step)
            {
                // The grid: the range seen plus 1/8 of it on each side, 65,535 steps, widened until it covers the range.
                double spread = _max - _min;
                double low = Math.Max(_min - (spread / 8), float.MinValue);
                double high = Math.Min(_max + (spread / 8), float.MaxValue);
                float center = (float)((low / 2) + (high / 2));
                float step = (float)((high - low) / 65534);
                while (Math.Max(_max - center, center - _min) > 32767 * (double)step)
                {
                    step = MathF.BitIncrement(step);
                }

                for (int i = start; i < e; i++)
                {
                    _q[i] = Quantise(_x[i], center, step);
                }

                _center = center;
                _step = step;
                for (int i = start; i < e; i++)
                {
                    _x[i] = Decode(_q[i]);
                }

                for (int p = start + f - 1; p < e; p++)
                {
                    _y[p] = Mean(p);
                }
            }

            _q.Add(Quantise(x, _center, _step));
            _x.Add(Decode(_q[e]));
            _y.Add(e - f + 1 >= 0 ? Mean(e) : float.NaN); // NaN: never compared
            fast = Nearest(m, _x, e, 1, Math.Max(start + m - 1, e - h), e - m, start);
            if (f > 1)
            {
                int low = start + f - 1;
                slow = Nearest(m, _y, e, f, Math.Max(low + ((m - 1) * f), e - h), e - (m * f), low);
            }
            else
            {
                slow = double.NaN;
            }
        }

        private float Mean(int p)
        {
            float sum = _x[p - f + 1];
            for (int q = p - f + 2; q <= p; q++)
            {
                sum += _x[q];
            }

            return sum / f;
        }

        private static short Quantise(double x, float center, float step) =>
            step == 0 ? (short)0 : (short)Math.Clamp(Math.Round((x - center) / step), -32767, 32767);

        private float Decode(short q) => Math.Clamp(_center + (q * _step), float.MinValue, float.MaxValue);
    }

    /// <summary>The float32 store the 16-bit one replaced: every value as float32 relative to the first.</summary>
    private sealed class Float32Store(int m, int h, int f)
    {
        private readonly List<float> _x = [];
        private readonly List<float> _y = [];
        private readonly int _capacity = h + (m * f) + f;
        private double _anchor;

        public void Push(double value, out double fast, out double slow)
        {
            if (_x.Count == 0)
            {
                _anchor = value;
            }

            _x.Add((float)Math.Clamp(value - _anchor, float.MinValue, float.MaxValue));
            int e = _x.Count - 1;
            int start = Math.Max(0, _x.Count - _capacity);
            if (e - (f - 1) >= 0)
            {
                float sum = _x[e - f + 1];
                for (int q = e - f + 2; q <= e; q++)
                {
                    sum += _x[q];
                }

                _y.Add(sum / f);
            }
            else
            {
                _y.Add(float.NaN); // never compared
            }

            fast = Nearest(m, _x, e, 1, Math.Max(start + m - 1, e - h), e - m, start);
            if (f > 1)
            {
                int low = start + f - 1;
                slow = Nearest(m, _y, e, f, Math.Max(low + ((m - 1) * f), e - h), e - (m * f), low);
            }
            else
            {
                slow = double.NaN;
            }
        }
    }

    private static double Nearest(int m, List<float> s, int e, int step, int lo, int hi, int floor)
    {
        if (lo > hi || e - ((m - 1) * step) < floor)
        {
            return double.NaN;
        }

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

        return Math.Sqrt(best / (double)m);
    }
}

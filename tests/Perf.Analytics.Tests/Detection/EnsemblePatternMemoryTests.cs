using Perf.Analytics.Detection;
using Xunit;

namespace Perf.Analytics.Tests.Detection;

/// <summary>
/// The pattern memory recomputes its slow-scale means per point and grows its buffer from a small one; the distances
/// must be bit for bit those of the straightforward store that kept every value and every mean in full-size buffers.
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
            Assert.Equal(BitConverter.DoubleToInt64Bits(expectedFast), BitConverter.DoubleToInt64Bits(fast));
            Assert.Equal(BitConverter.DoubleToInt64Bits(expectedSlow), BitConverter.DoubleToInt64Bits(slow));
        }
    }

    /// <summary>
    /// The definition, kept simple: every value and every slow mean in buffers that never move (no compaction), the
    /// nearest pattern found by a plain loop.
    /// </summary>
    private sealed class KeptMeans(int m, int h, int f)
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

            fast = Nearest(_x, e, 1, Math.Max(start + m - 1, e - h), e - m, start);
            if (f > 1)
            {
                int low = start + f - 1;
                slow = Nearest(_y, e, f, Math.Max(low + ((m - 1) * f), e - h), e - (m * f), low);
            }
            else
            {
                slow = double.NaN;
            }
        }

        private double Nearest(List<float> s, int e, int step, int lo, int hi, int floor)
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
}

using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Perf.Analytics.Detection;

/// <summary>
/// The last W raw scores (float32, as ML.NET keeps them) and the kernel p-value of a new score against them
/// (SPEC section 0, step 1): Gaussian kernels with bandwidth max(sqrt(2) * populationStd(H), 1e-6), or sqrt(2) when
/// H holds one score.
/// </summary>
/// <remarks>
/// The spec keeps S = sum over pairs (h_i - h_j)^2 incrementally; this class recomputes the population variance
/// (S / n^2) from H at every point instead. The p-value pass is O(W) anyway, the result is the same up to rounding,
/// and it cannot drift: an incrementally kept S leaves a residue after a huge score leaves the window, which would
/// widen the bandwidth of a near-constant series forever.
/// <para>
/// The p-value is computed in double precision, four scores at a time (<see cref="Vector256{T}"/>, with the vector
/// erf of <see cref="ErfApproximation"/>): about 4.5 times faster than the scalar loop, and within about 1e-15 of it
/// (tests/Perf.Analytics.Tests/Detection/ScoreHistoryTests.cs holds the scalar reference and the stated tolerance,
/// 1e-12). float32 arithmetic would be faster still but is off by up to 5e-8, which the ML.NET reference vectors do not
/// allow (they assert some p-values to 1e-15). The scores are held oldest first at the start of the array (a full
/// history shifts down by one per point, a memmove of W floats), so which scores share a vector lane depends only on
/// their age: a restored history, written and read in that order, reproduces the same sums bit for bit.
/// </para>
/// </remarks>
internal sealed class ScoreHistory
{
    private static readonly double Sqrt2 = Math.Sqrt(2.0);

    private readonly float[] _scores;
    private int _count;

    public ScoreHistory(int capacity)
    {
        _scores = new float[capacity];
    }

    public int Capacity => _scores.Length;

    public int Count => _count;

    public bool IsFull => _count == _scores.Length;

    /// <summary>The held scores, oldest first.</summary>
    public ReadOnlySpan<float> Scores => _scores.AsSpan(0, _count);

    /// <summary>The one-sided p-value P(score' >= score) under the kernel density of H; 0.5 when H is empty.</summary>
    public double PValue(float score) => PValue(Scores, score);

    /// <summary>
    /// The one-sided p-value of <paramref name="score"/> under the kernel density of <paramref name="history"/> (oldest
    /// first; the order decides the rounding); 0.5 when it is empty.
    /// </summary>
    public static double PValue(ReadOnlySpan<float> history, float score)
    {
        int n = history.Length;
        if (n == 0)
        {
            return 0.5;
        }

        double sigma = n == 1 ? 1.0 : PopulationStd(history);
        double bandwidth = Math.Max(Sqrt2 * sigma, 1e-6);
        return 0.5 - (ErfSum(history, score, bandwidth) / (2.0 * n));
    }

    public void Push(float score)
    {
        if (_count < _scores.Length)
        {
            _scores[_count++] = score;
        }
        else
        {
            _scores.AsSpan(1).CopyTo(_scores);
            _scores[^1] = score;
        }
    }

    public void Write(BinaryWriter writer)
    {
        writer.Write(_count);
        foreach (float b in Scores)
        {
            writer.Write(b);
        }
    }

    public void Read(BinaryReader reader)
    {
        _count = StateIO.ReadLength(reader, 0, _scores.Length);
        for (int i = 0; i < _count; i++)
        {
            _scores[i] = reader.ReadSingle();
        }
    }

    private static double PopulationStd(ReadOnlySpan<float> history)
    {
        int n = history.Length;
        ref float first = ref MemoryMarshal.GetReference(history);
        int i = 0;
        double sum = 0;
        if (Vector256.IsHardwareAccelerated && n >= Vector256<double>.Count)
        {
            var sums = Vector256<double>.Zero;
            for (; i <= n - Vector256<double>.Count; i += Vector256<double>.Count)
            {
                sums += Load(ref first, i);
            }

            sum = Vector256.Sum(sums);
        }

        for (; i < n; i++)
        {
            sum += history[i];
        }

        double mean = sum / n;
        i = 0;
        double squares = 0;
        if (Vector256.IsHardwareAccelerated && n >= Vector256<double>.Count)
        {
            var means = Vector256.Create(mean);
            var sums = Vector256<double>.Zero;
            for (; i <= n - Vector256<double>.Count; i += Vector256<double>.Count)
            {
                var d = Load(ref first, i) - means;
                sums += d * d;
            }

            squares = Vector256.Sum(sums);
        }

        for (; i < n; i++)
        {
            double d = history[i] - mean;
            squares += d * d;
        }

        return Math.Sqrt(squares / n);
    }

    /// <summary>Sum of erf((score - h) / bandwidth) over the history.</summary>
    private static double ErfSum(ReadOnlySpan<float> history, float score, double bandwidth)
    {
        int n = history.Length;
        double r = score;
        int i = 0;
        double sum = 0;
        if (Vector256.IsHardwareAccelerated && n >= Vector256<double>.Count)
        {
            ref float first = ref MemoryMarshal.GetReference(history);
            var scores = Vector256.Create(r);

            // A multiplication by the reciprocal instead of a division per lane: at most one more rounding of the
            // argument, a relative 1e-16, for one division fewer per four scores.
            var inverse = Vector256.Create(1.0 / bandwidth);
            var sums = Vector256<double>.Zero;
            for (; i <= n - Vector256<double>.Count; i += Vector256<double>.Count)
            {
                sums += ErfApproximation.Erf((scores - Load(ref first, i)) * inverse);
            }

            sum = Vector256.Sum(sums);
        }

        for (; i < n; i++)
        {
            sum += ErfApproximation.Erf((r - history[i]) / bandwidth);
        }

        return sum;
    }

    /// <summary>Four floats from <paramref name="first"/> + <paramref name="index"/>, widened to doubles (exactly).</summary>
    private static Vector256<double> Load(ref float first, int index) =>
        Vector256.WidenLower(Vector128.LoadUnsafe(ref first, (nuint)index).ToVector256Unsafe());
}

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
/// widen the bandwidth of a near-constant series forever. Scores are always visited oldest first, so a restored
/// history (written in logical order) reproduces the same sums bit for bit.
/// </remarks>
internal sealed class ScoreHistory
{
    private static readonly double Sqrt2 = Math.Sqrt(2.0);

    private readonly float[] _ring;
    private int _start;
    private int _count;

    public ScoreHistory(int capacity)
    {
        _ring = new float[capacity];
    }

    public int Capacity => _ring.Length;

    public int Count => _count;

    public bool IsFull => _count == _ring.Length;

    /// <summary>The one-sided p-value P(score' >= score) under the kernel density of H; 0.5 when H is empty.</summary>
    public double PValue(float score)
    {
        int n = _count;
        if (n == 0)
        {
            return 0.5;
        }

        ReadOnlySpan<float> first = Head();
        ReadOnlySpan<float> second = Tail();
        double sigma;
        if (n == 1)
        {
            sigma = 1.0;
        }
        else
        {
            double sum = 0;
            foreach (float b in first)
            {
                sum += b;
            }

            foreach (float b in second)
            {
                sum += b;
            }

            double mean = sum / n;
            double squares = 0;
            foreach (float b in first)
            {
                double d = b - mean;
                squares += d * d;
            }

            foreach (float b in second)
            {
                double d = b - mean;
                squares += d * d;
            }

            sigma = Math.Sqrt(squares / n);
        }

        double bandwidth = Math.Max(Sqrt2 * sigma, 1e-6);
        double r = score;
        double erfSum = 0;
        foreach (float b in first)
        {
            erfSum += ErfApproximation.Erf((r - b) / bandwidth);
        }

        foreach (float b in second)
        {
            erfSum += ErfApproximation.Erf((r - b) / bandwidth);
        }

        return 0.5 - (erfSum / (2.0 * n));
    }

    public void Push(float score)
    {
        if (_count < _ring.Length)
        {
            int index = _start + _count;
            if (index >= _ring.Length)
            {
                index -= _ring.Length;
            }

            _ring[index] = score;
            _count++;
        }
        else
        {
            _ring[_start] = score;
            _start = _start + 1 == _ring.Length ? 0 : _start + 1;
        }
    }

    public void Write(BinaryWriter writer)
    {
        writer.Write(_count);
        foreach (float b in Head())
        {
            writer.Write(b);
        }

        foreach (float b in Tail())
        {
            writer.Write(b);
        }
    }

    public void Read(BinaryReader reader)
    {
        _count = StateIO.ReadLength(reader, 0, _ring.Length);
        _start = 0;
        for (int i = 0; i < _count; i++)
        {
            _ring[i] = reader.ReadSingle();
        }
    }

    // Oldest scores first: [_start, end of the ring) then [0, wrapped part).
    private ReadOnlySpan<float> Head() => _ring.AsSpan(_start, Math.Min(_count, _ring.Length - _start));

    private ReadOnlySpan<float> Tail() => _ring.AsSpan(0, _count - Math.Min(_count, _ring.Length - _start));
}

namespace Perf.Analytics.Detection;

/// <summary>
/// A streaming form of Numenta's anomaly likelihood (nupic <c>AnomalyLikelihood</c>, as NAB's HTM detector uses it):
/// the moving average of the last w novelty scores is judged against a normal distribution of past averages, and
/// the tail probability Q(|a - mean| / std) is returned (small = unusual). Differences from nupic: the mean and
/// variance are running estimates (plain averages, then exponential with weight 1 / horizon) instead of a
/// re-estimate over the last 8640 stored scores every 100 points, so the state is O(w); and the "red" filter
/// that turns a red probability right after another red one into yellow looks back R points instead of 1.
/// </summary>
internal sealed class EnsembleLikelihood
{
    /// <summary>A tail probability at or below this is "red" (nupic: likelihood 0.99999).</summary>
    public const double Red = 1e-5;

    /// <summary>What a red probability inside the refractory period is raised to (nupic: likelihood 0.999).</summary>
    public const double Yellow = 1e-3;

    // nupic's lower bounds on the estimated distribution (performLowerBoundCheck).
    private const double MinMean = 0.03;
    private const double MinVariance = 0.0003;

    private readonly double[] _window;
    private readonly int _learning;
    private readonly int _estimation;
    private readonly int _horizon;
    private readonly int _refractory;
    private int _windowCount;
    private int _windowNext;
    private long _samples;
    private double _mean;
    private double _variance;
    private long _lastRed = -1; // point number of the last red probability, -1 before the first

    public EnsembleLikelihood(int averagingWindow, int learningPoints, int estimationPoints, int horizon, int refractoryPoints)
    {
        _window = new double[averagingWindow];
        _learning = learningPoints;
        _estimation = estimationPoints;
        _horizon = horizon;
        _refractory = refractoryPoints;
    }

    /// <summary>
    /// Adds the novelty of point number <paramref name="n"/> (1-based count of finite points) and returns the tail
    /// probability of the new moving average: 1 while the distribution is still being estimated or while
    /// <paramref name="scoring"/> is false.
    /// </summary>
    public double Update(double novelty, long n, bool scoring)
    {
        // A degenerate scale (a range of subnormal width) makes a NaN novelty, which would poison the estimates for good
        // (and the state could not be read back): it counts as no novelty.
        if (!double.IsFinite(novelty)) novelty = 0;
        _window[_windowNext] = novelty;
        _windowNext = _windowNext + 1 == _window.Length ? 0 : _windowNext + 1;
        _windowCount = Math.Min(_windowCount + 1, _window.Length);
        double average = Average();

        double tail = 1;
        if (scoring && _samples >= _estimation)
        {
            double mean = Math.Max(_mean, MinMean);
            double std = Math.Sqrt(Math.Max(_variance, MinVariance));
            double x = average >= mean ? average : (2 * mean) - average; // nupic: both tails
            tail = UpperTail((x - mean) / std);
            if (tail <= Red)
            {
                if (_lastRed >= 0 && n - _lastRed <= _refractory)
                {
                    tail = Math.Max(tail, Yellow);
                }

                _lastRed = n;
            }
        }

        if (n > _learning)
        {
            _samples++;
            double alpha = Math.Max(1.0 / _samples, 1.0 / _horizon);
            double d = average - _mean;
            _mean += alpha * d;
            _variance = (1 - alpha) * (_variance + (alpha * d * d));
        }

        return tail;
    }

    /// <summary>
    /// Records an anomaly reported by other means (a new extreme) at point <paramref name="n"/>: red probabilities
    /// within the refractory period after it are reported as yellow, as after a red one.
    /// </summary>
    public void MarkReported(long n) => _lastRed = n;

    /// <summary>
    /// Q(z) = P(Z &gt; z) for a standard normal, 0.5 * erfc(z / sqrt 2), with a relative error below 1.2e-7 deep into
    /// the tail (the Chebyshev-fitted erfc of Numerical Recipes, section 6.2), so probabilities down to 1e-10 keep
    /// their digits.
    /// </summary>
    public static double UpperTail(double z)
    {
        double x = z / Math.Sqrt(2);
        double a = Math.Abs(x);
        double t = 1 / (1 + (0.5 * a));
        double poly = 0.17087277;
        poly = (poly * t) - 0.82215223;
        poly = (poly * t) + 1.48851587;
        poly = (poly * t) - 1.13520398;
        poly = (poly * t) + 0.27886807;
        poly = (poly * t) - 0.18628806;
        poly = (poly * t) + 0.09678418;
        poly = (poly * t) + 0.37409196;
        poly = (poly * t) + 1.00002368;
        poly = (poly * t) - 1.26551223;
        double erfc = t * Math.Exp(-(a * a) + poly);
        return 0.5 * (x >= 0 ? erfc : 2 - erfc);
    }

    public void Write(BinaryWriter writer)
    {
        writer.Write(_windowCount);
        int first = _windowCount < _window.Length ? 0 : _windowNext;
        for (int i = 0; i < _windowCount; i++)
        {
            int index = first + i;
            writer.Write(_window[index >= _window.Length ? index - _window.Length : index]);
        }

        writer.Write(_samples);
        writer.Write(_mean);
        writer.Write(_variance);
        writer.Write(_lastRed);
    }

    public void Read(BinaryReader reader)
    {
        _windowCount = StateIO.ReadLength(reader, 0, _window.Length);
        for (int i = 0; i < _windowCount; i++)
        {
            _window[i] = reader.ReadDouble();
        }

        _windowNext = _windowCount == _window.Length ? 0 : _windowCount;
        _samples = reader.ReadInt64();
        _mean = reader.ReadDouble();
        _variance = reader.ReadDouble();
        _lastRed = reader.ReadInt64();
        if (_samples < 0 || _lastRed < -1 || !double.IsFinite(_mean) || !(_variance >= 0) || double.IsInfinity(_variance))
        {
            throw new InvalidDataException($"Detector state '{EnsembleDetector.TypeTag}': corrupt likelihood estimates.");
        }
    }

    /// <summary>The mean of the held novelty scores, summed oldest first (so a restored window sums identically).</summary>
    private double Average()
    {
        int first = _windowCount < _window.Length ? 0 : _windowNext;
        double sum = 0;
        for (int i = 0; i < _windowCount; i++)
        {
            int index = first + i;
            sum += _window[index >= _window.Length ? index - _window.Length : index];
        }

        return sum / _windowCount;
    }
}

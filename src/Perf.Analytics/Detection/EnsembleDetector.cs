namespace Perf.Analytics.Detection;

/// <summary>
/// One anomaly score in [0, 1] per point for operational series (CPU, latency, request counts, temperatures), in
/// the spirit of NAB's best streaming detectors: pattern novelty at two time scales, judged by Numenta's anomaly
/// likelihood, with new extremes of the series always scoring 1. Output
/// [Alert, Score, Novelty, TailProbability, Spatial]; design and NAB measurements in docs/DETECTION.md.
/// </summary>
/// <remarks>
/// Per finite point x (the count n includes it):
/// <list type="number">
/// <item>Spatial: x lies outside [min, max] of the values seen before it by more than SpatialTolerance * (max - min)
/// (Numenta's "spatial anomaly").</item>
/// <item>Novelty: for the fast (last m values) and slow (m means of f values) patterns ending at x, the RMS distance d
/// to the nearest earlier pattern within H points (<see cref="EnsemblePatternMemory"/>), as min(1, d / (Vigilance *
/// (max - min))); Novelty is the larger of the two (0 while max = min).</item>
/// <item>TailProbability: the anomaly likelihood of the moving average of Novelty (<see cref="EnsembleLikelihood"/>);
/// 1 until LearningPoints + EstimationPoints points and MinDataPoints points have been seen.</item>
/// <item>Score: 0 before MinDataPoints points; else 1 for a spatial anomaly; else ln(p + 1e-10) / ln(1e-10) with p the
/// tail probability (Numenta's log-likelihood score: 0.5 at p = 1e-5, 1 at p &lt;= 1e-10).</item>
/// <item>Alert: Score &gt;= <see cref="EnsembleOptions.EffectiveThreshold"/> (0.5 at the default sensitivity).</item>
/// </list>
/// A missing point (NaN or infinity) outputs [0, NaN, NaN, NaN, NaN] and leaves the state untouched. Cost: O(H * m)
/// float operations per point (vectorised), state about 2 * (H + m*f + f) + 270 bytes (16-bit values). Not thread-safe.
/// </remarks>
public sealed class EnsembleDetector : IStreamingDetector
{
    /// <summary>Name and state tag.</summary>
    public const string TypeTag = "ensemble";

    /// <summary>2: the pattern memory holds 16-bit steps of a grid (1: float32 values, still read).</summary>
    private const byte FormatVersion = 2;

    private static readonly IReadOnlyList<string> Columns =
        Array.AsReadOnly(["Alert", "Score", "Novelty", "TailProbability", "Spatial"]);

    private readonly EnsemblePatternMemory _memory;
    private readonly EnsembleLikelihood _likelihood;
    private readonly double _threshold;
    private long _count;
    private double _min;
    private double _max;

    public EnsembleDetector()
        : this(new EnsembleOptions())
    {
    }

    public EnsembleDetector(EnsembleOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        _threshold = options.EffectiveThreshold;
        _memory = new EnsemblePatternMemory(options.PatternLength, options.HistoryLength, options.SlowScale);
        _likelihood = new EnsembleLikelihood(
            options.AveragingWindow, options.LearningPoints, options.EstimationPoints, options.LikelihoodHorizon, options.RefractoryPoints);
    }

    public EnsembleOptions Options { get; }

    public string Name => TypeTag;

    /// <summary>
    /// [Alert, Score, Novelty, TailProbability, Spatial]: Alert 0/1; Score in [0, 1]; Novelty in [0, 1] (pattern
    /// novelty of this point); TailProbability in (0, 1] (of the averaged novelty, after the refractory filter);
    /// Spatial 0/1 (a new extreme).
    /// </summary>
    public IReadOnlyList<string> OutputColumns => Columns;

    /// <summary>Finite points consumed.</summary>
    public long Count => _count;

    public void Update(double value, Span<double> output)
    {
        DetectorColumns.CheckOutput(output, 5);
        if (!double.IsFinite(value))
        {
            AnomalyScorer.WriteMissing(output);
            return;
        }

        _count++;
        double range = _count > 1 ? _max - _min : 0;
        bool spatial = false;
        double novelty = 0;
        _memory.Push(value, out double fast, out double slow);
        if (range > 0 && double.IsFinite(range))
        {
            double tolerance = Options.SpatialTolerance * range;
            spatial = value > _max + tolerance || value < _min - tolerance;
            double scale = Options.Vigilance * range;
            novelty = Math.Max(Novelty(fast, scale), Novelty(slow, scale));
        }

        if (_count == 1)
        {
            _min = value;
            _max = value;
        }
        else
        {
            _min = Math.Min(_min, value);
            _max = Math.Max(_max, value);
        }

        bool scoring = _count >= Options.MinDataPoints;
        double tail = _likelihood.Update(novelty, _count, scoring);
        double score = !scoring ? 0 : spatial ? 1 : LogScore(tail);
        if (scoring && spatial)
        {
            _likelihood.MarkReported(_count); // one episode, one alert: the novelty that follows is refractory
        }

        output[0] = scoring && score >= _threshold ? 1 : 0;
        output[1] = score;
        output[2] = novelty;
        output[3] = tail;
        output[4] = scoring && spatial ? 1 : 0;
    }

    /// <summary>Numenta's log-likelihood score: ln(p + 1e-10) / ln(1e-10), clamped to [0, 1].</summary>
    public static double LogScore(double tailProbability) =>
        Math.Clamp(Math.Log(tailProbability + 1e-10) / Math.Log(1e-10), 0, 1);

    public void WriteState(BinaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(TypeTag);
        writer.Write(FormatVersion);
        var o = Options;
        writer.Write(o.Sensitivity);
        writer.Write(o.Threshold.HasValue);
        writer.Write(o.Threshold ?? 0);
        writer.Write(o.MinDataPoints);
        writer.Write(o.PatternLength);
        writer.Write(o.HistoryLength);
        writer.Write(o.SlowScale);
        writer.Write(o.Vigilance);
        writer.Write(o.SpatialTolerance);
        writer.Write(o.AveragingWindow);
        writer.Write(o.LearningPoints);
        writer.Write(o.EstimationPoints);
        writer.Write(o.LikelihoodHorizon);
        writer.Write(o.RefractoryPoints);
        writer.Write(_count);
        writer.Write(_min);
        writer.Write(_max);
        _memory.Write(writer);
        _likelihood.Write(writer);
    }

    /// <summary>Reads what <see cref="WriteState"/> wrote after the tag (see <see cref="DetectorState.Read"/>).</summary>
    internal static EnsembleDetector ReadState(BinaryReader reader)
    {
        byte version = reader.ReadByte();
        if (version is not (1 or FormatVersion))
        {
            throw new InvalidDataException($"Detector state '{TypeTag}': unsupported format version {version}.");
        }

        double sensitivity = reader.ReadDouble();
        bool hasThreshold = reader.ReadBoolean();
        double threshold = reader.ReadDouble();
        int minDataPoints = reader.ReadInt32();
        int patternLength = reader.ReadInt32();
        int historyLength = reader.ReadInt32();
        int slowScale = reader.ReadInt32();
        double vigilance = reader.ReadDouble();
        double spatialTolerance = reader.ReadDouble();
        int averagingWindow = reader.ReadInt32();
        int learningPoints = reader.ReadInt32();
        int estimationPoints = reader.ReadInt32();
        int likelihoodHorizon = reader.ReadInt32();
        int refractoryPoints = reader.ReadInt32();
        var detector = StateIO.Construct(() => new EnsembleDetector(new EnsembleOptions
        {
            Sensitivity = sensitivity,
            Threshold = hasThreshold ? threshold : null,
            MinDataPoints = minDataPoints,
            PatternLength = patternLength,
            HistoryLength = historyLength,
            SlowScale = slowScale,
            Vigilance = vigilance,
            SpatialTolerance = spatialTolerance,
            AveragingWindow = averagingWindow,
            LearningPoints = learningPoints,
            EstimationPoints = estimationPoints,
            LikelihoodHorizon = likelihoodHorizon,
            RefractoryPoints = refractoryPoints,
        }));
        detector._count = reader.ReadInt64();
        detector._min = reader.ReadDouble();
        detector._max = reader.ReadDouble();
        if (detector._count < 0 || (detector._count > 0 && !(detector._min <= detector._max)))
        {
            throw new InvalidDataException($"Detector state '{TypeTag}': corrupt count or range.");
        }

        if (version == 1)
        {
            detector._memory.ReadFormat1(reader, detector._min, detector._max);
        }
        else
        {
            detector._memory.Read(reader);
        }

        detector._likelihood.Read(reader);
        return detector;
    }

    private static double Novelty(double distance, double scale) =>
        double.IsNaN(distance) ? 0 : Math.Min(1, distance / scale);
}

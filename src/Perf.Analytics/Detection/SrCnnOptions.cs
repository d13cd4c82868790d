namespace Perf.Analytics.Detection;

/// <summary>
/// Parameters of the streaming spectral-residual detector (ML.NET DetectAnomalyBySrCnn; SPEC section 4).
/// Every property validates on assignment (<see cref="ArgumentOutOfRangeException"/> naming the property);
/// <see cref="Validate"/> checks the constraint between properties.
/// </summary>
public sealed record SrCnnOptions
{
    /// <summary>Largest accepted <see cref="WindowSize"/> (and back-add, lookahead, averaging, judgement windows).</summary>
    public const int MaxWindowSize = 1 << 20;

    private readonly int _windowSize = 64;
    private readonly int _backAddWindowSize = 5;
    private readonly int _lookaheadWindowSize = 5;
    private readonly int _averagingWindowSize = 3;
    private readonly int _judgementWindowSize = 21;
    private readonly double _threshold = 0.3;

    /// <summary>Points per scored window (default 64); at least 3 and more than <see cref="LookaheadWindowSize"/> + 1.</summary>
    public int WindowSize
    {
        get => _windowSize;
        init => _windowSize = value is >= 3 and <= MaxWindowSize
            ? value
            : throw new ArgumentOutOfRangeException(nameof(WindowSize), value, $"Must be in [3, {MaxWindowSize}].");
    }

    /// <summary>Copies of the extrapolated point appended before the transform (default 5), at least 1.</summary>
    public int BackAddWindowSize
    {
        get => _backAddWindowSize;
        init => _backAddWindowSize = value is >= 1 and <= MaxWindowSize
            ? value
            : throw new ArgumentOutOfRangeException(nameof(BackAddWindowSize), value, $"Must be in [1, {MaxWindowSize}].");
    }

    /// <summary>Points the extrapolation looks at (default 5), at least 1.</summary>
    public int LookaheadWindowSize
    {
        get => _lookaheadWindowSize;
        init => _lookaheadWindowSize = value is >= 1 and <= MaxWindowSize
            ? value
            : throw new ArgumentOutOfRangeException(nameof(LookaheadWindowSize), value, $"Must be in [1, {MaxWindowSize}].");
    }

    /// <summary>Width of the trailing mean over the log-amplitude spectrum (default 3), at least 1.</summary>
    public int AveragingWindowSize
    {
        get => _averagingWindowSize;
        init => _averagingWindowSize = value is >= 1 and <= MaxWindowSize
            ? value
            : throw new ArgumentOutOfRangeException(nameof(AveragingWindowSize), value, $"Must be in [1, {MaxWindowSize}].");
    }

    /// <summary>Width of the trailing mean of the saliency the score compares against (default 21), at least 1.</summary>
    public int JudgementWindowSize
    {
        get => _judgementWindowSize;
        init => _judgementWindowSize = value is >= 1 and <= MaxWindowSize
            ? value
            : throw new ArgumentOutOfRangeException(nameof(JudgementWindowSize), value, $"Must be in [1, {MaxWindowSize}].");
    }

    /// <summary>Alert when the score clamped to [0, 1] exceeds this (default 0.3); in [0, 1].</summary>
    public double Threshold
    {
        get => _threshold;
        init => _threshold = value is >= 0 and <= 1 ? value : throw new ArgumentOutOfRangeException(nameof(Threshold), value, "Must be in [0, 1].");
    }

    /// <summary>Checks the constraints between properties.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="WindowSize"/> is not above <see cref="LookaheadWindowSize"/> + 1.</exception>
    public void Validate()
    {
        if (WindowSize < LookaheadWindowSize + 2)
        {
            throw new ArgumentOutOfRangeException(nameof(WindowSize), WindowSize, $"Must be at least LookaheadWindowSize + 2 = {LookaheadWindowSize + 2}.");
        }
    }
}

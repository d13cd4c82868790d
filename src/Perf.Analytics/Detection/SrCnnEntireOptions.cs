namespace Perf.Analytics.Detection;

/// <summary>
/// Parameters of the batch spectral-residual detector (ML.NET DetectEntireAnomalyBySrCnn; SPEC section 4).
/// Every property validates on assignment (<see cref="ArgumentOutOfRangeException"/> naming the property).
/// </summary>
public sealed record SrCnnEntireOptions
{
    /// <summary>The smallest batch the detector transforms; a shorter last batch borrows points from the previous one.</summary>
    public const int MinBatchSize = 12;

    private readonly double _threshold = 0.3;
    private readonly int _batchSize = 1024;
    private readonly double _sensitivity = 99;
    private readonly SrCnnDetectMode _detectMode = SrCnnDetectMode.AnomalyOnly;

    /// <summary>A point is a candidate anomaly when its score exceeds this (default 0.3); in [0, 1].</summary>
    public double Threshold
    {
        get => _threshold;
        init => _threshold = value is >= 0 and <= 1 ? value : throw new ArgumentOutOfRangeException(nameof(Threshold), value, "Must be in [0, 1].");
    }

    /// <summary>Points per batch (default 1024), -1 for the whole series in one batch, otherwise at least 12.</summary>
    public int BatchSize
    {
        get => _batchSize;
        init => _batchSize = value == -1 || value >= MinBatchSize
            ? value
            : throw new ArgumentOutOfRangeException(nameof(BatchSize), value, $"Must be -1 or at least {MinBatchSize}.");
    }

    /// <summary>Margin sensitivity (default 99; higher = narrower boundaries), in [0, 100]; used by AnomalyAndMargin.</summary>
    public double Sensitivity
    {
        get => _sensitivity;
        init => _sensitivity = value is >= 0 and <= 100 ? value : throw new ArgumentOutOfRangeException(nameof(Sensitivity), value, "Must be in [0, 100].");
    }

    /// <summary>Which columns to compute (default <see cref="SrCnnDetectMode.AnomalyOnly"/>).</summary>
    public SrCnnDetectMode DetectMode
    {
        get => _detectMode;
        init => _detectMode = Enum.IsDefined(value) ? value : throw new ArgumentOutOfRangeException(nameof(DetectMode), value, "Unknown mode.");
    }
}

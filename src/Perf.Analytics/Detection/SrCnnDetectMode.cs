namespace Perf.Analytics.Detection;

/// <summary>Output columns of <see cref="SrCnnEntireDetector"/> (ML.NET SrCnnDetectMode).</summary>
public enum SrCnnDetectMode
{
    /// <summary>[IsAnomaly, RawScore, Mag].</summary>
    AnomalyOnly = 0,

    /// <summary>[IsAnomaly, AnomalyScore, Mag, ExpectedValue, BoundaryUnit, UpperBoundary, LowerBoundary].</summary>
    AnomalyAndMargin = 1,

    /// <summary>[IsAnomaly, RawScore, Mag, ExpectedValue].</summary>
    AnomalyAndExpectedValue = 2,
}

namespace Perf.Analytics.Detection;

/// <summary>Which tail of the score distribution is anomalous (ML.NET <c>AnomalySide</c>).</summary>
public enum AnomalySide
{
    /// <summary>Only unusually large scores.</summary>
    Positive = 0,

    /// <summary>Only unusually small scores.</summary>
    Negative = 1,

    /// <summary>Both tails: p = min(p, 1 - p).</summary>
    TwoSided = 2,
}

/// <summary>The martingale that accumulates evidence of a change point (ML.NET <c>MartingaleType</c>, without None).</summary>
public enum MartingaleType
{
    /// <summary>Betting function eps * p^(eps - 1).</summary>
    Power = 1,

    /// <summary>Betting function (p ln p - p + 1) / (p (ln p)^2), the power martingale integrated over eps.</summary>
    Mixture = 2,
}

/// <summary>How an SSA detector turns the observed value x and its forecast xhat into a raw score (ML.NET <c>ErrorFunction</c>).</summary>
public enum ErrorFunction
{
    /// <summary>x - xhat.</summary>
    SignedDifference = 0,

    /// <summary>|x - xhat|.</summary>
    AbsoluteDifference = 1,

    /// <summary>(x - xhat) / xhat, 0 when xhat = 0.</summary>
    SignedProportion = 2,

    /// <summary>|x - xhat| / |xhat|, 0 when xhat = 0.</summary>
    AbsoluteProportion = 3,

    /// <summary>(x - xhat)^2.</summary>
    SquaredDifference = 4,
}

/// <summary>When an SSA detector scores a point relative to consuming it.</summary>
public enum SsaScoringOrder
{
    /// <summary>
    /// Score x against the forecast made from the points before it, then consume x (ML.NET's batch Transform; what
    /// the series actors use).
    /// </summary>
    Batch = 0,

    /// <summary>
    /// Consume x first, then score x against the forecast of the next point (ML.NET's single-row prediction engine).
    /// Only for reproducing prediction-engine results.
    /// </summary>
    PredictionEngine = 1,
}

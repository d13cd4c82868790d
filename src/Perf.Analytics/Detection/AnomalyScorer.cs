namespace Perf.Analytics.Detection;

/// <summary>
/// SPEC section 0 for one detector: raw score -> p-value (kernel density over the last W scores), side, clipping,
/// martingale (change points) and alert. Output row: [Alert, Score, P-Value] or [Alert, Score, P-Value, Martingale].
/// </summary>
/// <remarks>
/// Alerts are possible only once the history holds W scores. Spike: alert when p &lt;= 1 - confidence / 100, at every
/// such point. Change point: alert when M &gt;= beta(1 - confidence / 100)^W, followed by a cool-down of W points in
/// which further martingale alerts are dropped. The cool-down applies to martingale alerts only, as in ML.NET: the
/// asserted vector of mlnet-vectors.md 11c (SSA spike, W = 4) alerts on two consecutive points.
/// </remarks>
internal sealed class AnomalyScorer
{
    private const double MinPValue = 1e-8;
    private const double MaxPValue = 1 - 1e-8;

    private readonly ScoreHistory _history;
    private readonly AnomalySide _side;
    private readonly double _pValueThreshold;
    private readonly Martingale? _martingale;
    private readonly double _martingaleThreshold;
    private int _coolDown;

    private AnomalyScorer(int windowSize, AnomalySide side, double confidence, Martingale? martingale, double martingaleThreshold)
    {
        _history = new ScoreHistory(windowSize);
        _side = side;
        _pValueThreshold = 1 - (confidence / 100);
        _martingale = martingale;
        _martingaleThreshold = martingaleThreshold;
    }

    public int WindowSize => _history.Capacity;

    public static AnomalyScorer ForSpike(double confidence, int pvalueHistoryLength, AnomalySide side) =>
        new(pvalueHistoryLength, side, confidence, null, double.NaN);

    public static AnomalyScorer ForChangePoint(double confidence, int changeHistoryLength, MartingaleType martingale, double epsilon) =>
        new(
            changeHistoryLength,
            AnomalySide.TwoSided,
            confidence,
            new Martingale(changeHistoryLength, martingale, epsilon),
            Martingale.AlertThreshold(martingale, epsilon, confidence, changeHistoryLength));

    /// <summary>
    /// Converts an error to the float32 raw score ML.NET keeps; values beyond the float range saturate at
    /// +-float.MaxValue instead of becoming infinite (an infinite score would poison the history's variance).
    /// </summary>
    public static float ToRawScore(double value) => (float)Math.Clamp(value, float.MinValue, float.MaxValue);

    /// <summary>Writes the row for a missing point: [0, NaN, ...].</summary>
    public static void WriteMissing(Span<double> output)
    {
        output[0] = 0;
        output[1..].Fill(double.NaN);
    }

    public void Score(float rawScore, Span<double> output)
    {
        double p = _history.PValue(rawScore);
        p = _side switch
        {
            AnomalySide.Positive => p,
            AnomalySide.Negative => 1 - p,
            _ => Math.Min(p, 1 - p),
        };
        p = Math.Clamp(p, MinPValue, MaxPValue);
        _history.Push(rawScore);

        bool alert = false;
        output[1] = rawScore;
        output[2] = p;
        if (_martingale is null)
        {
            alert = _history.IsFull && p <= _pValueThreshold;
        }
        else
        {
            double martingale = _martingale.Update(p);
            output[3] = martingale;
            if (_history.IsFull)
            {
                if (martingale >= _martingaleThreshold)
                {
                    if (_coolDown == 0)
                    {
                        alert = true;
                        _coolDown = _history.Capacity;
                    }
                }

                _coolDown = Math.Max(_coolDown - 1, 0);
            }
        }

        output[0] = alert ? 1 : 0;
    }

    public void Write(BinaryWriter writer)
    {
        _history.Write(writer);
        if (_martingale is not null)
        {
            _martingale.Write(writer);
            writer.Write(_coolDown);
        }
    }

    public void Read(BinaryReader reader)
    {
        _history.Read(reader);
        if (_martingale is not null)
        {
            _martingale.Read(reader);
            _coolDown = StateIO.ReadLength(reader, 0, _history.Capacity);
        }
    }
}

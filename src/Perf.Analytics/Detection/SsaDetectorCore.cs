namespace Perf.Analytics.Detection;

/// <summary>
/// What the SSA spike and change-point detectors share: the forecaster, the error function, the scoring order and
/// the warm-up. Until N finite points have been seen the detector outputs [0, NaN, ...]; at the N-th it trains and
/// scores all N buffered points in order (their rows are not returned, but their scores enter the p-value history
/// and the martingale), so from then on every row equals ML.NET's batch transform of the same series.
/// </summary>
internal sealed class SsaDetectorCore
{
    private readonly SsaForecaster _forecaster;
    private readonly AnomalyScorer _scorer;
    private readonly ErrorFunction _errorFunction;
    private readonly SsaScoringOrder _order;
    private readonly int _trainingWindowSize;

    public SsaDetectorCore(
        int trainingWindowSize, int seasonalityWindowSize, ErrorFunction errorFunction, SsaScoringOrder order, AnomalyScorer scorer)
    {
        _forecaster = new SsaForecaster(trainingWindowSize, seasonalityWindowSize);
        _scorer = scorer;
        _errorFunction = errorFunction;
        _order = order;
        _trainingWindowSize = trainingWindowSize;
    }

    public bool IsTrained => _forecaster.IsTrained;

    public int Rank => _forecaster.Model?.Rank ?? 0;

    public int WindowSize => _forecaster.Model?.Window ?? 0;

    public double Forecast => _forecaster.IsTrained ? _forecaster.Forecast : double.NaN;

    /// <summary>The raw error of <paramref name="actual"/> against <paramref name="forecast"/> (before the float32 conversion).</summary>
    public static double Error(ErrorFunction function, double actual, double forecast)
    {
        double difference = actual - forecast;
        return function switch
        {
            ErrorFunction.SignedDifference => difference,
            ErrorFunction.AbsoluteDifference => Math.Abs(difference),
            ErrorFunction.SignedProportion => forecast == 0 ? 0 : difference / forecast,
            ErrorFunction.AbsoluteProportion => forecast == 0 ? 0 : Math.Abs(difference / forecast),
            _ => difference * difference,
        };
    }

    /// <summary>Trains on the first N finite points of <paramref name="series"/> without scoring them (ML.NET's Fit).</summary>
    public void Pretrain(ReadOnlySpan<double> series)
    {
        var points = new double[_trainingWindowSize];
        int count = 0;
        foreach (double value in series)
        {
            if (double.IsFinite(value))
            {
                points[count++] = value;
                if (count == points.Length)
                {
                    break;
                }
            }
        }

        if (count < points.Length)
        {
            throw new ArgumentException(
                $"The training series has {count} finite points; TrainingWindowSize is {_trainingWindowSize}.", nameof(series));
        }

        _forecaster.Train(points);
    }

    public void Update(double value, Span<double> output)
    {
        if (!double.IsFinite(value))
        {
            AnomalyScorer.WriteMissing(output);
            return;
        }

        if (_forecaster.IsTrained)
        {
            Step(value, output);
            return;
        }

        if (!_forecaster.AddTrainingPoint(value))
        {
            AnomalyScorer.WriteMissing(output);
            return;
        }

        double[] points = _forecaster.TrainOnBuffer();
        Span<double> discarded = stackalloc double[output.Length];
        for (int i = 0; i < points.Length - 1; i++)
        {
            Step(points[i], discarded);
        }

        Step(points[^1], output);
    }

    public void Write(BinaryWriter writer)
    {
        _forecaster.Write(writer);
        _scorer.Write(writer);
    }

    public void Read(BinaryReader reader)
    {
        _forecaster.Read(reader);
        _scorer.Read(reader);
    }

    private void Step(double value, Span<double> output)
    {
        double error;
        if (_order == SsaScoringOrder.Batch)
        {
            error = Error(_errorFunction, value, _forecaster.Forecast);
            _forecaster.Consume(value);
        }
        else
        {
            _forecaster.Consume(value);
            error = Error(_errorFunction, value, _forecaster.Forecast);
        }

        _scorer.Score(AnomalyScorer.ToRawScore(error), output);
    }
}

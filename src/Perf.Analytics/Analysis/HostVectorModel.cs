using Microsoft.ML;
using Microsoft.ML.Data;

namespace Perf.Analytics.Analysis;

/// <summary>
/// Multivariate anomaly detection for one host: ML.NET's RandomizedPca learns how the host's metrics usually move
/// together (a busy CPU with busy memory and a slow response), and a vector that breaks the pattern (a busy CPU with
/// idle everything else) reconstructs badly from the principal components. Features are standardised with the training
/// means and deviations first, so a metric in bytes does not drown one in percent.
/// </summary>
/// <remarks>
/// The alert level is learned too: <see cref="Threshold"/> is the largest score among the training vectors times
/// <see cref="ThresholdFactor"/>, so on data like what it was trained on the model stays quiet by construction, whatever
/// scale ML.NET's score has. Training is the expensive part (milliseconds for a few thousand vectors); scoring one vector
/// is a small matrix product. Not thread-safe; train on a worker thread and hand the model over.
/// </remarks>
public sealed class HostVectorModel
{
    /// <summary>Fewest vectors to train on.</summary>
    public const int MinTrainingVectors = 50;

    /// <summary>How far above the worst training vector a score must be to count as unusual.</summary>
    public const double ThresholdFactor = 1.25;

    private readonly MLContext _ml;
    private readonly PredictionEngine<Row, Prediction> _engine;
    private readonly double[] _means;
    private readonly double[] _deviations;

    private HostVectorModel(MLContext ml, ITransformer model, IReadOnlyList<string> features, double[] means, double[] deviations, int trainedOn)
    {
        _ml = ml;
        Features = features;
        _means = means;
        _deviations = deviations;
        TrainedOn = trainedOn;
        _engine = ml.Model.CreatePredictionEngine<Row, Prediction>(model, inputSchemaDefinition: Schema(features.Count));
    }

    public IReadOnlyList<string> Features { get; }

    public int TrainedOn { get; }

    public double Threshold { get; private set; }

    /// <summary>
    /// A model of <paramref name="vectors"/> (one value per feature each; non-finite values are not allowed), or null
    /// with fewer than <see cref="MinTrainingVectors"/> or fewer than two features.
    /// </summary>
    public static HostVectorModel? Train(IReadOnlyList<string> features, IReadOnlyList<double[]> vectors, int seed = 1)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(vectors);
        var d = features.Count;
        if (d < 2 || vectors.Count < MinTrainingVectors) return null;
        var means = new double[d];
        var deviations = new double[d];
        for (var j = 0; j < d; j++)
        {
            var column = vectors.Select(v => v[j]).ToArray();
            means[j] = column.Average();
            var variance = column.Sum(x => (x - means[j]) * (x - means[j])) / column.Length;
            // A constant feature carries no pattern; dividing by 1 keeps it harmless.
            deviations[j] = variance > 1e-12 ? Math.Sqrt(variance) : 1;
        }
        var ml = new MLContext(seed);
        var rows = vectors.Select(v => new Row { Features = Standardise(v, means, deviations) }).ToArray();
        var data = ml.Data.LoadFromEnumerable(rows, Schema(d));
        var trainer = ml.AnomalyDetection.Trainers.RandomizedPca(
            featureColumnName: nameof(Row.Features), rank: Math.Max(1, Math.Min(d - 1, 3)), ensureZeroMean: true, seed: seed);
        var model = new HostVectorModel(ml, trainer.Fit(data), features, means, deviations, vectors.Count);
        model.Threshold = vectors.Max(v => model.Score(v)) * ThresholdFactor;
        return model;
    }

    /// <summary>ML.NET's score of <paramref name="vector"/>: how badly the principal components reconstruct it.</summary>
    public double Score(double[] vector)
    {
        ArgumentNullException.ThrowIfNull(vector);
        if (vector.Length != Features.Count) throw new ArgumentException($"{Features.Count} values expected, one per feature", nameof(vector));
        return _engine.Predict(new Row { Features = Standardise(vector, _means, _deviations) }).Score;
    }

    /// <summary>The feature that is furthest from its training mean, in training deviations: what to look at first.</summary>
    public string MostUnusual(double[] vector)
    {
        var best = 0;
        for (var j = 1; j < vector.Length; j++)
            if (Math.Abs((vector[j] - _means[j]) / _deviations[j]) > Math.Abs((vector[best] - _means[best]) / _deviations[best])) best = j;
        return Features[best];
    }

    private static float[] Standardise(double[] vector, double[] means, double[] deviations)
    {
        var row = new float[vector.Length];
        for (var j = 0; j < row.Length; j++) row[j] = (float)((vector[j] - means[j]) / deviations[j]);
        return row;
    }

    private static SchemaDefinition Schema(int dimensions)
    {
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, dimensions);
        return schema;
    }

    private sealed class Row
    {
        public float[] Features { get; set; } = [];
    }

    private sealed class Prediction
    {
        public bool PredictedLabel { get; set; }
        public float Score { get; set; }
    }
}

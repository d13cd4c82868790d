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

    private readonly double[] _means;
    private readonly double[] _deviations;
    private readonly float[] _center;        // the model's mean of the standardised vectors
    private readonly float[][] _components;  // its principal components (unit vectors), rank x d

    private HostVectorModel(IReadOnlyList<string> features, double[] means, double[] deviations, float[] center, float[][] components, int trainedOn)
    {
        Features = features;
        _means = means;
        _deviations = deviations;
        _center = center;
        _components = components;
        TrainedOn = trainedOn;
    }

    public IReadOnlyList<string> Features { get; }

    public int TrainedOn { get; }

    /// <summary>Principal components kept (<see cref="ExplainedVariance"/> of the variance).</summary>
    public int Rank => _components.Length;

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
            featureColumnName: nameof(Row.Features), rank: RankFor(rows.Select(r => r.Features).ToArray(), d), ensureZeroMean: true, seed: seed);
        Microsoft.ML.Trainers.PcaModelParameters pca;
        try
        {
            pca = trainer.Fit(data).Model;
        }
        catch (ArgumentOutOfRangeException)
        {
            // ML.NET refuses eigenvectors it could not learn (vectors that never vary): there is no pattern to model yet.
            return null;
        }
        // ML.NET's own score is the reconstruction error relative to the vector's length, which calls a usual vector
        // near the centre unusual; the absolute distance from the learned subspace is what tells a broken pattern.
        VBuffer<float>[] eigenvectors = [];
        pca.GetEigenVectors(ref eigenvectors, out var rank);
        var center = new VBuffer<float>();
        pca.GetMean(ref center);
        var centerValues = center.Length == 0 ? new float[d] : center.DenseValues().ToArray();
        var components = eigenvectors.Take(rank).Select(v => v.DenseValues().ToArray()).ToArray();
        // Vectors that never vary (an idle host) leave PCA nothing to learn: no model rather than one that flags everything.
        if (components.Length == 0 || components.Any(c => c.Any(x => !float.IsFinite(x))) || centerValues.Any(x => !float.IsFinite(x))) return null;
        var model = new HostVectorModel(features, means, deviations, centerValues, components, vectors.Count);
        model.Threshold = vectors.Max(v => model.Score(v)) * ThresholdFactor;
        return double.IsFinite(model.Threshold) ? model : null;
    }

    /// <summary>How far <paramref name="vector"/> (standardised) lies from the subspace of the principal components.</summary>
    public double Score(double[] vector)
    {
        ArgumentNullException.ThrowIfNull(vector);
        if (vector.Length != Features.Count) throw new ArgumentException($"{Features.Count} values expected, one per feature", nameof(vector));
        var x = Standardise(vector, _means, _deviations);
        var residual = new double[x.Length];
        for (var j = 0; j < x.Length; j++) residual[j] = x[j] - _center[j];
        foreach (var component in _components)
        {
            double along = 0;
            for (var j = 0; j < x.Length; j++) along += residual[j] * component[j];
            for (var j = 0; j < x.Length; j++) residual[j] -= along * component[j];
        }
        return Math.Sqrt(residual.Sum(r => r * r));
    }

    /// <summary>The feature that is furthest from its training mean, in training deviations: what to look at first.</summary>
    public string MostUnusual(double[] vector)
    {
        var best = 0;
        for (var j = 1; j < vector.Length; j++)
            if (Math.Abs((vector[j] - _means[j]) / _deviations[j]) > Math.Abs((vector[best] - _means[best]) / _deviations[best])) best = j;
        return Features[best];
    }

    /// <summary>Share of the (standardised) variance the kept components must explain.</summary>
    public const double ExplainedVariance = 0.9;

    /// <summary>
    /// The fewest components that explain <see cref="ExplainedVariance"/> of the variance, at most d - 1 (so there is
    /// always a direction left to be unusual in). Metrics driven by one load need one component; with more, the extra
    /// components would also fit the noise, and a vector that breaks the pattern along them would reconstruct well.
    /// </summary>
    private static int RankFor(float[][] rows, int d)
    {
        var correlation = new double[d * d];
        foreach (var row in rows)
            for (var i = 0; i < d; i++)
            for (var j = 0; j < d; j++)
                correlation[i * d + j] += row[i] * (double)row[j] / rows.Length;
        var eigenvalues = new double[d];
        if (!Detection.SymmetricEigenSolver.TryDecompose(correlation, d, eigenvalues, new double[d * d])) return Math.Max(1, d - 1);
        var total = eigenvalues.Sum(e => Math.Max(0, e));
        var explained = 0.0;
        for (var k = 0; k < d - 1; k++)
        {
            explained += Math.Max(0, eigenvalues[k]);
            if (explained >= ExplainedVariance * total) return k + 1;
        }
        return Math.Max(1, d - 1);
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
}

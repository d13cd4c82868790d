using Perf.Analytics.Analysis;
using Xunit;

namespace Perf.Analytics.Tests.Analysis;

public sealed class HostVectorModelTests
{
    private static readonly string[] Features = ["application.response_time", "cpu.usage", "memory.usage"];

    /// <summary>A host whose metrics move together: load drives cpu, memory and response time.</summary>
    private static double[][] Usual(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ =>
        {
            var load = 10 + random.NextDouble() * 80;
            return new[] { 100 + 2 * load + random.NextDouble() * 6, load + random.NextDouble() * 3, 20 + 0.5 * load + random.NextDouble() * 2 };
        }).ToArray();
    }

    [Theory]
    [InlineData(100, 1)]
    [InlineData(100, 6)]
    [InlineData(300, 1)]
    public void A_combination_that_breaks_the_usual_pattern_scores_above_the_learned_level_and_usual_ones_do_not(int trainedOn, int seed)
    {
        var model = HostVectorModel.Train(Features, Usual(trainedOn, seed))!;

        Assert.All(Usual(200, seed: 2), v => Assert.True(model.Score(v) <= model.Threshold, $"{string.Join(",", v)} scored {model.Score(v)} > {model.Threshold}"));
        // A busy CPU while memory and response time say the host is idle: each value alone is ordinary.
        double[] odd = [130, 90, 25];
        Assert.True(model.Score(odd) > model.Threshold, $"{model.Score(odd)} <= {model.Threshold}");
        Assert.Equal(trainedOn, model.TrainedOn);
    }

    [Theory]
    [InlineData(49, 3)]
    [InlineData(300, 1)]
    public void There_is_no_model_without_enough_vectors_or_features(int vectors, int features)
    {
        var data = Usual(vectors, seed: 3).Select(v => v[..features]).ToArray();

        Assert.Null(HostVectorModel.Train(Features[..features], data));
    }

    [Fact]
    public void The_most_unusual_feature_is_the_one_furthest_from_its_usual_value()
    {
        var model = HostVectorModel.Train(Features, Usual(300, seed: 4))!;

        Assert.Equal("memory.usage", model.MostUnusual([200, 50, 400]));
    }

    [Fact]
    public void A_constant_feature_does_not_break_training()
    {
        var data = Usual(100, seed: 5).Select(v => new[] { v[0], v[1], 42.0 }).ToArray();

        var model = HostVectorModel.Train(Features, data);

        Assert.NotNull(model);
        Assert.True(double.IsFinite(model.Score(data[0])));
    }

    [Fact]
    public void An_idle_host_whose_metrics_never_vary_gets_no_model_that_would_flag_everything()
    {
        var idle = Enumerable.Range(0, 100).Select(_ => new[] { 120.0, 5, 30 }).ToArray();

        var model = HostVectorModel.Train(Features, idle);

        Assert.True(model is null || model.Score([120, 5, 30]) <= model.Threshold);
    }
}

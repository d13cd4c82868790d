using System.Runtime.Intrinsics;
using Perf.Analytics.Detection;
using Xunit;

namespace Perf.Analytics.Tests.Detection;

/// <summary>
/// The vectorised kernel p-value (<see cref="ScoreHistory"/>, <see cref="ErfApproximation"/>'s vector erf) against the
/// scalar computation it replaced, kept here as <see cref="ScalarReference"/>. The stated tolerances (docs/DETECTION.md):
/// erf within 2e-15 absolute, p-values within 1e-12 absolute, martingales within 1e-5 relative (a p-value near the
/// 1e-8 clamp moves ln beta(p) by about its relative error, summed over W = 20 factors), alerts identical.
/// </summary>
public sealed class ScoreHistoryTests
{
    private const double ErfTolerance = 2e-15;
    private const double PValueTolerance = 1e-12;
    private const double MartingaleRelativeTolerance = 1e-5;

    public static TheoryData<double> ErfArguments() =>
    [
        0, -0.0, 1e-300, -1e-300, 1e-9, 0.1, -0.1, 0.5, 1, -1, 2, 3.5, -3.5, 5.9, 6, -6, 7.9, 8, 8.1, 27, -27, 100, 1e10,
        -1e300, double.MaxValue, double.PositiveInfinity, double.NegativeInfinity, double.Epsilon,
    ];

    [Theory]
    [MemberData(nameof(ErfArguments))]
    public void VectorErf_MatchesScalarErf(double x)
    {
        var lanes = ErfApproximation.Erf(Vector256.Create(x, -x, x / 3, x * 0.999));
        double[] expected = [ScalarReference.Erf(x), ScalarReference.Erf(-x), ScalarReference.Erf(x / 3), ScalarReference.Erf(x * 0.999)];
        for (int lane = 0; lane < 4; lane++)
        {
            Assert.True(Math.Abs(expected[lane] - lanes[lane]) <= ErfTolerance, $"lane {lane}: {expected[lane]:R} vs {lanes[lane]:R}");
        }
    }

    [Fact]
    public void VectorErf_MatchesScalarErf_AcrossItsRange()
    {
        var random = new Random(1);
        double worst = 0;
        for (int i = 0; i < 200_000; i++)
        {
            double x = (random.NextDouble() - 0.5) * (i % 2 == 0 ? 16 : 0.01);
            var lanes = ErfApproximation.Erf(Vector256.Create(x));
            worst = Math.Max(worst, Math.Abs(lanes[0] - ScalarReference.Erf(x)));
        }

        Assert.True(worst <= ErfTolerance, $"worst difference {worst:E3}");
    }

    [Fact]
    public void VectorErf_OfZero_IsThePositiveOneE9_AndNaNStaysNaN()
    {
        var lanes = ErfApproximation.Erf(Vector256.Create(0.0, -0.0, double.NaN, -double.NaN));
        Assert.Equal(1e-9, lanes[0], 1e-15);
        Assert.Equal(1e-9, lanes[1], 1e-15);
        Assert.True(double.IsNaN(lanes[2]));
        Assert.True(double.IsNaN(lanes[3]));
    }

    public static TheoryData<string, int> Histories()
    {
        var data = new TheoryData<string, int>();
        foreach (string kind in HistoryKinds.Keys)
        {
            foreach (int n in new[] { 1, 2, 3, 4, 5, 7, 8, 20, 31, 100, 257 })
            {
                data.Add(kind, n);
            }
        }

        return data;
    }

    private static readonly Dictionary<string, Func<Random, int, float>> HistoryKinds = new()
    {
        ["gaussian"] = (r, i) => (float)(50 + Gaussian(r)),
        ["constant"] = (r, i) => 5,
        ["offset 1e9 +- 1"] = (r, i) => (float)(1e9 + r.Next(-1, 2)),
        ["offset 1e9 + small noise"] = (r, i) => (float)(1e9 + (r.NextDouble() * 300)),
        ["tiny range"] = (r, i) => (float)(1 + (r.NextDouble() * 1e-6)),
        ["below the bandwidth floor"] = (r, i) => (float)(r.NextDouble() * 1e-8),
        ["float extremes"] = (r, i) => i % 3 == 0 ? float.MaxValue : i % 3 == 1 ? float.MinValue : 0,
        ["one outlier"] = (r, i) => i == 0 ? 1e30f : (float)r.NextDouble(),
        ["signed zeros"] = (r, i) => i % 2 == 0 ? 0f : -0f,
        ["subnormals"] = (r, i) => r.Next(5) * float.Epsilon,
        ["heavy tail"] = (r, i) => (float)Math.Pow(10, r.NextDouble() * 12),
    };

    [Theory]
    [MemberData(nameof(Histories))]
    public void PValue_MatchesTheScalarReference(string kind, int n)
    {
        var random = new Random((kind.Length * 1000) + n);
        float[] history = [.. Enumerable.Range(0, n).Select(i => HistoryKinds[kind](random, i))];
        var scores = new List<float> { history[0], history[^1], 0f, -0f, float.MaxValue, float.MinValue, float.Epsilon };
        scores.AddRange(history.Take(10).Select(h => h * 1.0001f));
        scores.AddRange(Enumerable.Range(0, 40).Select(_ => HistoryKinds[kind](random, random.Next(n + 1))));
        scores.AddRange(Enumerable.Range(0, 20).Select(_ => (float)(history.Average(h => (double)h) + (Gaussian(random) * 5))));
        foreach (float score in scores)
        {
            double expected = ScalarReference.PValue(history, score);
            double actual = ScoreHistory.PValue(history, score);
            Assert.True(
                Math.Abs(expected - actual) <= PValueTolerance || (double.IsNaN(expected) && double.IsNaN(actual)),
                $"{kind}, n = {n}, score {score:R}: {expected:R} vs {actual:R}");
        }
    }

    [Fact]
    public void PValue_OfAConstantHistory_KeepsTheReferenceOneE9()
    {
        // mlnet-vectors.md 11b asserts 0.4999999995 to 1e-15 for exactly this: erf(0) = 1e-9 in every term.
        foreach (int n in new[] { 1, 3, 4, 9, 100 })
        {
            Assert.Equal(0.4999999995, ScoreHistory.PValue(Enumerable.Repeat(5f, n).ToArray(), 5f), 1e-15);
        }
    }

    [Fact]
    public void PValue_WithNaN_IsNaN_LikeTheReference()
    {
        float[] history = [1, 2, float.NaN, 4, 5, 6];
        Assert.True(double.IsNaN(ScalarReference.PValue(history, 3)));
        Assert.True(double.IsNaN(ScoreHistory.PValue(history, 3)));
        Assert.True(double.IsNaN(ScoreHistory.PValue([1, 2, 3, 4, 5], float.NaN)));
        Assert.Equal(0.5, ScoreHistory.PValue([], float.NaN));
    }

    [Fact]
    public void History_KeepsTheNewestScoresOldestFirst()
    {
        var history = new ScoreHistory(5);
        for (int i = 1; i <= 12; i++)
        {
            history.Push(i);
        }

        Assert.Equal([8f, 9f, 10f, 11f, 12f], history.Scores.ToArray());
    }

    public static TheoryData<string> IidSeries() => [.. Series.Keys];

    private static readonly Dictionary<string, Func<int, Random, double>> Series = new()
    {
        ["noise with spikes and shifts"] = (i, r) => 100 + Gaussian(r) + (i % 211 == 0 ? 9 : 0) + ((i / 500) % 2 * 8),
        ["constant"] = (i, r) => 7,
        ["offset 1e9 +- 1"] = (i, r) => 1e9 + r.Next(-1, 2),
        ["tiny range"] = (i, r) => 1 + (r.NextDouble() * 1e-7),
        ["steps of 1e-12"] = (i, r) => r.Next(3) * 1e-12,
        ["with missing points"] = (i, r) => i % 13 == 0 ? double.NaN : i % 29 == 0 ? double.PositiveInfinity : Gaussian(r),
        ["saturating"] = (i, r) => i % 40 == 0 ? 1e300 : Gaussian(r),
    };

    /// <summary>Whole detectors: the p-value column within 1e-12, the martingale within 1e-5 relative, the same alerts.</summary>
    [Theory]
    [MemberData(nameof(IidSeries))]
    public void IidDetectors_MatchTheScalarReference(string series)
    {
        var random = new Random(series.Length);
        double[] values = [.. Enumerable.Range(0, 2000).Select(i => Series[series](i, random))];
        var cases = new (IStreamingDetector Detector, ScalarReference.Iid Reference)[]
        {
            (new IidSpikeDetector(new IidSpikeOptions(99.9, 100)), new ScalarReference.Iid(100, AnomalySide.TwoSided, 99.9, null, 0)),
            (new IidSpikeDetector(new IidSpikeOptions(99, 37, AnomalySide.Positive)), new ScalarReference.Iid(37, AnomalySide.Positive, 99, null, 0)),
            (new IidChangePointDetector(new IidChangePointOptions(95, 20, MartingaleType.Mixture)), new ScalarReference.Iid(20, AnomalySide.TwoSided, 95, MartingaleType.Mixture, 0.1)),
            (new IidChangePointDetector(new IidChangePointOptions(95, 10, MartingaleType.Power, 0.1)), new ScalarReference.Iid(10, AnomalySide.TwoSided, 95, MartingaleType.Power, 0.1)),
        };
        foreach (var (detector, reference) in cases)
        {
            for (int i = 0; i < values.Length; i++)
            {
                double[] actual = DetectorRuns.Step(detector, values[i]);
                double[] expected = reference.Step(values[i]);
                string where = $"{detector.Name} ({series}) at {i}";
                Assert.Equal(expected[0], actual[0]);
                Assert.Equal(expected[1], actual[1]);
                Assert.True(Math.Abs(expected[2] - actual[2]) <= PValueTolerance || (double.IsNaN(expected[2]) && double.IsNaN(actual[2])), $"{where}: p {expected[2]:R} vs {actual[2]:R}");
                if (expected.Length > 3 && !double.IsNaN(expected[3]))
                {
                    Assert.True(Math.Abs(expected[3] - actual[3]) <= MartingaleRelativeTolerance * expected[3], $"{where}: M {expected[3]:R} vs {actual[3]:R}");
                }
            }
        }
    }

    /// <summary>
    /// States written by the scalar code (before vectorisation, same format version 1) restore, write back byte for
    /// byte, and continue like the vectorised detector that was never stopped: identically but for the p-values and
    /// martingales, which may differ within the tolerances (a martingale state carries the sum of its p-values' log
    /// factors, so it is not the same bytes after the vectorised p-values).
    /// </summary>
    [Theory]
    [InlineData("iid-spike", "CWlpZC1zcGlrZQGamZmZmflYQB4AAAACAAAAHgAAAMhpHEZiexxGIYkcRieSHEbqlRxGOJQcRkONHEaUgRxGC3IcRshfHEYcQBxGcCwcRi0aHEakChxG9f4bRgD4G0ZO9htGEfobRhcDHEbWEBxGcCIcRsQ2HEaBQBxGPlYcRpFqHEYrfBxG6okcRvGSHEazlhxGApUcRg==")]
    [InlineData("iid-changepoint", "D2lpZC1jaGFuZ2Vwb2ludAEAAAAAAMBXQBQAAAACAAAAmpmZmZmZuT8UAAAAHEAcRnAsHEYtGhxGpAocRvX+G0YA+BtGTvYbRhH6G0YXAxxG1hAcRnAiHEbENhxGgUAcRj5WHEaRahxGK3wcRuqJHEbxkhxGs5YcRgKVHEYB1gXRQXUa978UAAAAX8CKRLJS2b/WLFLIO3rSvxlrQnB2icO/kTchaL9cfD+x8zh/ehbEP54648qmfc0/Dd4a3cSKyD9K660pcTi0P8o5Vt4xaa2/eGEoV7FryL8ATk2jUbPTv8JXL+1mItq/6jxE+jA03L+tXyhTQqLVvyHVySNKWcq/e71r3uhLp79QB/Gh+/a+P1VVWDN5w80/jy1DZd2kzT9uPYZAaZjBPwAAAAA=")]
    public void StatesWrittenByTheScalarCode_RestoreAndContinue(string name, string state)
    {
        byte[] bytes = Convert.FromBase64String(state);
        IStreamingDetector restored = DetectorState.FromBytes(bytes);
        Assert.Equal(name, restored.Name);
        Assert.Equal(bytes, DetectorState.ToBytes(restored));

        IStreamingDetector uninterrupted = GoldenState.Create(name);
        DetectorRuns.Run(uninterrupted, Enumerable.Range(0, GoldenState.Points).Select(GoldenState.Value));
        double[] rest = [.. Enumerable.Range(GoldenState.Points, 300).Select(GoldenState.Value)];
        double[][] expected = DetectorRuns.Run(uninterrupted, rest);
        double[][] actual = DetectorRuns.Run(restored, rest);
        for (int i = 0; i < rest.Length; i++)
        {
            for (int c = 0; c < expected[i].Length; c++)
            {
                double tolerance = uninterrupted.OutputColumns[c] switch
                {
                    "P-Value" => PValueTolerance,
                    "Martingale" => MartingaleRelativeTolerance * expected[i][c],
                    _ => 0,
                };
                Assert.True(Math.Abs(expected[i][c] - actual[i][c]) <= tolerance, $"{name} row {i} {uninterrupted.OutputColumns[c]}: {expected[i][c]:R} vs {actual[i][c]:R}");
            }
        }
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2.0 * Math.Log(1.0 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}

/// <summary>The series and detectors of the stored states in the tests: what the scalar code was fed before writing them.</summary>
internal static class GoldenState
{
    public const int Points = 200;

    public static IStreamingDetector Create(string name) => name switch
    {
        "iid-spike" => new IidSpikeDetector(new IidSpikeOptions(Confidence: 99.9, PvalueHistoryLength: 30)),
        "iid-changepoint" => new IidChangePointDetector(new IidChangePointOptions(Confidence: 95, ChangeHistoryLength: 20, Martingale: MartingaleType.Mixture)),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };

    /// <summary>A daily-like wave with noise, a spike every 97 points and a level shift at 250.</summary>
    public static double Value(int i)
    {
        var random = new Random((i * 7919) + 13);
        double wave = 1e4 + (20 * Math.Sin(2 * Math.PI * i / 24)) + (random.NextDouble() * 3);
        return wave + (i % 97 == 50 ? 60 : 0) + (i >= 250 ? 15 : 0);
    }
}

/// <summary>The p-value computation as it was before vectorisation: scalar loops in double precision, Math.Exp.</summary>
internal static class ScalarReference
{
    public static double Erf(double x)
    {
        double sign = x < 0 ? -1.0 : 1.0;
        double a = Math.Abs(x);
        double t = 1.0 / (1.0 + (0.3275911 * a));
        double poly = ((((((((1.061405429 * t) - 1.453152027) * t) + 1.421413741) * t) - 0.284496736) * t) + 0.254829592) * t;
        return sign * (1.0 - (poly * Math.Exp(-a * a)));
    }

    public static double PValue(IReadOnlyList<float> history, float score)
    {
        int n = history.Count;
        if (n == 0)
        {
            return 0.5;
        }

        double sigma = 1.0;
        if (n > 1)
        {
            double mean = history.Sum(h => (double)h) / n;
            sigma = Math.Sqrt(history.Sum(h => (h - mean) * (h - mean)) / n);
        }

        double bandwidth = Math.Max(Math.Sqrt(2.0) * sigma, 1e-6);
        double erfSum = history.Sum(h => Erf((score - (double)h) / bandwidth));
        return 0.5 - (erfSum / (2.0 * n));
    }

    /// <summary>An IID spike (no martingale) or change-point detector built on <see cref="PValue"/> (SPEC section 0).</summary>
    public sealed class Iid(int window, AnomalySide side, double confidence, MartingaleType? martingale, double epsilon)
    {
        private readonly List<float> _history = [];
        private readonly Queue<double> _factors = new();
        private readonly double _threshold = martingale is { } type
            ? Math.Pow(Math.Exp(Martingale.LogBettingFactor(type, epsilon, 1 - (confidence / 100))), window)
            : double.NaN;

        private int _coolDown;

        public double[] Step(double value)
        {
            var row = new double[martingale is null ? 3 : 4];
            if (!double.IsFinite(value))
            {
                row.AsSpan(1).Fill(double.NaN);
                return row;
            }

            float score = (float)Math.Clamp(value, float.MinValue, float.MaxValue);
            double p = PValue(_history, score);
            p = side switch
            {
                AnomalySide.Positive => p,
                AnomalySide.Negative => 1 - p,
                _ => Math.Min(p, 1 - p),
            };
            p = Math.Clamp(p, 1e-8, 1 - 1e-8);
            _history.Add(score);
            if (_history.Count > window)
            {
                _history.RemoveAt(0);
            }

            bool full = _history.Count == window;
            row[1] = score;
            row[2] = p;
            if (martingale is not { } type)
            {
                row[0] = full && p <= 1 - (confidence / 100) ? 1 : 0;
                return row;
            }

            // The window of log betting factors, filled with W copies of the first one.
            double u = Martingale.LogBettingFactor(type, epsilon, p);
            if (_factors.Count == 0)
            {
                for (int i = 0; i < window; i++)
                {
                    _factors.Enqueue(u);
                }
            }
            else
            {
                _factors.Dequeue();
                _factors.Enqueue(u);
            }

            row[3] = Math.Exp(_factors.Sum());
            if (full)
            {
                if (row[3] >= _threshold && _coolDown == 0)
                {
                    row[0] = 1;
                    _coolDown = window;
                }

                _coolDown = Math.Max(_coolDown - 1, 0);
            }

            return row;
        }
    }
}

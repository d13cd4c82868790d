using Perf.Analytics.Detection;
using Xunit;

namespace Perf.Analytics.Tests.Detection;

/// <summary>The erf approximation, the martingale betting functions and the Jacobi eigen solver.</summary>
public sealed class DetectionMathTests
{
    [Theory]
    [InlineData(0.1, 0.1124629160182849)]
    [InlineData(0.5, 0.5204998778130465)]
    [InlineData(1.0, 0.8427007929497149)]
    [InlineData(2.0, 0.9953222650189527)]
    [InlineData(3.0, 0.9999779095030014)]
    [InlineData(6.0, 1.0)]
    public void Erf_IsWithinAbramowitzStegunError_AndOdd(double x, double exact)
    {
        Assert.Equal(exact, ErfApproximation.Erf(x), 1.5e-7);
        Assert.Equal(-ErfApproximation.Erf(x), ErfApproximation.Erf(-x));
    }

    [Fact]
    public void Erf_OfZero_IsOneE9_AsInTheReference()
    {
        Assert.Equal(1e-9, ErfApproximation.Erf(0), 1e-15);
        Assert.Equal(1.0, ErfApproximation.Erf(double.PositiveInfinity));
        Assert.Equal(-1.0, ErfApproximation.Erf(double.NegativeInfinity));
    }

    [Fact]
    public void BettingFunctions()
    {
        Assert.Equal(Math.Log(0.1 * Math.Pow(0.3, -0.9)), Martingale.LogBettingFactor(MartingaleType.Power, 0.1, 0.3), 1e-14);
        double p = 0.3;
        double mixture = ((p * Math.Log(p)) - p + 1) / (p * Math.Log(p) * Math.Log(p));
        Assert.Equal(Math.Log(mixture), Martingale.LogBettingFactor(MartingaleType.Mixture, 0.1, p), 1e-14);
        Assert.Equal(4.827341069, Martingale.AlertThreshold(MartingaleType.Power, 0.1, 95, 4), 1e-8);
        Assert.Equal(0.000195313, Martingale.AlertThreshold(MartingaleType.Power, 0.1, 80, 10), 1e-9);
    }

    [Fact]
    public void MixtureMartingale_FirstValue_IsBetaOfOneHalfToTheW()
    {
        var detector = new IidChangePointDetector(new IidChangePointOptions(ChangeHistoryLength: 7, Martingale: MartingaleType.Mixture));
        double[] row = DetectorRuns.Step(detector, 3);
        double beta = ((0.5 * Math.Log(0.5)) - 0.5 + 1) / (0.5 * Math.Log(0.5) * Math.Log(0.5));
        Assert.Equal(Math.Pow(beta, 7), row[3], 1e-15);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(6)]
    [InlineData(10)]
    [InlineData(25)]
    public void Jacobi_DecomposesRandomSymmetricMatrices(int n)
    {
        var random = new Random(n);
        for (int round = 0; round < 20; round++)
        {
            var a = new double[n * n];
            for (int i = 0; i < n; i++)
            {
                for (int j = i; j < n; j++)
                {
                    a[(i * n) + j] = a[(j * n) + i] = (random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-3, 4));
                }
            }

            var values = new double[n];
            var vectors = new double[n * n];
            Assert.True(SymmetricEigenSolver.TryDecompose((double[])a.Clone(), n, values, vectors));

            double scale = a.Max(Math.Abs);
            for (int k = 1; k < n; k++)
            {
                Assert.True(values[k - 1] >= values[k]);
            }

            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    double dot = 0;
                    double reconstructed = 0;
                    for (int k = 0; k < n; k++)
                    {
                        dot += vectors[(k * n) + i] * vectors[(k * n) + j];
                        reconstructed += vectors[(i * n) + k] * values[k] * vectors[(j * n) + k];
                    }

                    Assert.Equal(i == j ? 1 : 0, dot, 1e-12);
                    Assert.Equal(a[(i * n) + j], reconstructed, 1e-12 * scale * n);
                }
            }
        }
    }

    [Fact]
    public void Jacobi_RankOneAndZeroMatrices()
    {
        const int n = 5;
        var values = new double[n];
        var vectors = new double[n * n];
        Assert.True(SymmetricEigenSolver.TryDecompose(new double[n * n], n, values, vectors));
        Assert.All(values, v => Assert.Equal(0, v));
        for (int i = 0; i < n; i++)
        {
            Assert.Equal(1, vectors[(i * n) + i]); // untouched identity, in order
        }

        var ones = Enumerable.Repeat(4.0, n * n).ToArray();
        Assert.True(SymmetricEigenSolver.TryDecompose(ones, n, values, vectors));
        Assert.Equal(4.0 * n, values[0], 1e-12);
        for (int i = 0; i < n; i++)
        {
            Assert.Equal(1 / Math.Sqrt(n), Math.Abs(vectors[i * n]), 1e-12);
        }
    }

    [Fact]
    public void Jacobi_RejectsNonFiniteInput()
    {
        var values = new double[2];
        var vectors = new double[4];
        Assert.False(SymmetricEigenSolver.TryDecompose([1, double.NaN, double.NaN, 1], 2, values, vectors));
        Assert.False(SymmetricEigenSolver.TryDecompose([double.PositiveInfinity, 0, 0, 1], 2, values, vectors));
    }
}

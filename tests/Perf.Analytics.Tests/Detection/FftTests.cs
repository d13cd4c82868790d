using Perf.Analytics.Detection;
using Xunit;

namespace Perf.Analytics.Tests.Detection;

public sealed class FftTests
{
    public static TheoryData<int> Lengths()
    {
        var data = new TheoryData<int>();
        for (int n = 1; n <= 70; n++)
        {
            data.Add(n);
        }

        foreach (int n in new[] { 96, 97, 100, 127, 128, 131, 210, 256, 257, 343, 1000, 1021, 1029, 1031, 2048 })
        {
            data.Add(n);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void ForwardMatchesNaiveDft(int n)
    {
        var (re, im) = RandomComplex(n, seed: n);
        var (expectedRe, expectedIm) = NaiveDft(re, im, inverse: false);

        var plan = Fft.GetPlan(n);
        plan.Forward(re, im);

        AssertClose(expectedRe, expectedIm, re, im, Tolerance(expectedRe, expectedIm));
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void InverseMatchesNormalisedNaiveInverse(int n)
    {
        var (re, im) = RandomComplex(n, seed: 1000 + n);
        var (expectedRe, expectedIm) = NaiveDft(re, im, inverse: true);
        for (int i = 0; i < n; i++)
        {
            expectedRe[i] /= n;
            expectedIm[i] /= n;
        }

        Fft.Inverse(re, im);

        AssertClose(expectedRe, expectedIm, re, im, Tolerance(expectedRe, expectedIm));
    }

    [Theory]
    [InlineData(69)]
    [InlineData(131)]
    [InlineData(1024)]
    [InlineData(4099)]
    public void ForwardThenInverseRestoresTheInput(int n)
    {
        var (re, im) = RandomComplex(n, seed: 7);
        var original = (Re: re.ToArray(), Im: im.ToArray());

        Fft.Forward(re, im);
        Fft.Inverse(re, im);

        AssertClose(original.Re, original.Im, re, im, 1e-12);
    }

    [Fact]
    public void StaticAndPlanOverloadsAgreeBitForBit()
    {
        var (re, im) = RandomComplex(69, seed: 3);
        var (re2, im2) = (re.ToArray(), im.ToArray());
        var plan = Fft.GetPlan(69);

        Fft.Forward(re, im);
        plan.Forward(re2, im2, new double[plan.ScratchLength]);

        Assert.Equal(re, re2);
        Assert.Equal(im, im2);
    }

    [Fact]
    public void BothAlgorithmsAreExercised()
    {
        Assert.False(Fft.GetPlan(69).UsesBluestein);   // 3 * 23: mixed radix
        Assert.False(Fft.GetPlan(61).UsesBluestein);   // small prime: direct
        Assert.True(Fft.GetPlan(131).UsesBluestein);   // prime above 62
        Assert.True(Fft.GetPlan(2 * 1031).UsesBluestein);
    }

    [Fact]
    public void ImpulseAndConstantHaveTheirKnownSpectra()
    {
        const int n = 21;
        var re = new double[n];
        var im = new double[n];
        re[0] = 1;
        Fft.Forward(re, im);
        Assert.All(re, v => Assert.Equal(1, v, 1e-15));
        Assert.All(im, v => Assert.Equal(0, v, 1e-15));

        Array.Fill(re, 5.0);
        Array.Clear(im);
        Fft.Forward(re, im);
        Assert.Equal(105, re[0], 1e-12);
        for (int k = 1; k < n; k++)
        {
            Assert.True(Math.Abs(re[k]) < 1e-12 && Math.Abs(im[k]) < 1e-12, $"bin {k}: ({re[k]}, {im[k]})");
        }
    }

    [Fact]
    public void RejectsMismatchedSpans()
    {
        var plan = Fft.GetPlan(8);
        Assert.Throws<ArgumentException>(() => Fft.Forward(new double[8], new double[7]));
        Assert.Throws<ArgumentException>(() => plan.Forward(new double[9], new double[9]));
        Assert.Throws<ArgumentException>(() => plan.Forward(new double[8], new double[8], new double[plan.ScratchLength - 1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Fft.GetPlan(0));
    }

    [Fact]
    public void EmptyInputIsANoOp()
    {
        Fft.Forward(Span<double>.Empty, Span<double>.Empty);
        Fft.Inverse(Span<double>.Empty, Span<double>.Empty);
    }

    private static (double[] Re, double[] Im) RandomComplex(int n, int seed)
    {
        var random = new Random(seed);
        var re = new double[n];
        var im = new double[n];
        for (int i = 0; i < n; i++)
        {
            re[i] = (random.NextDouble() * 200) - 100;
            im[i] = (random.NextDouble() * 200) - 100;
        }

        return (re, im);
    }

    /// <summary>O(n^2) reference; the angle uses (j k mod n) so it stays exact for large j k.</summary>
    private static (double[] Re, double[] Im) NaiveDft(double[] re, double[] im, bool inverse)
    {
        int n = re.Length;
        var outRe = new double[n];
        var outIm = new double[n];
        double sign = inverse ? 1 : -1;
        for (int k = 0; k < n; k++)
        {
            double sr = 0, si = 0;
            for (int j = 0; j < n; j++)
            {
                long t = (long)j * k % n;
                var (s, c) = double.SinCosPi(2.0 * t / n);
                s *= sign;
                sr += (re[j] * c) - (im[j] * s);
                si += (re[j] * s) + (im[j] * c);
            }

            outRe[k] = sr;
            outIm[k] = si;
        }

        return (outRe, outIm);
    }

    private static double Tolerance(double[] re, double[] im)
    {
        double max = 0;
        for (int i = 0; i < re.Length; i++)
        {
            max = Math.Max(max, Math.Sqrt((re[i] * re[i]) + (im[i] * im[i])));
        }

        return 1e-12 * Math.Max(max, 1);
    }

    private static void AssertClose(double[] expectedRe, double[] expectedIm, double[] re, double[] im, double tolerance)
    {
        for (int i = 0; i < re.Length; i++)
        {
            double error = Math.Sqrt(Math.Pow(re[i] - expectedRe[i], 2) + Math.Pow(im[i] - expectedIm[i], 2));
            Assert.True(
                error <= tolerance,
                $"bin {i} of {re.Length}: expected ({expectedRe[i]}, {expectedIm[i]}), got ({re[i]}, {im[i]}), error {error:E2} > {tolerance:E2}");
        }
    }
}

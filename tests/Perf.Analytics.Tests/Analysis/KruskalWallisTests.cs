using Perf.Analytics.Analysis;
using Xunit;

namespace Perf.Analytics.Tests.Analysis;

public sealed class KruskalWallisTests
{
    // [1, 2, 3] against [4, 5, 6]: rank sums 6 and 15 of N = 6;
    //   H = 12 / (6·7) · (6²/3 + 15²/3) - 3·7 = 24.857 - 21 = 3.857.
    // [1, 2, 2] against [2, 3, 4]: ranks 1, 3, 3 | 3, 5, 6 (the three 2s share rank 3), sums 7 and 14;
    //   H = 12/42 · (49/3 + 196/3) - 21 = 2.3333, divided by 1 - (3³ - 3)/(6³ - 6) = 0.885714 for the tie: 2.6344.
    [Theory]
    [InlineData(new[] { 1.0, 2, 3, 4, 5, 6 }, 3.857142857)]
    [InlineData(new[] { 1.0, 2, 2, 2, 3, 4 }, 2.634408602)]
    public void H_matches_the_hand_computed_value(double[] values, double h)
    {
        Assert.Equal(h, KruskalWallis.Test(values, [0, 0, 0, 1, 1, 1], 2).H, 1e-8);
    }

    // Exact tails: for even df, P(X > x) = e^(-x/2) Σ_{i < df/2} (x/2)^i / i!.
    [Theory]
    [InlineData(16.8119, 6, 0.01)]
    [InlineData(12.5916, 6, 0.05)]
    [InlineData(9.2103, 2, 0.01)]
    [InlineData(5.0, 6, 0.5438131)]
    public void The_chi_square_tail_is_within_two_percent_of_exact(double x, int df, double exact)
    {
        Assert.InRange(KruskalWallis.ChiSquareTail(x, df), exact * 0.98, exact * 1.02);
    }

    [Fact]
    public void One_group_or_one_value_everywhere_is_no_evidence()
    {
        Assert.Equal((0, 1), KruskalWallis.Test([1, 2, 3], [0, 0, 0], 3));
        Assert.Equal((0, 1), KruskalWallis.Test([4, 4, 4, 4], [0, 1, 0, 1], 2));
        Assert.Equal(1, KruskalWallis.ChiSquareTail(0, 3));
    }
}

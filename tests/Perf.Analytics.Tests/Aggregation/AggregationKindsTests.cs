using Perf.Analytics.Aggregation;
using Xunit;

namespace Perf.Analytics.Tests.Aggregation;

public sealed class AggregationKindsTests
{
    [Theory]
    [InlineData("avg", AggregationKind.Avg)]
    [InlineData("AVG", AggregationKind.Avg)]
    [InlineData("mean", AggregationKind.Avg)]
    [InlineData("Mean", AggregationKind.Avg)]
    [InlineData("min", AggregationKind.Min)]
    [InlineData("max", AggregationKind.Max)]
    [InlineData("Sum", AggregationKind.Sum)]
    [InlineData("count", AggregationKind.Count)]
    [InlineData("last", AggregationKind.Last)]
    [InlineData("p50", AggregationKind.P50)]
    [InlineData("median", AggregationKind.P50)]
    [InlineData("MEDIAN", AggregationKind.P50)]
    [InlineData("p95", AggregationKind.P95)]
    [InlineData("P99", AggregationKind.P99)]
    [InlineData("  p99 ", AggregationKind.P99)]
    public void TryParse_AcceptsNamesAndAliases(string text, AggregationKind expected)
    {
        Assert.True(AggregationKinds.TryParse(text, out var kind));
        Assert.Equal(expected, kind);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("average")]
    [InlineData("p90")]
    [InlineData("p 99")]
    [InlineData("99")]
    [InlineData("0")] // Enum.TryParse would take this as Avg
    [InlineData("8")]
    [InlineData("avg,min")]
    [InlineData("P99\0")]
    public void TryParse_RejectsAnythingElse(string? text)
    {
        Assert.False(AggregationKinds.TryParse(text, out _));
    }

    [Theory]
    [InlineData(AggregationKind.Avg, "avg")]
    [InlineData(AggregationKind.Min, "min")]
    [InlineData(AggregationKind.Max, "max")]
    [InlineData(AggregationKind.Sum, "sum")]
    [InlineData(AggregationKind.Count, "count")]
    [InlineData(AggregationKind.Last, "last")]
    [InlineData(AggregationKind.P50, "p50")]
    [InlineData(AggregationKind.P95, "p95")]
    [InlineData(AggregationKind.P99, "p99")]
    public void Name_IsTheCanonicalLowerCaseName(AggregationKind kind, string expected)
    {
        Assert.Equal(expected, AggregationKinds.Name(kind));
    }

    [Fact]
    public void Names_ListsEveryKindInEnumOrderAndParsesBack()
    {
        Assert.Equal(["avg", "min", "max", "sum", "count", "last", "p50", "p95", "p99"], AggregationKinds.Names);
        Assert.Equal(Enum.GetValues<AggregationKind>().Length, AggregationKinds.Names.Count);
        foreach (var kind in Enum.GetValues<AggregationKind>())
        {
            Assert.True(AggregationKinds.TryParse(AggregationKinds.Name(kind), out var parsed));
            Assert.Equal(kind, parsed);
        }
    }

    [Fact]
    public void Names_CannotBeModifiedByCallers()
    {
        var list = Assert.IsAssignableFrom<IList<string>>(AggregationKinds.Names);

        Assert.Throws<NotSupportedException>(() => list[0] = "hacked");
        Assert.Equal("avg", AggregationKinds.Name(AggregationKind.Avg));
    }

    [Fact]
    public void Name_OfAnUndefinedKind_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => AggregationKinds.Name((AggregationKind)42));
    }
}

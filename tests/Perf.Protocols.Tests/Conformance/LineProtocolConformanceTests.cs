using Perf.Protocols.LineProtocol;

namespace Perf.Protocols.Tests.Conformance;

/// <summary>
/// The decoder against every case of the development corpus: the exact points wherever the corpus expects a result,
/// a rejection wherever it expects an error (the wording may differ). Each test lists every failing case.
/// </summary>
public sealed class LineProtocolConformanceTests
{
    [Fact]
    public void The_corpus_is_there_with_both_kinds_of_case()
    {
        Assert.True(LineProtocolCorpus.Cases.Count > 3000, $"{LineProtocolCorpus.Cases.Count} cases");
        Assert.Contains(LineProtocolCorpus.Cases, c => c.ExpectsError);
        Assert.Contains(LineProtocolCorpus.Cases, c => !c.ExpectsError);
    }

    [Fact]
    public void Every_result_case_decodes_to_exactly_the_corpus_points()
    {
        var failures = new List<string>();
        foreach (var c in LineProtocolCorpus.Cases.Where(c => !c.ExpectsError))
        {
            var batch = Decode(c);
            if (batch.ErrorCount > 0) failures.Add($"{c.Key}: rejected ({batch.Errors[0]}) {Show(c)}");
            else if (ExpectedPoints.Difference(c.Points!, batch.Points) is { } difference) failures.Add($"{c.Key}: {difference} {Show(c)}");
        }
        Assert.True(failures.Count == 0, $"{failures.Count} result cases differ:\n" + string.Join("\n", failures.Take(60)));
    }

    [Fact]
    public void Every_error_case_is_rejected()
    {
        var failures = new List<string>();
        foreach (var c in LineProtocolCorpus.Cases.Where(c => c.ExpectsError))
        {
            var batch = Decode(c);
            if (batch.ErrorCount == 0) failures.Add($"{c.Key}: accepted ({batch.Points.Count} points), corpus says: {c.Error} {Show(c)}");
        }
        Assert.True(failures.Count == 0, $"{failures.Count} error cases accepted:\n" + string.Join("\n", failures.Take(60)));
    }

    [Fact]
    public void Every_rejection_names_a_line_and_a_reason()
    {
        foreach (var c in LineProtocolCorpus.Cases.Where(c => c.ExpectsError))
        {
            var error = Decode(c).Errors[0];
            Assert.True(error.Line >= 1 && error.Column >= 1, c.Key);
            Assert.False(string.IsNullOrWhiteSpace(error.Reason), c.Key);
        }
    }

    private static LineProtocolBatch Decode(LineProtocolCorpus.Case c)
    {
        Assert.True(TimePrecision.TryParse(c.Precision, out var unit), $"precision {c.Precision}");
        return LineProtocolDecoder.Decode(c.Input, unit, c.DefaultTime);
    }

    private static string Show(LineProtocolCorpus.Case c) =>
        System.Text.Json.JsonSerializer.Serialize(System.Text.Encoding.UTF8.GetString(c.Input)) is var text && text.Length > 160 ? text[..160] + "..." : text;
}

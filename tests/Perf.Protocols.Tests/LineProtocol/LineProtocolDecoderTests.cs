using Perf.Protocols.LineProtocol;

namespace Perf.Protocols.Tests.LineProtocol;

/// <summary>What the corpus does not pin down: how a bad line is reported among good ones, and line counting.</summary>
public sealed class LineProtocolDecoderTests
{
    private const long Now = 1_795_000_000_000_000_000;

    [Fact]
    public void Good_lines_around_bad_ones_are_kept_and_each_bad_one_is_named_by_its_line()
    {
        var batch = LineProtocolDecoder.Decode("cpu usage=1 1\ncpu usage=oops 2\n# comment\ncpu,host=a usage=3 3\nmem used= 4\n", 1, Now);

        Assert.Equal([1, 4], batch.Points.Select(p => p.Line));
        Assert.Equal(2, batch.ErrorCount);
        Assert.Equal([2, 5], batch.Errors.Select(e => e.Line));
        Assert.Contains("usage", batch.Errors[0].Reason, StringComparison.Ordinal);
        Assert.Contains("used", batch.Errors[1].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_string_spanning_lines_counts_them()
    {
        var batch = LineProtocolDecoder.Decode("log msg=\"one\ntwo\",n=1i 5\ncpu usage=2 6\n", 1, Now);

        Assert.Equal(2, batch.Points.Count);
        Assert.Equal("one\ntwo", batch.Points[0].Fields[0].Value.Text);
        Assert.Equal(3, batch.Points[1].Line);
    }

    [Theory]
    [InlineData("ns", 1_700_000_000_000_000_000L, 1_700_000_000_000_000_000L)]
    [InlineData("us", 1_700_000_000_000_000L, 1_700_000_000_000_000_000L)]
    [InlineData("ms", 1_700_000_000_000L, 1_700_000_000_000_000_000L)]
    [InlineData("s", 1_700_000_000L, 1_700_000_000_000_000_000L)]
    public void Timestamps_are_read_in_the_precision(string precision, long written, long expectedNs)
    {
        Assert.True(TimePrecision.TryParse(precision, out var unit));
        var batch = LineProtocolDecoder.Decode($"cpu usage=1 {written}", unit, Now);
        Assert.Equal(expectedNs, Assert.Single(batch.Points).TimeNs);
    }

    [Fact]
    public void A_timestamp_that_overflows_in_its_precision_is_refused()
    {
        var batch = LineProtocolDecoder.Decode("cpu usage=1 9223372036854775", 1_000_000, Now);
        Assert.Equal(1, batch.ErrorCount);
        Assert.Contains("out of range", batch.Errors[0].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Field_values_keep_their_types_and_convert_to_numbers()
    {
        var point = Assert.Single(LineProtocolDecoder.Decode("m f=1.5,i=-2i,u=3u,b=true,s=\"x\"", 1, Now).Points);

        Assert.Equal([1.5, -2.0, 3.0, 1.0, null], point.Fields.Select(f => f.Value.AsNumber()));
        Assert.Equal([FieldKind.Float, FieldKind.Integer, FieldKind.Unsigned, FieldKind.Boolean, FieldKind.String], point.Fields.Select(f => f.Value.Kind));
    }

    [Fact]
    public void Invalid_utf8_is_refused_with_its_line()
    {
        var batch = LineProtocolDecoder.Decode([.. "cpu usage=1\nbad"u8, 0xff, .. " v=1\n"u8], 1, Now);
        Assert.Single(batch.Points);
        Assert.Equal(2, Assert.Single(batch.Errors).Line);
    }

    [Fact]
    public void Only_the_first_hundred_reasons_are_kept_but_every_bad_line_is_counted()
    {
        var text = string.Concat(Enumerable.Repeat("cpu usage=x\n", 250));
        var batch = LineProtocolDecoder.Decode(text, 1, Now);
        Assert.Equal(250, batch.ErrorCount);
        Assert.Equal(LineProtocolDecoder.MaxErrorsKept, batch.Errors.Count);
    }
}

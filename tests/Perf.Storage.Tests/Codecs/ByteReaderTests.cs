using Perf.Storage.Codecs;

namespace Perf.Storage.Tests.Codecs;

/// <summary>Damaged bytes end in an <see cref="InvalidDataException"/> naming what was read, never an out-of-range read or a huge allocation.</summary>
public sealed class ByteReaderTests
{
    /// <summary>One read of the reader's API, by name, so that a theory row can say which.</summary>
    private static void Read(string operation, ReadOnlySpan<byte> bytes)
    {
        var reader = new ByteReader(bytes, "test record");
        switch (operation)
        {
            case "Byte": reader.Byte(); break;
            case "Bool": reader.Bool(); break;
            case "Varint": reader.Varint(); break;
            case "Int64": reader.Int64(); break;
            case "Count4": reader.Count(max: 4); break;
            case "ZigZag": reader.ZigZag(); break;
            case "Double": reader.Double(); break;
            case "Span5": reader.Span(5); break;
            case "SpanNegative": reader.Span(-1); break;
            case "Bytes": reader.Bytes(); break;
            case "String": reader.String(); break;
            case "Doubles": reader.Doubles(); break;
            default: throw new ArgumentOutOfRangeException(nameof(operation), operation, null);
        }
    }

    [Theory]
    [InlineData("Byte", "", "truncated at byte 0 of 0")]
    [InlineData("Bool", "02", "a flag holds 2")]
    [InlineData("Varint", "", "truncated")]
    [InlineData("Varint", "80", "truncated")]
    [InlineData("Varint", "FFFFFFFFFFFFFFFFFF", "truncated")] // nine continuation bytes, the tenth missing
    [InlineData("Varint", "FFFFFFFFFFFFFFFFFF02", "overflows 64 bits")] // a tenth byte may only carry one bit
    [InlineData("Varint", "FFFFFFFFFFFFFFFFFFFF01", "overflows 64 bits")]
    [InlineData("Int64", "FFFFFFFFFFFFFFFFFF01", "out of range")] // ulong.MaxValue is no long
    [InlineData("Count4", "05", "a count of 5 exceeds 4")]
    [InlineData("ZigZag", "FF", "truncated")]
    [InlineData("Double", "00010203040506", "truncated at byte 0 of 7")]
    [InlineData("Span5", "000102", "truncated")]
    [InlineData("SpanNegative", "000102", "truncated")]
    [InlineData("Bytes", "05000102", "a count of 5 exceeds 4")] // a length beyond what is left: no 5-byte array
    [InlineData("Bytes", "FFFFFFFF0F", "exceeds")] // a length of 4 GiB is not allocated
    [InlineData("String", "03C3", "a count of 3 exceeds 2")]
    [InlineData("Doubles", "020001020304050607", "a count of 2 exceeds 1")]
    [InlineData("Doubles", "FFFFFFFF07", "exceeds")]
    public void Damaged_bytes_end_in_InvalidDataException_naming_what_was_read(string operation, string hex, string detail)
    {
        var bytes = Convert.FromHexString(hex);

        var error = Assert.Throws<InvalidDataException>(() => Read(operation, bytes));

        Assert.StartsWith("test record is ", error.Message);
        Assert.Contains(detail, error.Message);
    }

    [Fact]
    public void A_failed_read_leaves_the_position_where_the_damage_is()
    {
        var bytes = Convert.FromHexString("0102" + "80");

        var error = Assert.Throws<InvalidDataException>(() =>
        {
            var reader = new ByteReader(bytes, "test record");
            Assert.Equal(1UL, reader.Varint());
            Assert.Equal(2UL, reader.Varint());
            reader.Varint();
        });

        Assert.Equal("test record is truncated at byte 2 of 3", error.Message);
    }

    [Fact]
    public void Reads_of_exactly_what_is_left_succeed()
    {
        var bytes = Convert.FromHexString("03414243" + "0000000000000840");
        var reader = new ByteReader(bytes, "test record");

        Assert.Equal("ABC", reader.String());
        Assert.Equal(8, reader.Remaining);
        Assert.Equal(3.0, reader.Double());
        Assert.True(reader.AtEnd);
    }
}

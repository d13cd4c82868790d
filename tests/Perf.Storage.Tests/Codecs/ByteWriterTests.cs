using Perf.Storage.Codecs;

namespace Perf.Storage.Tests.Codecs;

/// <summary>What <see cref="ByteWriter"/> writes, read back by <see cref="ByteReader"/>, and its exact bytes where the layout fixes them.</summary>
public sealed class ByteWriterTests
{
    private static byte[] Write(Action<ByteWriter> write)
    {
        using var writer = new ByteWriter(initialCapacity: 1); // grows from the smallest buffer the pool hands out
        write(writer);
        return writer.ToArray();
    }

    [Theory]
    [InlineData(0UL, "00")]
    [InlineData(1UL, "01")]
    [InlineData(127UL, "7F")]
    [InlineData(128UL, "8001")]
    [InlineData(300UL, "AC02")]
    [InlineData(16_383UL, "FF7F")]
    [InlineData(16_384UL, "808001")]
    [InlineData(ulong.MaxValue, "FFFFFFFFFFFFFFFFFF01")]
    public void Varints_are_little_endian_groups_of_seven_bits(ulong value, string hex)
    {
        var bytes = Write(w => w.Varint(value));

        Assert.Equal(hex, Convert.ToHexString(bytes));
        var reader = new ByteReader(bytes, "test");
        Assert.Equal(value, reader.Varint());
        Assert.True(reader.AtEnd);
    }

    [Theory]
    [InlineData(0L, "00")]
    [InlineData(-1L, "01")]
    [InlineData(1L, "02")]
    [InlineData(-64L, "7F")]
    [InlineData(64L, "8001")]
    [InlineData(long.MaxValue, "FEFFFFFFFFFFFFFFFF01")]
    [InlineData(long.MinValue, "FFFFFFFFFFFFFFFFFF01")]
    public void Signed_values_are_zigzag_varints_so_small_negatives_stay_short(long value, string hex)
    {
        var bytes = Write(w => w.ZigZag(value));

        Assert.Equal(hex, Convert.ToHexString(bytes));
        var reader = new ByteReader(bytes, "test");
        Assert.Equal(value, reader.ZigZag());
        Assert.True(reader.AtEnd);
    }

    [Fact]
    public void A_negative_count_is_refused_instead_of_written_as_a_huge_one()
    {
        using var writer = new ByteWriter();

        Assert.Throws<OverflowException>(() => writer.Varint(-1L));
    }

    [Theory]
    [InlineData(0x0000000000000000UL)] // +0
    [InlineData(0x8000000000000000UL)] // -0: a different value to a reader comparing bits
    [InlineData(0x7FF8000000000000UL)] // the NaN .NET produces
    [InlineData(0x7FF0000000000001UL)] // a signalling NaN
    [InlineData(0x7FF0000000000002UL)] // Prometheus' stale marker
    [InlineData(0xFFFFFFFFFFFFFFFFUL)] // a negative NaN with every payload bit
    [InlineData(0x7FF0000000000000UL)] // +infinity
    [InlineData(0x0000000000000001UL)] // the smallest subnormal
    public void Doubles_are_eight_little_endian_bytes_bit_for_bit(ulong bits)
    {
        var bytes = Write(w => w.Double(BitConverter.UInt64BitsToDouble(bits)));

        Assert.Equal(BitConverter.GetBytes(bits), bytes); // little-endian on every machine .NET runs tests on here
        var reader = new ByteReader(bytes, "test");
        Assert.Equal(bits, BitConverter.DoubleToUInt64Bits(reader.Double()));
    }

    [Theory]
    [InlineData("")]
    [InlineData("cpu.usage")]
    [InlineData("disk.usage{mount=\"/\"}")]
    [InlineData("température·温度·🌡")]
    public void Strings_are_length_prefixed_utf8(string value)
    {
        var bytes = Write(w => w.String(value));

        var utf8 = System.Text.Encoding.UTF8.GetBytes(value);
        Assert.Equal(utf8.Length, bytes[0]); // every length here is under 128: one byte
        Assert.Equal(utf8, bytes[1..]);
        var reader = new ByteReader(bytes, "test");
        Assert.Equal(value, reader.String());
        Assert.True(reader.AtEnd);
    }

    [Fact]
    public void Every_kind_of_value_reads_back_in_order_across_buffer_growth()
    {
        var blob = Enumerable.Range(0, 1000).Select(i => (byte)i).ToArray();
        var doubles = new[] { 1.5, double.NaN, -0.0, double.MaxValue };
        var bytes = Write(w =>
        {
            w.Byte(0xAB);
            w.Bool(true);
            w.Bool(false);
            w.Bytes(blob);
            w.Bytes([]);
            w.Doubles(doubles);
            w.Doubles([]);
            w.Raw([1, 2, 3]);
            w.String(new string('x', 5000)); // a length prefix of two bytes
        });

        var reader = new ByteReader(bytes, "test");
        Assert.Equal(0xAB, reader.Byte());
        Assert.True(reader.Bool());
        Assert.False(reader.Bool());
        Assert.Equal(blob, reader.Bytes());
        Assert.Empty(reader.Bytes());
        Assert.Equal(doubles.Select(BitConverter.DoubleToUInt64Bits), reader.Doubles().Select(BitConverter.DoubleToUInt64Bits));
        Assert.Empty(reader.Doubles());
        Assert.Equal([1, 2, 3], reader.Span(3).ToArray());
        Assert.Equal(new string('x', 5000), reader.String());
        Assert.True(reader.AtEnd);
        Assert.Equal(bytes.Length, reader.Position);
    }

    [Fact]
    public void Reserved_bytes_are_filled_in_later_and_reset_starts_an_empty_buffer()
    {
        using var writer = new ByteWriter(initialCapacity: 4);
        writer.Byte(1);
        var at = writer.Reserve(4);
        writer.Raw(new byte[100]); // the buffer grows: the reservation moves with it
        writer.Patch(at, 4).Fill(0xEE);

        Assert.Equal(105, writer.Length);
        Assert.Equal([1, 0xEE, 0xEE, 0xEE, 0xEE, 0], writer.Written[..6].ToArray());

        writer.Reset();
        Assert.Equal(0, writer.Length);
        writer.Byte(7);
        Assert.Equal([7], writer.ToArray());
    }
}

using System.Buffers;
using Google.Protobuf;
using Perf.Protocols.Prometheus;
using Perf.Protocols.Prometheus.Wire;
using Snappier;

namespace Perf.Protocols.Tests.Prometheus;

public sealed class RemoteWriteBodyTests
{
    private static WriteRequest Request(int series)
    {
        var request = new WriteRequest();
        for (var i = 0; i < series; i++)
        {
            var ts = new TimeSeries();
            ts.Labels.Add(RemoteWriteCodec.Label("__name__", $"bench_metric_{i / 10}"));
            ts.Labels.Add(RemoteWriteCodec.Label("instance", $"bench-{i % 10:D4}"));
            ts.Samples.Add(new Sample { Value = i, Timestamp = 1_795_000_000_000 });
            request.Timeseries.Add(ts);
        }
        return request;
    }

    private static byte[] Decompressed(ReadOnlySpan<byte> body, long limit)
    {
        var buffer = RemoteWriteBody.Decompress(body, limit, out var length);
        try
        {
            Assert.True(buffer.Length >= length);
            return buffer[..length];
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(1000)]
    public void A_body_decompresses_to_the_request_Prometheus_encoded(int series)
    {
        var request = Request(series);
        var body = RemoteWriteCodec.Encode(request);

        Assert.Equal(request.CalculateSize(), RemoteWriteBody.DecodedLength(body, 1 << 20));
        Assert.Equal(request.ToByteArray(), Decompressed(body, 1 << 20));
    }

    [Fact]
    public void A_body_of_exactly_the_limit_is_taken()
    {
        var body = Snappy.CompressToArray(new byte[10_000]);
        Assert.Equal(10_000, Decompressed(body, 10_000).Length);
    }

    [Fact]
    public void A_body_over_the_limit_is_refused_as_too_large()
    {
        var body = Snappy.CompressToArray(new byte[10_001]);
        var error = Assert.Throws<ProtocolFormatException>(() => Decompressed(body, 10_000));
        Assert.True(error.TooLarge);
        Assert.Equal("body", error.Field);
        Assert.Equal("decompresses to 10001 bytes, more than the limit of 10000 (perf.protocols.max_decoded_bytes)", error.Message);
    }

    public static TheoryData<string, byte[], long> Huge() => new()
    {
        // 3,999,999,999... bytes: Snappier reads it as a negative int, which slipped under the limit and made
        // `new byte[length]` throw OverflowException (answered 500).
        { "a header claiming 4 GB", [0x80, 0xd0, 0xac, 0xf3, 0x0e, 0x00, 0x61], 64 << 20 },
        { "a header claiming 4 GB, with no limit", [0x80, 0xd0, 0xac, 0xf3, 0x0e, 0x00, 0x61], long.MaxValue },
        { "a header claiming 2^31 bytes", [0x80, 0x80, 0x80, 0x80, 0x08, 0x00], long.MaxValue },
        { "a header claiming 2^32 - 1 bytes", [0xff, 0xff, 0xff, 0xff, 0x0f, .. new byte[16]], 64 << 20 },
        { "any body with a negative limit", [0x01, 0x00, 0x61], -1 },
    };

    [Theory]
    [MemberData(nameof(Huge))]
    public void A_header_claiming_more_than_the_limit_is_refused_as_too_large_before_allocating(string because, byte[] body, long limit)
    {
        Assert.NotEmpty(because);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<ProtocolFormatException>(() => RemoteWriteBody.DecodedLength(body, limit));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 64 << 10, "nothing the size of the body was allocated");
        Assert.True(error.TooLarge);
        Assert.Equal("body", error.Field);
        Assert.True(Assert.Throws<ProtocolFormatException>(() => Decompressed(body, limit)).TooLarge);
    }

    [Fact]
    public void The_4_GB_header_is_refused_by_the_object_model_decoder_too()
    {
        var error = Assert.Throws<ProtocolFormatException>(() => RemoteWriteCodec.Decode([0x80, 0xd0, 0xac, 0xf3, 0x0e, 0x00, 0x61], 64 << 20));
        Assert.True(error.TooLarge);
    }

    public static TheoryData<string, byte[], string> Malformed() => new()
    {
        { "an empty body", [], "is empty" },
        { "a truncated length header", [0x80], "its length header is truncated" },
        { "a truncated length header of four bytes", [0xff, 0xff, 0xff, 0xff], "its length header is truncated" },
        { "a length header longer than 5 bytes", [0xff, 0xff, 0xff, 0xff, 0xff, 0x01], "its length header is longer than 5 bytes" },
        { "a length header over 32 bits", [0xff, 0xff, 0xff, 0xff, 0x1f, .. new byte[16]], "its length header is over 32 bits" },
        { "a length header over 32 bits, short", [0x80, 0x80, 0x80, 0x80, 0x10], "its length header is over 32 bits" },
        { "a header and no data", [0x05], "truncated or corrupt" },
        { "a literal cut short", [0x05, 0x10, 0x61, 0x62], "truncated or corrupt" },
        { "a copy reaching before the start", [0x05, 0x01, 0x02, 0x00], "truncated or corrupt" },
        { "plain text", "this is not snappy at all, just text"u8.ToArray(), "truncated or corrupt" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void A_malformed_body_is_refused_as_a_format_error(string because, byte[] body, string message)
    {
        Assert.NotEmpty(because);
        var error = Assert.Throws<ProtocolFormatException>(() => Decompressed(body, 1 << 20));
        Assert.Equal("body", error.Field);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.False(error.TooLarge);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(+1)]
    public void A_header_that_disagrees_with_the_data_is_refused(int off)
    {
        var body = Snappy.CompressToArray(new byte[100]);
        Assert.Equal(100, body[0]);
        body[0] = (byte)(100 + off);
        Assert.Throws<ProtocolFormatException>(() => Decompressed(body, 1 << 20));
    }

    [Fact]
    public void Random_damage_gives_a_format_error_or_bytes_but_never_another_exception()
    {
        var valid = RemoteWriteCodec.Encode(Request(50));
        var random = new Random(1234);
        for (var i = 0; i < 20_000; i++)
        {
            var damaged = (byte[])valid.Clone();
            switch (random.Next(3))
            {
                case 0: damaged[random.Next(damaged.Length)] = (byte)random.Next(256); break;
                case 1: damaged[random.Next(Math.Min(6, damaged.Length))] = (byte)random.Next(256); break;
                default: damaged = damaged[..random.Next(damaged.Length)]; break;
            }
            try
            {
                Decompressed(damaged, 1 << 20);
            }
            catch (ProtocolFormatException)
            {
            }
        }
    }
}

using Perf.Protocols.Prometheus;
using Perf.Protocols.Prometheus.Wire;

namespace Perf.Protocols.Tests.Prometheus;

public sealed class RemoteWriteCodecTests
{
    private static WriteRequest Request()
    {
        var series = new TimeSeries();
        series.Labels.Add(RemoteWriteCodec.Label("__name__", "node_load1"));
        series.Labels.Add(RemoteWriteCodec.Label("instance", "web-1:9100"));
        series.Samples.Add(new Sample { Value = 0.5, Timestamp = 1_795_000_000_000 });
        series.Samples.Add(new Sample { Value = BitConverter.UInt64BitsToDouble(RemoteWriteCodec.StaleMarkerBits), Timestamp = 1_795_000_001_000 });
        var request = new WriteRequest();
        request.Timeseries.Add(series);
        return request;
    }

    [Fact]
    public void A_request_survives_encoding_and_its_stale_marker_is_recognised()
    {
        var decoded = RemoteWriteCodec.Decode(RemoteWriteCodec.Encode(Request()), 1 << 20);

        var series = Assert.Single(decoded.Timeseries);
        Assert.Equal("node_load1", series.Labels[0].Value.ToStringUtf8());
        Assert.False(RemoteWriteCodec.IsStaleMarker(series.Samples[0].Value));
        Assert.True(RemoteWriteCodec.IsStaleMarker(series.Samples[1].Value));
        Assert.False(RemoteWriteCodec.IsStaleMarker(double.NaN));
    }

    [Fact]
    public void Truncated_snappy_is_refused()
    {
        var body = RemoteWriteCodec.Encode(Request());
        var error = Assert.Throws<ProtocolFormatException>(() => RemoteWriteCodec.Decode(body.AsSpan(0, body.Length - 5), 1 << 20));
        Assert.Equal("body", error.Field);
        Assert.False(error.TooLarge);
    }

    [Fact]
    public void Uncompressed_protobuf_is_refused()
    {
        Assert.Throws<ProtocolFormatException>(() => RemoteWriteCodec.Decode(Google.Protobuf.MessageExtensions.ToByteArray(Request()), 1 << 20));
    }

    [Fact]
    public void Snappy_that_is_not_a_write_request_is_refused()
    {
        var body = Snappier.Snappy.CompressToArray("this is not protobuf, just text that snappy compressed"u8);
        Assert.Throws<ProtocolFormatException>(() => RemoteWriteCodec.Decode(body, 1 << 20));
    }

    [Fact]
    public void A_body_that_would_decompress_past_the_limit_is_refused_before_decompressing()
    {
        var body = Snappier.Snappy.CompressToArray(new byte[100_000]);
        Assert.True(Assert.Throws<ProtocolFormatException>(() => RemoteWriteCodec.Decode(body, 10_000)).TooLarge);
    }
}

using Perf.Protocols.Otlp;

namespace Perf.Protocols.Tests.Otlp;

public sealed class OtlpCodecTests
{
    [Fact]
    public void The_json_encoding_reads_camel_case_string_integers_and_skips_unknown_fields()
    {
        var json = """
            {"resourceMetrics": [{"resource": {"attributes": [{"key": "host.name", "value": {"stringValue": "web-1"}}]},
              "scopeMetrics": [{"scope": {"name": "app"}, "metrics": [
                {"name": "requests", "unit": "1", "sum": {"aggregationTemporality": 2, "isMonotonic": true,
                  "dataPoints": [{"startTimeUnixNano": "1795000000000000000", "timeUnixNano": "1795000010000000000", "asInt": "42",
                    "exemplars": [{"traceId": "5b8efff798038103d269b633813fc60c", "asDouble": 1}]}]}}]}]}]}
            """u8;

        var request = OtlpCodec.ParseJson(json);

        var metric = request.ResourceMetrics[0].ScopeMetrics[0].Metrics[0];
        Assert.Equal("web-1", request.ResourceMetrics[0].Resource.Attributes[0].Value.StringValue);
        Assert.True(metric.Sum.IsMonotonic);
        Assert.Equal(42, metric.Sum.DataPoints[0].AsInt);
        Assert.Equal(1_795_000_010_000_000_000UL, metric.Sum.DataPoints[0].TimeUnixNano);
    }

    [Fact]
    public void Bodies_that_are_not_the_message_are_refused()
    {
        Assert.Throws<ProtocolFormatException>(() => OtlpCodec.ParseJson("{\"resourceMetrics\": 3}"u8));
        Assert.Throws<ProtocolFormatException>(() => OtlpCodec.ParseJson([0x7b, 0xff, 0x7d]));
        Assert.Throws<ProtocolFormatException>(() => OtlpCodec.ParseProtobuf([0x0a, 0x05, 0x01]));
    }
}

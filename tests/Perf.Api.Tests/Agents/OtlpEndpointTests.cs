using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Google.Protobuf;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using Perf.Api.Tests.Infrastructure;
using Perf.Protocols;
using Wire = Perf.Protocols.Otlp.Wire;

namespace Perf.Api.Tests.Agents;

/// <summary><c>POST /v1/metrics</c>: the OpenTelemetry .NET SDK's own OTLP exporter as the sender, and hand-made requests for the rest.</summary>
public sealed class OtlpEndpointTests(DefaultNode fixture) : IClassFixture<DefaultNode>
{
    private readonly HttpClient _client = fixture.Client;

    private async Task<JsonArray> PointsAsync(string host, string metric) =>
        (await _client.GetJsonAsync($"/api/v1/series/{host}/{Uri.EscapeDataString(metric)}?start={Uri.EscapeDataString(NodeApi.Iso(DateTimeOffset.UtcNow.AddMinutes(-10)))}"))["points"]!.AsArray();

    [Theory]
    [InlineData(OtlpExportCompression.None)]
    [InlineData(OtlpExportCompression.GZip)]
    public async Task A_gauge_a_counter_and_a_histogram_exported_by_the_dotnet_sdk_arrive(OtlpExportCompression compression)
    {
        var host = $"otlp-sdk-{compression}".ToLowerInvariant();
        using var meter = new Meter("perf.tests.otlp." + compression);
        var depth = 42.5;
        meter.CreateObservableGauge("queue.depth", () => depth);
        var orders = meter.CreateCounter<long>("orders");
        var latency = meter.CreateHistogram<double>("checkout.duration", "ms");
        using var provider = Sdk.CreateMeterProviderBuilder()
            .ConfigureResource(resource => resource.AddService("checkout").AddAttributes([new("host.name", host)]))
            .AddMeter(meter.Name)
            .AddOtlpExporter((exporter, reader) =>
            {
                exporter.Protocol = OtlpExportProtocol.HttpProtobuf;
                exporter.Endpoint = new Uri(fixture.Node.BaseAddress, "/v1/metrics");
                exporter.Headers = "X-Api-Key=" + PerfNodeProcess.AdminKey;
                exporter.Compression = compression;
                // Exports happen when the test flushes, not on a timer.
                reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = 3_600_000;
                reader.TemporalityPreference = MetricReaderTemporalityPreference.Cumulative;
            })
            .Build();

        orders.Add(5, new KeyValuePair<string, object?>("region", "eu"));
        foreach (var ms in new[] { 10.0, 20, 30, 40, 50, 60, 70, 80, 90, 100 }) latency.Record(ms);
        Assert.True(provider.ForceFlush(30_000), "the first export failed");
        orders.Add(7, new KeyValuePair<string, object?>("region", "eu"));
        depth = 17;
        Assert.True(provider.ForceFlush(30_000), "the second export failed");

        Assert.Equal([42.5, 17.0], (await PointsAsync(host, "queue.depth")).Select(p => p!["value"]!.GetValue<double>()));

        // The counter is a cumulative monotonic sum: stored as its rate per second, the second point being the 7 added
        // between the two exports over the time between them.
        var rates = await PointsAsync(host, "orders.rate{region=\"eu\"}");
        Assert.Equal(2, rates.Count);
        var seconds = (rates[1]!["timestamp"]!.GetValue<DateTimeOffset>() - rates[0]!["timestamp"]!.GetValue<DateTimeOffset>()).TotalSeconds;
        // Stored times keep milliseconds, the exporter's nanoseconds: the interval read back is off by up to 1 ms.
        var rate = rates[1]!["value"]!.GetValue<double>();
        Assert.Equal(7, rate * seconds, rate * 0.0011);

        Assert.Equal(10, (await PointsAsync(host, "checkout.duration.count"))[0]!["value"]!.GetValue<double>());
        Assert.Equal(550, (await PointsAsync(host, "checkout.duration.sum"))[0]!["value"]!.GetValue<double>());
        var p50 = (await PointsAsync(host, "checkout.duration.p50"))[0]!["value"]!.GetValue<double>();
        var p99 = (await PointsAsync(host, "checkout.duration.p99"))[0]!["value"]!.GetValue<double>();
        Assert.InRange(p50, 25, 75);
        Assert.InRange(p99, 75, 100);
    }

    private static string JsonRequest(string host, string points) => $$$"""
        {"resourceMetrics": [{"resource": {"attributes": [{"key": "host.name", "value": {"stringValue": "{{{host}}}"} }]},
          "scopeMetrics": [{"metrics": [{"name": "temperature", "gauge": {"dataPoints": [{{{points}}}]} }]}]}]}
        """;

    [Fact]
    public async Task The_json_encoding_is_answered_in_json_and_refused_points_are_a_partial_success()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;
        var body = JsonRequest("otlp-json", $$"""
            {"timeUnixNano": "{{now}}", "asDouble": 21.5, "attributes": [{"key": "room", "value": {"stringValue": "lab"} }]},
            {"timeUnixNano": "{{now}}", "asDouble": "NaN"},
            {"timeUnixNano": "0", "asDouble": 3},
            {"timeUnixNano": "{{now}}", "asDouble": 4, "flags": 1 }
            """);

        using var response = await _client.PostAsync("/v1/metrics", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var answer = await response.ReadJsonAsync();
        Assert.Equal("2", answer["partialSuccess"]!["rejectedDataPoints"]!.ToString());
        Assert.Contains("time_unix_nano", answer["partialSuccess"]!["errorMessage"]!.GetValue<string>(), StringComparison.Ordinal);
        var points = await PointsAsync("otlp-json", "temperature{room=\"lab\"}");
        Assert.Equal(21.5, Assert.Single(points)!["value"]!.GetValue<double>());
    }

    [Fact]
    public async Task A_summary_and_a_delta_counter_in_protobuf()
    {
        var now = (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;
        var summary = new Wire.Metric { Name = "rpc.latency", Summary = new Wire.Summary() };
        var point = new Wire.SummaryDataPoint { TimeUnixNano = now, Count = 4, Sum = 10 };
        point.QuantileValues.Add(new Wire.SummaryDataPoint.Types.ValueAtQuantile { Quantile = 0.5, Value = 2 });
        point.QuantileValues.Add(new Wire.SummaryDataPoint.Types.ValueAtQuantile { Quantile = 0.99, Value = 4 });
        summary.Summary.DataPoints.Add(point);
        var delta = new Wire.Metric { Name = "bytes.sent", Sum = new Wire.Sum { IsMonotonic = true, AggregationTemporality = Wire.AggregationTemporality.Delta } };
        delta.Sum.DataPoints.Add(new Wire.NumberDataPoint { StartTimeUnixNano = now - 10_000_000_000, TimeUnixNano = now, AsInt = 500 });
        var request = new Wire.ExportMetricsServiceRequest();
        var resource = new Wire.ResourceMetrics { Resource = new Wire.Resource() };
        resource.Resource.Attributes.Add(new Wire.KeyValue { Key = "host.name", Value = new Wire.AnyValue { StringValue = "otlp-proto" } });
        var scope = new Wire.ScopeMetrics();
        scope.Metrics.Add(summary);
        scope.Metrics.Add(delta);
        resource.ScopeMetrics.Add(scope);
        request.ResourceMetrics.Add(resource);
        using var content = new ByteArrayContent(request.ToByteArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");

        using var response = await _client.PostAsync("/v1/metrics", content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = Wire.ExportMetricsServiceResponse.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync());
        Assert.Null(answer.PartialSuccess);
        Assert.Equal(2, (await PointsAsync("otlp-proto", "rpc.latency.p50"))[0]!["value"]!.GetValue<double>());
        Assert.Equal(4, (await PointsAsync("otlp-proto", "rpc.latency.p99"))[0]!["value"]!.GetValue<double>());
        Assert.Equal(50, (await PointsAsync("otlp-proto", "bytes.sent.rate"))[0]!["value"]!.GetValue<double>());
    }

    public static TheoryData<string, byte[], string, string?, HttpStatusCode, string> BadBodies() => new()
    {
        { "not protobuf", [0x0a, 0x05, 0x01], "application/x-protobuf", null, HttpStatusCode.BadRequest, "body" },
        { "not JSON of the message", Encoding.UTF8.GetBytes("{\"resourceMetrics\": 7}"), "application/json", null, HttpStatusCode.BadRequest, "body" },
        { "invalid UTF-8", [0x7b, 0x22, 0xff, 0x22, 0x7d], "application/json", null, HttpStatusCode.BadRequest, "body" },
        { "truncated gzip", Gzip.Compress(Encoding.UTF8.GetBytes(JsonRequest("otlp-bad", "")))[..^6], "application/json", "gzip", HttpStatusCode.BadRequest, "body" },
        { "text", Encoding.UTF8.GetBytes("temperature 21.5"), "text/plain", null, HttpStatusCode.UnsupportedMediaType, "Content-Type" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task Bad_bodies_are_refused_naming_what_is_wrong(string why, byte[] body, string contentType, string? encoding, HttpStatusCode status, string field)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (encoding is not null) content.Headers.ContentEncoding.Add(encoding);

        using var response = await _client.PostAsync("/v1/metrics", content);

        var problem = await response.ExpectProblemAsync(status, field);
        Assert.False(string.IsNullOrEmpty(problem["detail"]?.GetValue<string>()), why);
    }
}

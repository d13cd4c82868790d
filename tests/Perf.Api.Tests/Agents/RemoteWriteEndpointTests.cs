using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Google.Protobuf;
using Perf.Api.Tests.Infrastructure;
using Perf.Api.Tests.Security;
using Perf.Protocols.Prometheus;
using Perf.Protocols.Prometheus.Wire;

namespace Perf.Api.Tests.Agents;

/// <summary><c>POST /api/v1/write</c> with requests made here: stale markers, and every kind of bad input.</summary>
public sealed class RemoteWriteEndpointTests(DefaultNode fixture) : IClassFixture<DefaultNode>
{
    private readonly HttpClient _client = fixture.Client;

    private static TimeSeries Series(string name, string instance, params (long T, double V)[] samples) => Series(name, instance, [], samples);

    private static TimeSeries Series(string name, string instance, (string, string)[] labels, params (long T, double V)[] samples)
    {
        var series = new TimeSeries();
        series.Labels.Add(RemoteWriteCodec.Label("__name__", name));
        series.Labels.Add(RemoteWriteCodec.Label("instance", instance));
        foreach (var (key, value) in labels) series.Labels.Add(RemoteWriteCodec.Label(key, value));
        foreach (var (t, v) in samples) series.Samples.Add(new Sample { Timestamp = t, Value = v });
        return series;
    }

    private static WriteRequest Request(params TimeSeries[] series)
    {
        var request = new WriteRequest();
        request.Timeseries.AddRange(series);
        return request;
    }

    private static ByteArrayContent Body(byte[] bytes, string contentType = "application/x-protobuf", string? encoding = "snappy")
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (encoding is not null) content.Headers.ContentEncoding.Add(encoding);
        content.Headers.Add("X-Prometheus-Remote-Write-Version", "0.1.0");
        return content;
    }

    private Task<HttpResponseMessage> SendAsync(WriteRequest request, HttpClient? client = null) =>
        (client ?? _client).PostAsync("/api/v1/write", Body(RemoteWriteCodec.Encode(request)));

    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    [Fact]
    public async Task A_stale_marker_ends_a_series_without_storing_a_value_and_other_nans_are_dropped()
    {
        var t = Now - 10_000;
        var stale = BitConverter.UInt64BitsToDouble(RemoteWriteCodec.StaleMarkerBits);
        using var response = await SendAsync(Request(Series("up", "rw-stale:9100", (t, 1), (t + 1000, stale), (t + 2000, double.NaN))));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var points = (await _client.GetJsonAsync($"/api/v1/series/rw-stale:9100/up?start={t - 1000}&end={t + 5000}"))["points"]!.AsArray();
        Assert.Equal(1, Assert.Single(points)!["value"]!.GetValue<double>());
    }

    [Fact]
    public async Task Labels_other_than_name_and_instance_make_a_stable_series_name()
    {
        var t = Now;
        using var first = await SendAsync(Request(Series("node_disk_io_time_seconds_total", "rw-labels:9100", [("job", "node"), ("device", "sda")], (t, 5))));
        using var second = await SendAsync(Request(Series("node_disk_io_time_seconds_total", "rw-labels:9100", [("device", "sda"), ("job", "node"), ("empty", "")], (t + 1000, 6))));

        Assert.Equal(HttpStatusCode.NoContent, first.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, second.StatusCode);
        var host = await _client.GetJsonAsync("/api/v1/hosts/rw-labels:9100");
        var series = Assert.Single(host["series"]!.AsArray())!;
        Assert.Equal("node_disk_io_time_seconds_total{device=\"sda\",job=\"node\"}", series["metric"]!.GetValue<string>());
        Assert.Equal(6, series["value"]!.GetValue<double>());
    }

    public static TheoryData<string, byte[], string, string?, HttpStatusCode, string> BadBodies()
    {
        var good = RemoteWriteCodec.Encode(Request(Series("up", "rw-bad:9100", (Now, 1))));
        var bigDeclared = new byte[] { 0x80, 0x80, 0x80, 0x80, 0x02, 0x00, 0x01, 0x02 }; // varint 512 MiB, then garbage
        var badUtf8 = new TimeSeries();
        badUtf8.Labels.Add(RemoteWriteCodec.Label("__name__", "up"));
        badUtf8.Labels.Add(new Label { Name = ByteString.CopyFromUtf8("job"), Value = ByteString.CopyFrom(0x6e, 0xff, 0x64) });
        badUtf8.Samples.Add(new Sample { Timestamp = Now, Value = 1 });
        var nameless = new TimeSeries();
        nameless.Labels.Add(RemoteWriteCodec.Label("instance", "rw-bad:9100"));
        nameless.Samples.Add(new Sample { Timestamp = Now, Value = 1 });
        return new TheoryData<string, byte[], string, string?, HttpStatusCode, string>
        {
            { "truncated snappy", good[..^4], "application/x-protobuf", "snappy", HttpStatusCode.BadRequest, "body" },
            { "protobuf without snappy", Request(Series("up", "rw-bad:9100", (Now, 1))).ToByteArray(), "application/x-protobuf", "snappy", HttpStatusCode.BadRequest, "body" },
            { "snappy of something else", Snappier.Snappy.CompressToArray(Encoding.UTF8.GetBytes("{\"not\": \"a write request\"}")), "application/x-protobuf", "snappy", HttpStatusCode.BadRequest, "body" },
            { "label not UTF-8", RemoteWriteCodec.Encode(Request(badUtf8)), "application/x-protobuf", "snappy", HttpStatusCode.BadRequest, "timeseries[0].labels[1]" },
            { "series without __name__", RemoteWriteCodec.Encode(Request(nameless)), "application/x-protobuf", "snappy", HttpStatusCode.BadRequest, "timeseries[0].labels" },
            { "decompresses past the limit", bigDeclared, "application/x-protobuf", "snappy", HttpStatusCode.RequestEntityTooLarge, "body" },
            { "remote write 2.0", good, "application/x-protobuf;proto=io.prometheus.write.v2.Request", "snappy", HttpStatusCode.UnsupportedMediaType, "Content-Type" },
            { "JSON", Encoding.UTF8.GetBytes("[]"), "application/json", null, HttpStatusCode.UnsupportedMediaType, "Content-Type" },
            { "gzip instead of snappy", good, "application/x-protobuf", "gzip", HttpStatusCode.UnsupportedMediaType, "Content-Encoding" },
        };
    }

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task Bad_bodies_are_refused_naming_what_is_wrong_and_store_nothing(string why, byte[] body, string contentType, string? encoding, HttpStatusCode status, string field)
    {
        using var response = await _client.PostAsync("/api/v1/write", Body(body, contentType, encoding));

        var problem = await response.ExpectProblemAsync(status, field);
        Assert.False(string.IsNullOrEmpty(problem["detail"]?.GetValue<string>()), why);
        await (await _client.GetAsync("/api/v1/hosts/rw-bad:9100")).ExpectProblemAsync(HttpStatusCode.NotFound, "host");
    }

    [Fact]
    public async Task A_body_over_the_size_limit_gets_413()
    {
        var filler = new byte[17 * 1024 * 1024];
        Random.Shared.NextBytes(filler);
        using var response = await _client.PostAsync("/api/v1/write", Body(filler));
        await response.ExpectProblemAsync(HttpStatusCode.RequestEntityTooLarge, "body");
    }

    [Fact]
    public async Task A_host_scoped_key_cannot_write_another_instance()
    {
        var agent = await Keys.CreateAsync(_client, "ingest", ["rw-allowed*"]);
        using var client = fixture.Node.ClientWithKey(null);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("prometheus:" + agent.Token)));

        using var allowed = await SendAsync(Request(Series("up", "rw-allowed:9100", (Now, 1))), client);
        using var refused = await SendAsync(Request(Series("up", "rw-allowed:9100", (Now, 1)), Series("up", "rw-other:9100", (Now, 1))), client);

        Assert.Equal(HttpStatusCode.NoContent, allowed.StatusCode);
        await refused.ExpectProblemAsync(HttpStatusCode.Forbidden, "host");
        await (await _client.GetAsync("/api/v1/hosts/rw-other:9100")).ExpectProblemAsync(HttpStatusCode.NotFound, "host");
    }

    /// <summary>
    /// A client sending a million distinct series for one host: each request past the host's series limit is refused
    /// whole with 422 naming the host (Prometheus does not retry a 4xx), nothing of it is stored, and the node goes on
    /// answering other writes.
    /// </summary>
    [Fact]
    public async Task A_million_distinct_series_meet_the_cardinality_guard_and_the_node_stays_responsive()
    {
        const int total = 1_000_000, perRequest = 100_000;
        var t = Now;
        for (var offset = 0; offset < total; offset += perRequest)
        {
            var request = new WriteRequest();
            for (var i = offset; i < offset + perRequest; i++) request.Timeseries.Add(Series("flood_metric", "rw-flood", [("id", i.ToString(System.Globalization.CultureInfo.InvariantCulture))], (t, i)));
            using var response = await SendAsync(request);
            var problem = await response.ExpectProblemAsync(HttpStatusCode.UnprocessableEntity, "host");
            Assert.Contains("rw-flood", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);

            // Between floods, an ordinary agent's write still goes through.
            using var ordinary = await SendAsync(Request(Series("up", "rw-ordinary:9100", (Now, offset))));
            Assert.Equal(HttpStatusCode.NoContent, ordinary.StatusCode);
        }

        await (await _client.GetAsync("/api/v1/hosts/rw-flood")).ExpectProblemAsync(HttpStatusCode.NotFound, "host");
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync("/health/ready")).StatusCode);
        var ordinarySeries = await _client.GetJsonAsync("/api/v1/hosts/rw-ordinary:9100");
        Assert.Equal((total - perRequest).ToString(System.Globalization.CultureInfo.InvariantCulture), ordinarySeries["series"]![0]!["value"]!.ToJsonString());
    }
}

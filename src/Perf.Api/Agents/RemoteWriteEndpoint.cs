using Perf.Actors.Series;
using System.Text;
using System.Text.Unicode;
using Perf.Actors.Telemetry;
using Perf.Api.Http;
using Perf.Host;
using Perf.Protocols;
using Perf.Protocols.Prometheus;

using Perf.Api.Ingest;

namespace Perf.Api.Agents;

/// <summary>
/// <c>POST /api/v1/write</c>: Prometheus remote write 1.0 (a snappy-compressed <c>WriteRequest</c>). A series' host is
/// the value of <c>perf.protocols.remote_write.host_label</c> (<c>instance</c>), its name <c>__name__</c> with every other
/// label (<see cref="SeriesNames"/>). 204 once every sample is in the journal; 400 for a body that does not decode
/// (Prometheus drops it: sending it again cannot help); 503 with Retry-After under backpressure (Prometheus 2.x retries
/// server errors, but 429 only when configured to, so 503 is the answer that is retried everywhere); 415 for remote
/// write 2.0 bodies, which Perf does not read.
/// </summary>
public static class RemoteWriteEndpoint
{
    public static async Task<IResult> WriteAsync(HttpContext context, PerfEngine engine, TimeProvider clock, CancellationToken cancellationToken)
    {
        var contentType = context.Request.ContentType ?? "";
        if (contentType.Contains("io.prometheus.write.v2", StringComparison.OrdinalIgnoreCase))
            return AgentBody.Refused("media_type", Problems.Invalid("Content-Type",
                "remote write 2.0 (io.prometheus.write.v2.Request) is not supported; send remote write 1.0 (protobuf_message: prometheus.WriteRequest)",
                StatusCodes.Status415UnsupportedMediaType, "Unsupported media type"));
        if (contentType.Length > 0 && !contentType.StartsWith("application/x-protobuf", StringComparison.OrdinalIgnoreCase))
            return AgentBody.Refused("media_type", Problems.Invalid("Content-Type", "must be application/x-protobuf (a snappy-compressed WriteRequest)",
                StatusCodes.Status415UnsupportedMediaType, "Unsupported media type"));
        var encoding = context.Request.Headers.ContentEncoding.ToString();
        if (encoding.Length > 0 && !encoding.Equals("snappy", StringComparison.OrdinalIgnoreCase))
            return AgentBody.Refused("media_type", Problems.Invalid("Content-Encoding", "must be snappy", StatusCodes.Status415UnsupportedMediaType, "Unsupported media type"));
        // Snappy is the protocol's own compression: the body is read as sent and decompressed by the codec.
        var (body, refusal) = await AgentBody.ReadAsync(context, engine, contentEncoding: false, cancellationToken);
        if (refusal is not null) return refusal;

        Protocols.Prometheus.Wire.WriteRequest request;
        try
        {
            request = RemoteWriteCodec.Decode(body, engine.Settings.Protocols.MaxDecodedBytes);
        }
        catch (ProtocolFormatException e)
        {
            return e.TooLarge
                ? AgentBody.TooLarge(engine.Settings.Protocols.MaxDecodedBytes, "perf.protocols.max_decoded_bytes", "once decompressed ")
                : AgentBody.Refused("invalid", Problems.Invalid(e.Field, e.Message));
        }

        var settings = engine.Settings;
        var window = SampleWindow.At(clock.GetUtcNow(), settings.Performance.RetentionPeriod, settings.Engine.Ingest.MaxFutureSkew);
        var (batch, error, dropped) = Convert(request, settings.Protocols.RemoteWriteHostLabel, window);
        if (error is not null) return AgentBody.Refused("invalid", error);
        foreach (var (reason, count) in dropped)
            PerfMetrics.PointsRejected.Add(count, new KeyValuePair<string, object?>("reason", reason), new KeyValuePair<string, object?>("protocol", "remote_write"));
        if (batch.SampleCount == 0) return Results.NoContent();
        if (IngestHosts.Check(context, batch.Hosts) is { } forbidden) return forbidden;

        var (_, failure) = await AgentIngest.SubmitAsync(context, engine, batch.Build(), StatusCodes.Status503ServiceUnavailable, cancellationToken);
        return failure ?? Results.NoContent();
    }

    /// <summary>
    /// The samples of a request by host and series. Stale markers end a series without a value; other NaN and infinite
    /// values and samples outside the storable time window are dropped and counted by reason (Prometheus cannot do
    /// anything else with them: an error would only make it drop the whole batch). A label that is not UTF-8 or a
    /// series without <c>__name__</c> is malformed: the request is refused.
    /// </summary>
    public static (SampleBatchBuilder Batch, IResult? Error, Dictionary<string, int> Dropped) Convert(
        Protocols.Prometheus.Wire.WriteRequest request, string hostLabel, SampleWindow window)
    {
        var batch = new SampleBatchBuilder();
        var dropped = new Dictionary<string, int>();
        var labels = new List<KeyValuePair<string, string>>();
        for (var i = 0; i < request.Timeseries.Count; i++)
        {
            var series = request.Timeseries[i];
            if (series.Samples.Count == 0) continue;
            string? name = null, host = null;
            labels.Clear();
            for (var j = 0; j < series.Labels.Count; j++)
            {
                var label = series.Labels[j];
                if (!Utf8.IsValid(label.Name.Span) || !Utf8.IsValid(label.Value.Span))
                    return (batch, Problems.Invalid($"timeseries[{i}].labels[{j}]", "is not valid UTF-8"), dropped);
                var key = Encoding.UTF8.GetString(label.Name.Span);
                var value = Encoding.UTF8.GetString(label.Value.Span);
                if (key.Length == 0) return (batch, Problems.Invalid($"timeseries[{i}].labels[{j}]", "has an empty name"), dropped);
                if (key == "__name__") name = value;
                else if (key == hostLabel) host = value;
                else if (value.Length > 0) labels.Add(new(key, value)); // Prometheus: an empty label is no label.
            }
            if (string.IsNullOrEmpty(name)) return (batch, Problems.Invalid($"timeseries[{i}].labels", "has no __name__ label"), dropped);
            labels.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
            var metric = SeriesName.Labelled(name, labels);
            if (metric.Length > SeriesName.MaxLength)
                return (batch, Problems.Invalid($"timeseries[{i}].labels", $"make a series name of {metric.Length} characters, more than {SeriesName.MaxLength}"), dropped);
            var perfHost = SeriesNames.Host(host);
            foreach (var sample in series.Samples)
            {
                // A stale marker says the series ended: nothing to store, and nothing wrong.
                if (RemoteWriteCodec.IsStaleMarker(sample.Value)) continue;
                if (!double.IsFinite(sample.Value)) Count(dropped, "not_finite");
                else if (window.Refuse(sample.Timestamp) is not null) Count(dropped, sample.Timestamp < window.OldestMs ? "too_old" : "future");
                else batch.Add(perfHost, metric, sample.Timestamp, sample.Value);
            }
        }
        return (batch, null, dropped);
    }

    private static void Count(Dictionary<string, int> dropped, string reason) =>
        dropped[reason] = dropped.GetValueOrDefault(reason) + 1;
}

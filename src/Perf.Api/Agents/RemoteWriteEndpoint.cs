using System.Buffers;
using System.Text;
using Perf.Actors.Ingestion;
using Perf.Actors.Series;
using Perf.Actors.Telemetry;
using Perf.Api.Http;
using Perf.Api.Ingest;
using Perf.Host;
using Perf.Protocols;
using Perf.Protocols.Prometheus;

namespace Perf.Api.Agents;

/// <summary>
/// <c>POST /api/v1/write</c>: Prometheus remote write 1.0 (a snappy-compressed <c>WriteRequest</c>). A series' host is
/// the value of <c>perf.protocols.remote_write.host_label</c> (<c>instance</c>), its name <c>__name__</c> with every other
/// label (<see cref="SeriesNames"/>). 204 once every sample is committed; 400 for a body that does not decode
/// (Prometheus drops it: sending it again cannot help); 503 with Retry-After under backpressure (Prometheus 2.x retries
/// server errors, but 429 only when configured to, so 503 is the answer that is retried everywhere); 415 for remote
/// write 2.0 bodies, which Perf does not read.
/// </summary>
/// <remarks>
/// The hot path allocates nothing per sample: the body is read into a pooled buffer, decompressed into another, and
/// walked in place (<see cref="RemoteWriteReader"/>); a series is found in the node's <see cref="SeriesTable"/> by a hash
/// of its label bytes, compared byte for byte, and only a series not seen before has its labels decoded, checked and
/// turned into a name.
/// </remarks>
public static class RemoteWriteEndpoint
{
    // Per process: a sender cannot choose label sets whose hashes collide in this node's table.
    private static readonly long HashSeed = Random.Shared.NextInt64();

    public static async Task<IResult> WriteAsync(HttpContext context, PerfEngine engine, TimeProvider clock, CancellationToken cancellationToken)
    {
        var contentType = context.Request.ContentType ?? "";
        if (contentType.Contains("io.prometheus.write.v2", StringComparison.OrdinalIgnoreCase))
            return IngestBody.Refused("media_type", Problems.Invalid("Content-Type",
                "remote write 2.0 (io.prometheus.write.v2.Request) is not supported; send remote write 1.0 (protobuf_message: prometheus.WriteRequest)",
                StatusCodes.Status415UnsupportedMediaType, "Unsupported media type"));
        if (contentType.Length > 0 && !contentType.StartsWith("application/x-protobuf", StringComparison.OrdinalIgnoreCase))
            return IngestBody.Refused("media_type", Problems.Invalid("Content-Type", "must be application/x-protobuf (a snappy-compressed WriteRequest)",
                StatusCodes.Status415UnsupportedMediaType, "Unsupported media type"));
        var encoding = context.Request.Headers.ContentEncoding.ToString();
        if (encoding.Length > 0 && !encoding.Equals("snappy", StringComparison.OrdinalIgnoreCase))
            return IngestBody.Refused("media_type", Problems.Invalid("Content-Encoding", "must be snappy", StatusCodes.Status415UnsupportedMediaType, "Unsupported media type"));
        // Snappy is the protocol's own compression: the body is read as sent and decompressed by the codec.
        var (body, refusal) = await IngestBody.ReadAsync(context, engine, contentEncoding: false, cancellationToken);
        if (refusal is not null) return refusal;

        var settings = engine.Settings;
        var maxDecoded = settings.Protocols.MaxDecodedBytes;
        SampleBatch batch;
        using (body)
        {
            byte[] decoded;
            int length;
            try
            {
                decoded = RemoteWriteBody.Decompress(body!.Span, maxDecoded, out length);
            }
            catch (ProtocolFormatException e)
            {
                return e.TooLarge
                    ? IngestBody.TooLarge(maxDecoded, "perf.protocols.max_decoded_bytes", "once decompressed ")
                    : IngestBody.Refused("invalid", Problems.Invalid(e.Field, e.Message));
            }
            try
            {
                var window = SampleWindow.At(clock.GetUtcNow(), settings.Performance.RetentionPeriod, settings.Engine.Ingest.MaxFutureSkew);
                var (decodedBatch, error) = Decode(decoded.AsSpan(0, length), engine.Ingestion.Series, settings.Protocols.RemoteWriteHostLabel, window);
                if (error is not null) return IngestBody.Refused("invalid", error);
                batch = decodedBatch!;
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(decoded);
            }
        }
        using (batch)
        {
            if (batch.Count == 0) return Results.NoContent();
            if (IngestHosts.Check(context, batch.Hosts.Select(h => h.Name)) is { } forbidden) return forbidden;
            var (_, failure) = await IngestSubmission.SubmitAsync(context, engine, batch, StatusCodes.Status503ServiceUnavailable, cancellationToken);
            return failure ?? Results.NoContent();
        }
    }

    /// <summary>
    /// The samples of a request as columns of interned series. Stale markers end a series without a value; other NaN and
    /// infinite values and samples outside the storable time window are dropped and counted by reason (Prometheus cannot
    /// do anything else with them: an error would only make it drop the whole batch). A malformed body, a label that is
    /// not UTF-8 or a series without <c>__name__</c> refuses the request (nothing of it is written: the batch is handed on
    /// only once the whole body has been read).
    /// </summary>
    public static (SampleBatch? Batch, IResult? Error) Decode(ReadOnlySpan<byte> request, SeriesTable table, string hostLabel, SampleWindow window)
    {
        var batch = new SampleBatch(1024);
        int notFinite = 0, tooOld = 0, future = 0;
        try
        {
            var reader = new RemoteWriteReader(request);
            while (reader.MoveNext())
            {
                if (reader.SampleCount == 0) continue;
                var hash = reader.HashLabels(HashSeed);
                if (!table.TryGet(hash, out var series, out var key) || !reader.LabelBytesEqual(key))
                {
                    var (host, metric, error) = NewSeries(ref reader, hostLabel);
                    if (error is not null)
                    {
                        batch.Dispose();
                        return (null, error);
                    }
                    series = table.Series(host!, metric!);
                    var bytes = new byte[reader.LabelBytesLength];
                    reader.CopyLabelBytes(bytes);
                    table.AddKey(hash, bytes, series);
                }
                foreach (var sample in reader.Samples)
                {
                    // A stale marker says the series ended: nothing to store, and nothing wrong.
                    if (sample.IsStaleMarker) continue;
                    if (!double.IsFinite(sample.Value)) notFinite++;
                    else if (sample.Timestamp < window.OldestMs) tooOld++;
                    else if (sample.Timestamp > window.NewestMs) future++;
                    else batch.Add(series, sample.Timestamp, sample.Value);
                }
            }
        }
        catch (ProtocolFormatException e)
        {
            batch.Dispose();
            return (null, Problems.Invalid(e.Field, e.Message));
        }
        Dropped("not_finite", notFinite);
        Dropped("too_old", tooOld);
        Dropped("future", future);
        return (batch, null);
    }

    /// <summary>The slow path, for a label set this node has not seen: its labels checked and turned into host and name.</summary>
    private static (string? Host, string? Metric, IResult? Error) NewSeries(ref RemoteWriteReader reader, string hostLabel)
    {
        reader.ValidateLabelsUtf8();
        var labels = new List<KeyValuePair<string, string>>(reader.LabelCount);
        string? name = null, host = null;
        var j = 0;
        foreach (var label in reader.Labels)
        {
            var key = Encoding.UTF8.GetString(label.Name);
            var value = Encoding.UTF8.GetString(label.Value);
            if (key.Length == 0) return (null, null, Problems.Invalid($"timeseries[{reader.Index}].labels[{j}]", "has an empty name"));
            if (key == "__name__") name = value;
            else if (key == hostLabel) host = value;
            else if (value.Length > 0) labels.Add(new(key, value)); // Prometheus: an empty label is no label.
            j++;
        }
        if (string.IsNullOrEmpty(name)) return (null, null, Problems.Invalid($"timeseries[{reader.Index}].labels", "has no __name__ label"));
        labels.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        var metric = SeriesName.Labelled(name, labels);
        if (metric.Length > SeriesName.MaxLength)
            return (null, null, Problems.Invalid($"timeseries[{reader.Index}].labels", $"make a series name of {metric.Length} characters, more than {SeriesName.MaxLength}"));
        return (SeriesNames.Host(host), metric, null);
    }

    private static void Dropped(string reason, int count)
    {
        if (count > 0)
            PerfMetrics.PointsRejected.Add(count, new KeyValuePair<string, object?>("reason", reason), new KeyValuePair<string, object?>("protocol", "remote_write"));
    }
}

using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace Perf.Cli.Load;

/// <summary>
/// Renders points as the body of <c>POST /api/v1/performance/metrics</c>: a JSON array of
/// <c>{"host":..,"timestamp":..,"metrics":{"bench":{"m0":..,"m1":..}}}</c>. Consecutive points of the same
/// host and timestamp share one object, so a round over a host's metrics becomes one object.
/// </summary>
public sealed class IngestPayloadBuilder
{
    private static readonly JsonEncodedText HostProperty = JsonEncodedText.Encode("host");
    private static readonly JsonEncodedText TimestampProperty = JsonEncodedText.Encode("timestamp");
    private static readonly JsonEncodedText MetricsProperty = JsonEncodedText.Encode("metrics");
    private static readonly JsonEncodedText GroupProperty = JsonEncodedText.Encode(SeriesCatalog.MetricGroup);

    private readonly SeriesCatalog catalog;
    private readonly JsonEncodedText[] hostNames;
    private readonly JsonEncodedText[] metricFields;
    private readonly ArrayBufferWriter<byte> buffer = new(64 * 1024);
    private long cachedTimestampMs = long.MinValue;
    private string cachedTimestampText = "";

    public IngestPayloadBuilder(SeriesCatalog catalog)
    {
        this.catalog = catalog;
        hostNames = Enumerable.Range(0, catalog.HostCount)
            .Select(index => JsonEncodedText.Encode(catalog.HostName(index))).ToArray();
        metricFields = Enumerable.Range(0, catalog.MetricCount)
            .Select(index => JsonEncodedText.Encode(catalog.MetricField(index))).ToArray();
    }

    /// <summary>ISO-8601 UTC with milliseconds, e.g. <c>2026-11-27T10:00:00.123Z</c>.</summary>
    public static string FormatTimestamp(long unixMilliseconds) =>
        DateTimeOffset.FromUnixTimeMilliseconds(unixMilliseconds).UtcDateTime
            .ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Builds the UTF-8 body. The returned array is the caller's; the builder is not thread-safe.</summary>
    public byte[] Build(IReadOnlyList<SeriesPoint> points)
    {
        buffer.ResetWrittenCount();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            var index = 0;
            while (index < points.Count)
            {
                var first = points[index];
                var host = catalog.HostOf(first.SeriesIndex);
                writer.WriteStartObject();
                writer.WriteString(HostProperty, hostNames[host]);
                writer.WriteString(TimestampProperty, TimestampText(first.TimestampMs));
                writer.WriteStartObject(MetricsProperty);
                writer.WriteStartObject(GroupProperty);
                // A field may appear only once per object: a batch spanning two rounds of a one-host slice
                // repeats the host with a new timestamp, which starts a new object here.
                while (index < points.Count &&
                       catalog.HostOf(points[index].SeriesIndex) == host &&
                       points[index].TimestampMs == first.TimestampMs)
                {
                    var point = points[index];
                    writer.WriteNumber(metricFields[catalog.MetricOf(point.SeriesIndex)], point.Value);
                    index++;
                }

                writer.WriteEndObject();
                writer.WriteEndObject();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private string TimestampText(long unixMilliseconds)
    {
        // All points of a round share a timestamp; formatting it once per round saves most of the cost.
        if (unixMilliseconds != cachedTimestampMs)
        {
            cachedTimestampMs = unixMilliseconds;
            cachedTimestampText = FormatTimestamp(unixMilliseconds);
        }

        return cachedTimestampText;
    }
}

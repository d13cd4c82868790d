using Perf.Actors.Series;
using Perf.Actors.Ingestion;
using Perf.Api.Http;
using Perf.Api.Ingest;
using Perf.Host;
using Perf.Protocols.LineProtocol;

namespace Perf.Api.Agents;

/// <summary>
/// InfluxDB line protocol: <c>POST /write?db=&amp;precision=</c> (v1) and <c>POST /api/v2/write?org=&amp;bucket=&amp;precision=</c>
/// (v2), plain or gzip. Each numeric field is a sample of series <c>{measurement}.{field}</c> with the point's tags as
/// labels, except the host tag (<c>perf.protocols.line_protocol.host_tag</c>), which names the host. Floats, integers
/// and unsigned integers are stored as numbers, booleans as 1/0; string fields carry no number and are skipped (their
/// line is still accepted). <c>db</c>, <c>rp</c>, <c>org</c> and <c>bucket</c> are accepted and ignored: Perf has one
/// store.
/// 204 when every line was stored. A bad line does not stop the others (InfluxDB's partial write): the good lines are
/// stored, and the answer is 400 naming each bad line and why, in InfluxDB's error shape (<c>code</c>, <c>message</c>,
/// and v1's <c>error</c>) inside a problem+json body (<c>field</c> = <c>line N</c>).
/// </summary>
public static class LineProtocolEndpoint
{
    public static async Task<IResult> WriteAsync(HttpContext context, PerfEngine engine, TimeProvider clock, CancellationToken cancellationToken)
    {
        var precisionText = context.Request.Query["precision"].FirstOrDefault();
        if (!TimePrecision.TryParse(precisionText, out var unit))
            return IngestBody.Refused("invalid", Problems.Invalid("precision", $"'{precisionText}' is not a precision ({TimePrecision.Accepted})"));

        var (body, refusal) = await IngestBody.ReadAsync(context, engine, contentEncoding: true, cancellationToken);
        if (refusal is not null) return refusal;

        var now = clock.GetUtcNow();
        LineProtocolBatch decoded;
        using (body) decoded = LineProtocolDecoder.Decode(body!.Span, unit, now.ToUnixTimeMilliseconds() * 1_000_000);
        var settings = engine.Settings;
        var window = SampleWindow.At(now, settings.Performance.RetentionPeriod, settings.Engine.Ingest.MaxFutureSkew);
        var (batch, rejected) = Convert(decoded, settings.Protocols.LineProtocolHostTag, window);

        var accepted = 0;
        var tooOld = 0;
        if (batch.SampleCount > 0)
        {
            if (IngestHosts.Check(context, batch.Hosts) is { } forbidden) return forbidden;
            using var samples = batch.Build(engine.Ingestion.Series);
            var (outcome, failure) = await IngestSubmission.SubmitAsync(context, engine, samples, StatusCodes.Status429TooManyRequests, cancellationToken);
            if (failure is not null) return failure;
            accepted = outcome.Accepted;
            tooOld = outcome.RejectedTooOld;
        }
        if (rejected.Count == 0 && tooOld == 0) return Results.NoContent();
        return PartialWrite(rejected, decoded.ErrorCount - decoded.Errors.Count, accepted, tooOld);
    }

    /// <summary>
    /// The samples of the decoded lines, and every line refused: by the decoder, or for a time outside the storable
    /// window or a series name too long for the API. A refused line stores none of its fields.
    /// </summary>
    public static (SampleBatchBuilder Batch, List<LineError> Rejected) Convert(LineProtocolBatch decoded, string hostTag, SampleWindow window)
    {
        var batch = new SampleBatchBuilder();
        var rejected = new List<LineError>(decoded.Errors);
        var labels = new List<KeyValuePair<string, string>>();
        var samples = new List<(string Metric, double Value)>();
        foreach (var point in decoded.Points)
        {
            var timestampMs = FloorDiv(point.TimeNs, 1_000_000);
            if (window.Refuse(timestampMs) is { } late)
            {
                rejected.Add(new LineError(point.Line, 1, late));
                continue;
            }
            string? host = null;
            labels.Clear();
            foreach (var tag in point.Tags)
            {
                if (tag.Key == hostTag) host = tag.Value;
                else labels.Add(tag);
            }
            samples.Clear();
            string? tooLong = null;
            foreach (var field in point.Fields)
            {
                if (field.Value.AsNumber() is not { } number) continue;
                var metric = SeriesName.Labelled(point.Measurement + "." + field.Key, labels);
                if (metric.Length > SeriesName.MaxLength) tooLong ??= field.Key;
                samples.Add((metric, number));
            }
            if (tooLong is not null)
            {
                rejected.Add(new LineError(point.Line, 1, $"the series of field \"{tooLong}\" would have a name longer than {SeriesName.MaxLength} characters"));
                continue;
            }
            var perfHost = SeriesNames.Host(host);
            foreach (var (metric, value) in samples) batch.Add(perfHost, metric, timestampMs, value);
        }
        rejected.Sort(static (a, b) => a.Line.CompareTo(b.Line));
        return (batch, rejected);
    }

    private static IResult PartialWrite(List<LineError> rejected, int unlisted, int accepted, int tooOld)
    {
        var dropped = rejected.Count + unlisted;
        var reasons = rejected.Take(LineProtocolDecoder.MaxErrorsKept).Select(e => new FieldError($"line {e.Line}", $"{e.Reason} (column {e.Column})")).ToList();
        if (tooOld > 0) reasons.Add(new FieldError("body", $"{tooOld} points were older than their series' newest point by more than perf.ingest.out_of_order_tolerance"));
        var first = reasons[0];
        var message = dropped > 0
            ? $"partial write: {first.Field}: {first.Message}{(dropped > 1 ? $" (and {dropped - 1} more lines)" : "")}; {accepted} points stored, dropped={dropped}"
            : $"partial write: {first.Message}; {accepted} points stored";
        return Results.Problem(
            title: "Invalid lines",
            detail: message,
            statusCode: StatusCodes.Status400BadRequest,
            extensions: new Dictionary<string, object?>
            {
                ["field"] = first.Field,
                ["errors"] = reasons.Select(e => new { field = e.Field, message = e.Message }).ToArray(),
                ["line"] = rejected.Count > 0 ? rejected[0].Line : null,
                ["accepted"] = accepted,
                ["dropped_lines"] = dropped,
                ["rejected_points"] = tooOld,
                // InfluxDB's own error fields, which Telegraf and the influx clients log: v2 (code, message) and v1 (error).
                ["code"] = "invalid",
                ["message"] = message,
                ["error"] = message,
            });
    }

    private static long FloorDiv(long value, long divisor) => value / divisor - (value % divisor < 0 ? 1 : 0);

    /// <summary>
    /// <c>/query</c>: Telegraf's InfluxDB output creates its database on start (<c>CREATE DATABASE "telegraf"</c>); Perf
    /// has one store, so that statement succeeds without doing anything. Any other InfluxQL is refused: query Perf
    /// through <c>/api/v1/series</c>.
    /// </summary>
    public static async Task<IResult> QueryAsync(HttpContext context, CancellationToken cancellationToken)
    {
        string? q = context.Request.Query["q"].FirstOrDefault();
        if (q is null && context.Request.HasFormContentType)
            q = (await context.Request.ReadFormAsync(cancellationToken))["q"].FirstOrDefault();
        var statements = (q ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (statements.Length == 0)
            return Problems.Invalid("q", "is required");
        if (!statements.All(s => s.StartsWith("CREATE DATABASE", StringComparison.OrdinalIgnoreCase)))
            return Problems.Invalid("q", "Perf answers only CREATE DATABASE here (for Telegraf); read data through /api/v1/series/{host}/{metric}");
        return Results.Json(new { results = statements.Select((_, i) => new { statement_id = i }).ToArray() });
    }
}

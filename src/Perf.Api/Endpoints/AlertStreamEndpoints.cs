using System.Globalization;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Akka.Streams;
using Akka.Streams.Dsl;
using Perf.Actors.Configuration;
using Perf.Api.Http;
using Perf.Api.Security;
using Perf.Actors.Security;
using Perf.Host;

namespace Perf.Api.Endpoints;

/// <summary>
/// The alert log for downstream consumers, at <c>GET /api/v1/alerts/stream</c>: Server-Sent Events, or a WebSocket when
/// the request asks to upgrade (its twin). Every transition after the given offset (<c>Last-Event-ID</c> header or
/// <c>last_event_id</c> parameter; none = from the beginning), then each new one as it is stored. Ids are log offsets,
/// so a client that reconnects with the last id it saw receives exactly what it missed, from any node.
/// </summary>
public static class AlertStreamEndpoints
{
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);
    private static readonly byte[] KeepAliveFrame = ": keep-alive\n\n"u8.ToArray();
    private static readonly byte[] EventEnd = "\n\n"u8.ToArray();
    // Every client of the node gets the same entry object from the node's one alert log feed: each entry is serialized
    // once, not once per client (1,000 clients, 1,000 serializations of each event otherwise).
    private static readonly ConditionalWeakTable<AlertLogEntry, byte[]> Serialized = new();

    public static IEndpointRouteBuilder MapAlertStreamEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/alerts/stream", StreamAsync).RequireArea(Area.Read).DisableRequestTimeout();
        return app;
    }

    private static async Task StreamAsync(HttpContext context, string? last_event_id, string? host, string? metric, AlertLog log,
        ApiKeyRegistry keys, Akka.Actor.ActorSystem system, Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json)
    {
        var raw = context.Request.Headers["Last-Event-ID"].FirstOrDefault() ?? last_event_id;
        long after = 0;
        if (!string.IsNullOrEmpty(raw) && !long.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out after))
        {
            await Problems.Invalid("Last-Event-ID", "must be the id of an event of this stream (a whole number)").ExecuteAsync(context);
            return;
        }
        var hostPattern = host is null ? null : new MetricPattern(host);
        var metricPattern = metric is null ? null : new MetricPattern(metric);
        var caller = Caller.From(context)!;
        var events = log.Follow(after)
            .Where(e => (hostPattern is null || hostPattern.Matches(e.Transition.Host)) && (metricPattern is null || metricPattern.Matches(e.Transition.Metric))
                        && caller.CanAccess(e.Transition.Host))
            .Select(e => new Frame(e))
            .KeepAlive<Frame, Frame, Akka.NotUsed>(KeepAlive, () => Frame.KeepAlive) // keeps proxies from closing an idle stream
            .RunAsAsyncEnumerable(system.Materializer());
        var options = json.Value.SerializerOptions;
        // The stream outlives the request checks: it ends when the client goes away or when its key is revoked.
        using var ending = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        var watching = KeyRevocation.EndWhenRevokedAsync(keys, caller, ending);
        try
        {
            if (context.WebSockets.IsWebSocketRequest) await WebSocketAsync(context, events, options, ending.Token);
            else await ServerSentEventsAsync(context, events, options, ending.Token);
        }
        catch (OperationCanceledException) when (ending.IsCancellationRequested)
        {
            // The client went away, or its key was revoked.
        }
        await ending.CancelAsync();
        await watching;
    }



    private static async Task ServerSentEventsAsync(HttpContext context, IAsyncEnumerable<Frame> events, JsonSerializerOptions options,
        CancellationToken token)
    {
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        await response.WriteAsync(": connected\n\n", token);
        await response.Body.FlushAsync(token);
        await foreach (var next in events.WithCancellation(token))
        {
            if (next.Entry is not { } entry) await response.Body.WriteAsync(KeepAliveFrame, token);
            else
            {
                await response.WriteAsync($"id: {entry.Offset.ToString(CultureInfo.InvariantCulture)}\nevent: alert\ndata: ", token);
                await response.Body.WriteAsync(Json(entry, options), token);
                await response.Body.WriteAsync(EventEnd, token);
            }
            await response.Body.FlushAsync(token);
        }
    }

    /// <summary>One text message per transition (the SSE event's data, which carries its id); WebSocket pings keep it alive.</summary>
    private static async Task WebSocketAsync(HttpContext context, IAsyncEnumerable<Frame> events, JsonSerializerOptions options,
        CancellationToken token)
    {
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        using var closed = CancellationTokenSource.CreateLinkedTokenSource(token);
        // The client's close arrives as a receive; it ends the stream. Socket calls take no token: cancelling one would
        // abort the socket instead of closing it.
        var receiving = Task.Run(async () =>
        {
            var buffer = new byte[256];
            try
            {
                while (socket.State == WebSocketState.Open)
                    if ((await socket.ReceiveAsync(buffer, CancellationToken.None)).MessageType == WebSocketMessageType.Close) break;
            }
            catch (WebSocketException) { }
            await closed.CancelAsync();
        });
        try
        {
            await foreach (var next in events.WithCancellation(closed.Token))
            {
                if (next.Entry is not { } entry) continue;
                await socket.SendAsync(Json(entry, options), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
            }
        }
        catch (OperationCanceledException) when (closed.IsCancellationRequested) { }
        if (socket.State == WebSocketState.CloseReceived)
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
        else if (socket.State == WebSocketState.Open && token.IsCancellationRequested && !context.RequestAborted.IsCancellationRequested)
        {
            // The key was revoked: the server closes, and gives the client a moment to answer before dropping it.
            await socket.CloseOutputAsync(WebSocketCloseStatus.PolicyViolation, "the key was revoked", CancellationToken.None);
            if (await Task.WhenAny(receiving, Task.Delay(TimeSpan.FromSeconds(5))) != receiving) socket.Abort();
        }
        await receiving;
    }

    /// <summary>What the stream sends next: a transition, or (<see cref="KeepAlive"/>) a keep-alive. A stream element
    /// cannot be null, so the keep-alive is an object of its own.</summary>
    private sealed record Frame(AlertLogEntry? Entry)
    {
        public static readonly Frame KeepAlive = new((AlertLogEntry?)null);
    }

    private static byte[] Json(AlertLogEntry entry, JsonSerializerOptions options) =>
        Serialized.GetValue(entry, e => JsonSerializer.SerializeToUtf8Bytes(EventJson(e), options));

    /// <summary>One transition as the stream and the notifications carry it.</summary>
    public static object EventJson(AlertLogEntry entry)
    {
        var t = entry.Transition;
        return new
        {
            id = entry.Offset,
            alert_id = t.AlertId,
            rule = t.RuleId,
            rule_name = t.RuleName,
            host = t.Host,
            metric = t.Metric,
            from = ApiJson.Name(t.From),
            to = ApiJson.Name(t.To),
            severity = ApiJson.Name(t.Severity),
            timestamp = ApiJson.Time(t.TimestampMs),
            value = ApiJson.Number(t.Value),
            threshold = ApiJson.Number(t.Threshold),
            recorded_at = ApiJson.Time(t.RecordedMs),
        };
    }
}

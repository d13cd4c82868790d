using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Perf.Cli.Display;
using Spectre.Console;

namespace Perf.Cli.Write;

/// <summary>
/// Sends the batches one after another (in input order: a series' points must not overtake each other by more than the
/// node's out-of-order tolerance), retrying a batch the node answers 429 or 503 after its Retry-After, with a progress
/// bar on a terminal and a plain line per tenth of the work otherwise.
/// </summary>
public sealed class WriteSender(HttpClient http, BenchConsole console, TextWriter error)
{
    private const int MaxAttempts = 10;

    /// <param name="path">the endpoint, relative to the node's URL.</param>
    /// <param name="contentType">of each body.</param>
    /// <param name="json">true: the JSON endpoint, whose 202 answer counts the points stored.</param>
    public async Task<WriteOutcome> SendAsync(IReadOnlyList<(ReadOnlyMemory<byte> Body, int Points)> batches, string path, string contentType, bool json,
        CancellationToken cancellationToken)
    {
        var started = DateTime.UtcNow;
        var problems = new List<string>();
        long sent = 0, stored = 0, rejected = 0;
        var requests = 0;
        var total = batches.Sum(b => (long)b.Points);

        async Task<bool> SendOneAsync((ReadOnlyMemory<byte> Body, int Points) batch)
        {
            var (status, body) = await PostWithRetryAsync(path, batch.Body, contentType, cancellationToken).ConfigureAwait(false);
            requests++;
            sent += batch.Points;
            switch (status)
            {
                case HttpStatusCode.NoContent:
                    stored += batch.Points;
                    return true;
                case HttpStatusCode.Accepted when json:
                    var answer = JsonNode.Parse(body)!;
                    stored += answer["accepted"]!.GetValue<long>();
                    rejected += answer["rejected"]!.GetValue<long>();
                    return true;
            }
            var problem = Problem(body);
            if (status == HttpStatusCode.BadRequest && problem?["dropped_lines"] is { } dropped)
            {
                // A partial write: the node stored the good lines of the batch.
                rejected += dropped.GetValue<long>();
                stored += batch.Points - dropped.GetValue<long>();
                problems.Add(problem["detail"]?.GetValue<string>() ?? body);
                return true;
            }
            rejected += batch.Points;
            problems.Add($"{(int)status} {problem?["detail"]?.GetValue<string>() ?? body}");
            // Credentials, the host scope or the cardinality guard refuse every later batch too.
            return status is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden or HttpStatusCode.UnprocessableEntity or HttpStatusCode.NotFound);
        }

        if (console.Live)
        {
            await console.Rich.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                .StartAsync(async context =>
                {
                    var task = context.AddTask("writing", maxValue: Math.Max(1, total));
                    foreach (var batch in batches)
                    {
                        var go = await SendOneAsync(batch).ConfigureAwait(false);
                        task.Value = sent;
                        if (!go) break;
                    }
                }).ConfigureAwait(false);
        }
        else
        {
            var shownTenth = 0L;
            foreach (var batch in batches)
            {
                var go = await SendOneAsync(batch).ConfigureAwait(false);
                var tenth = total == 0 ? 10 : sent * 10 / total;
                if (tenth > shownTenth || !go)
                {
                    shownTenth = tenth;
                    await console.Plain.WriteLineAsync($"perf write: {Formatting.Count(sent)} of {Formatting.Count(total)} points sent ({tenth * 10}%)").ConfigureAwait(false);
                }
                if (!go) break;
            }
        }
        foreach (var problem in problems.Take(20)) await error.WriteLineAsync("perf write: " + problem).ConfigureAwait(false);
        return new WriteOutcome(requests, sent, stored, rejected, problems, DateTime.UtcNow - started);
    }

    private async Task<(HttpStatusCode Status, string Body)> PostWithRetryAsync(string path, ReadOnlyMemory<byte> body, string contentType, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var content = new ReadOnlyMemoryContent(body);
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
            using var response = await http.PostAsync(path, content, cancellationToken).ConfigureAwait(false);
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (response.StatusCode is not (HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable) || attempt == MaxAttempts)
                return (response.StatusCode, text);
            var wait = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1);
            await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
        }
    }

    private static JsonNode? Problem(string body)
    {
        try { return JsonNode.Parse(body); }
        catch (System.Text.Json.JsonException) { return null; }
    }
}

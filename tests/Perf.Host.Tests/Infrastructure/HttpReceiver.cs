using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Perf.Host.Tests.Infrastructure;

/// <summary>
/// A real HTTP server on a loopback port (Kestrel) that records every request before it answers, so once a client has
/// its response the request is in <see cref="Requests"/>. It answers 200 unless told otherwise.
/// </summary>
public sealed class HttpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedRequest> _requests = new();
    private readonly TaskCompletionSource _stopping = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile Answer _answer = new(StatusCodes.Status200OK, "", Hold: false);

    private HttpReceiver(WebApplication app) => _app = app;

    public static async Task<HttpReceiver> StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var receiver = new HttpReceiver(builder.Build());
        receiver._app.Run(receiver.HandleAsync);
        await receiver._app.StartAsync(cancellationToken);
        receiver.BaseUrl = new Uri(receiver._app.Urls.Single());
        return receiver;
    }

    public Uri BaseUrl { get; private set; } = new("http://127.0.0.1/");

    public IReadOnlyList<ReceivedRequest> Requests => _requests.ToArray();

    public Uri Url(string pathAndQuery) => new(BaseUrl, pathAndQuery);

    /// <summary>Answers every later request with <paramref name="statusCode"/> and <paramref name="body"/> (text).</summary>
    public void AnswerWith(int statusCode, string body = "") => _answer = new Answer(statusCode, body, Hold: false);

    /// <summary>Records every later request but never answers it (until disposed): a receiver that hangs.</summary>
    public void NeverAnswer() => _answer = _answer with { Hold = true };

    public async ValueTask DisposeAsync()
    {
        _stopping.TrySetResult();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        _requests.Enqueue(new ReceivedRequest(context.Request.Method, context.Request.Path + context.Request.QueryString, context.Request.ContentType, body));
        var answer = _answer;
        if (answer.Hold)
        {
            try { await _stopping.Task.WaitAsync(context.RequestAborted); }
            catch (OperationCanceledException) { return; } // the client gave up
        }
        context.Response.StatusCode = answer.StatusCode;
        context.Response.ContentType = "text/plain";
        await context.Response.WriteAsync(answer.Body, context.RequestAborted);
    }

    private sealed record Answer(int StatusCode, string Body, bool Hold);
}

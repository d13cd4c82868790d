using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Perf.Api.Tests.Infrastructure;

namespace Perf.Api.Tests.LoadTesting;

/// <summary>
/// The target of the load tests: a Kestrel server on loopback with <see cref="Workers"/> workers that each take
/// <see cref="ServiceTime"/> per request, so it serves about <see cref="Capacity"/> requests/s and beyond that requests
/// queue: latency rises with concurrency. <c>/fail</c> answers every fifth request with 500. It counts the requests it
/// served per second, which the profile test reports as the target's own CPU series.
/// </summary>
public sealed class SaturatingServer : IAsyncDisposable
{
    public const int Workers = 2;
    public static readonly TimeSpan ServiceTime = TimeSpan.FromMilliseconds(20);
    public static readonly double Capacity = Workers / ServiceTime.TotalSeconds;

    private readonly SemaphoreSlim _workers = new(Workers);
    private readonly ConcurrentDictionary<long, int> _servedPerSecond = new();
    private WebApplication? _app;
    private long _requests;

    public int Port { get; private set; }
    public string Url(string path = "/work") => $"http://127.0.0.1:{Port}{path}";
    public long Requests => Interlocked.Read(ref _requests);
    public IReadOnlyDictionary<long, int> ServedPerSecond => _servedPerSecond;

    public async Task StartAsync()
    {
        Port = PerfNodeProcess.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{Port}");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.MapGet("/work", () => ServeAsync(fail: false));
        _app.MapGet("/fail", () => ServeAsync(fail: true));
        await _app.StartAsync();
    }

    private async Task<IResult> ServeAsync(bool fail)
    {
        var n = Interlocked.Increment(ref _requests);
        await _workers.WaitAsync();
        try
        {
            await Task.Delay(ServiceTime);
        }
        finally
        {
            _workers.Release();
        }
        _servedPerSecond.AddOrUpdate(DateTimeOffset.UtcNow.ToUnixTimeSeconds(), 1, (_, c) => c + 1);
        return fail && n % 5 == 0 ? Results.StatusCode(500) : Results.Text("ok");
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
        _workers.Dispose();
    }
}

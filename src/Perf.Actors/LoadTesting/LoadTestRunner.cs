using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Akka;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using Perf.Actors.Configuration;
using Perf.Actors.Ingestion;
using static Perf.Actors.LoadTesting.LoadTestRunnerMessages;

namespace Perf.Actors.LoadTesting;

/// <summary>
/// Runs one load test (a child of <see cref="LoadTests"/>, not persistent): an Akka.Streams source throttled to the
/// ramped rate (or a fixed pool of workers for a concurrency test) sends over its own HttpClient with a bounded number
/// of requests in flight; every second the seconds that are over go through the ingestion pipeline as the series of
/// host <c>loadtest-{id}</c> (the same durability contract as any agent's points), and the parent hears the figures.
/// A target that refuses, resets or stalls only produces error outcomes: nothing a request does can fail the stream.
/// </summary>
public sealed class LoadTestRunner : ReceiveActor, IWithTimers
{
    /// <summary>The parent records a checkpoint every this many ticks (seconds): small events, and at most this much lost to a crash.</summary>
    public const int CheckpointEvery = 2;

    /// <summary>Late responses still on their way when a second is closed: a second is closed this long after it ends.</summary>
    private const long GraceMs = 1000;

    /// <summary>Cost units per request at full rate: the throttle's cost lets one stage follow the ramp (cost = units × full / current).</summary>
    private const int CostUnits = 100;

    private readonly string _id;
    private readonly LoadTestSpec _spec;
    private readonly long _startMs;
    private readonly LoadTestSettings _settings;
    private readonly Func<IngestBatch, Task<IngestOutcome>> _ingest;
    private readonly TimeProvider _clock;
    private readonly LoadTestRecorder _recorder;
    private readonly List<SeriesSamples> _pending = [];
    private readonly CancellationTokenSource _cancel = new();
    private HttpClient? _http;
    private UniqueKillSwitch? _killSwitch;
    private bool _ingesting;
    private int _ticks, _failedIngests;
    private (long AtMs, string? Error)? _ended;

    public LoadTestRunner(string id, LoadTestSpec spec, long startMs, LoadTestSettings settings, Func<IngestBatch, Task<IngestOutcome>> ingest, TimeProvider clock)
    {
        (_id, _spec, _startMs, _settings, _ingest, _clock) = (id, spec, startMs, settings, ingest, clock);
        _recorder = new LoadTestRecorder(spec, startMs);
        Receive<Sent>(sent => _recorder.Sent(sent.AtMs));
        Receive<LoadOutcome>(outcome => _recorder.Ended(outcome));
        Receive<Tick>(_ => Report());
        Receive<Stop>(_ => StopSending());
        Receive<StreamEnded>(ended =>
        {
            _ended = (ended.AtMs, ended.Error);
            _recorder.Close(long.MaxValue, ended.AtMs).ToList().ForEach(Enqueue);
            Flush();
        });
        Receive<Ingested>(result =>
        {
            _ingesting = false;
            if (result.Stored)
            {
                _pending.Clear();
                _failedIngests = 0;
            }
            else _failedIngests++;
            Flush();
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(string id, LoadTestSpec spec, long startMs, LoadTestSettings settings, Func<IngestBatch, Task<IngestOutcome>> ingest, TimeProvider clock) =>
        Akka.Actor.Props.Create(() => new LoadTestRunner(id, spec, startMs, settings, ingest, clock));

    private long NowMs => _clock.GetUtcNow().ToUnixTimeMilliseconds();

    protected override void PreStart()
    {
        // Redirects are not followed: a target on the allow-list must not be able to send the load somewhere else.
        _http = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            MaxConnectionsPerServer = Math.Max(_spec.Concurrency, _settings.MaxInFlight),
            ConnectTimeout = _settings.RequestTimeout,
            UseCookies = false,
        }) { Timeout = Timeout.InfiniteTimeSpan };
        var self = Self;
        var client = _http;
        var token = _cancel.Token;
        var materializer = Context.Materializer();
        var requests = _spec.Rate > 0 ? RateSource() : ConcurrencySource();
        var (killSwitch, done) = requests
            .ViaMaterialized(KillSwitches.Single<NotUsed>(), Keep.Right)
            .TakeWithin(TimeSpan.FromMilliseconds(_spec.DurationMs))
            .SelectAsyncUnordered(_spec.Rate > 0 ? _settings.MaxInFlight : _spec.Concurrency, async _ =>
            {
                self.Tell(new Sent(NowMs));
                return await SendAsync(client, token).ConfigureAwait(false);
            })
            .ToMaterialized(Sink.ForEach<LoadOutcome>(outcome => self.Tell(outcome)), Keep.Both)
            .Run(materializer);
        _killSwitch = killSwitch;
        done.ContinueWith(t => new StreamEnded(_clock.GetUtcNow().ToUnixTimeMilliseconds(), t.IsFaulted ? t.Exception!.GetBaseException().Message : null),
            TaskScheduler.Default).PipeTo(self);
        Timers.StartPeriodicTimer("tick", new Tick(), TimeSpan.FromSeconds(1));
    }

    protected override void PostStop()
    {
        _cancel.Cancel();
        _killSwitch?.Shutdown();
        _http?.Dispose();
        _cancel.Dispose();
    }

    /// <summary>Rate test: one element per request, each costing more while the ramp is low, so the throttle follows the ramp.</summary>
    private Source<NotUsed, NotUsed> RateSource()
    {
        var full = _spec.Rate;
        var floor = Math.Max(1, full / 100.0);
        return Source.Repeat(NotUsed.Instance).Throttle(CostUnits * full, TimeSpan.FromSeconds(1), CostUnits * full / 10 + CostUnits,
            _ => (int)Math.Ceiling(CostUnits * full / Math.Max(floor, _spec.LevelAt(NowMs - _startMs))), ThrottleMode.Shaping);
    }

    /// <summary>
    /// Concurrency test: as many workers as the concurrency, each sending its next request when the previous ends; during
    /// the ramp worker k waits until the ramp reaches k (its own start time, no polling).
    /// </summary>
    private Source<NotUsed, NotUsed> ConcurrencySource()
    {
        var started = 0;
        return Source.Repeat(NotUsed.Instance).SelectAsync(1, async _ =>
        {
            if (started < _spec.Concurrency && _spec.RampUpMs > 0)
            {
                var opensAt = _startMs + (long)(_spec.RampUpMs * (double)started / _spec.Concurrency);
                var wait = opensAt - NowMs;
                if (wait > 0) await Task.Delay(TimeSpan.FromMilliseconds(wait), _clock).ConfigureAwait(false);
            }
            started++;
            return NotUsed.Instance;
        });
    }

    private async Task<LoadOutcome> SendAsync(HttpClient client, CancellationToken cancel)
    {
        var begun = Stopwatch.GetTimestamp();
        LoadOutcome Outcome(int status, string? failure, bool cancelled = false) =>
            new(NowMs, (long)Stopwatch.GetElapsedTime(begun).TotalMicroseconds, status, failure, cancelled);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        timeout.CancelAfter(_settings.RequestTimeout);
        try
        {
            using var request = BuildRequest();
            // The whole body is read: a response is over when its last byte is in, not when its headers are.
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token).ConfigureAwait(false);
            return Outcome((int)response.StatusCode, null);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            return Outcome(0, "cancelled", cancelled: true);
        }
        catch (OperationCanceledException)
        {
            return Outcome(0, "timeout");
        }
        catch (HttpRequestException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused })
        {
            return Outcome(0, "connection_refused");
        }
        catch (Exception) // anything else the target or the network does is an error of this request, never of the test
        {
            return Outcome(0, "transport");
        }
    }

    private HttpRequestMessage BuildRequest()
    {
        var request = new HttpRequestMessage(new HttpMethod(_spec.Method), _spec.TargetUrl);
        if (_spec.Body.Length > 0) request.Content = new StringContent(_spec.Body, Encoding.UTF8);
        for (var i = 0; i < _spec.HeaderNames.Length; i++)
        {
            if (request.Headers.TryAddWithoutValidation(_spec.HeaderNames[i], _spec.HeaderValues[i])) continue;
            if (request.Content is null) continue;
            // Content headers (Content-Type) belong to the body.
            request.Content.Headers.Remove(_spec.HeaderNames[i]);
            request.Content.Headers.TryAddWithoutValidation(_spec.HeaderNames[i], _spec.HeaderValues[i]);
        }
        return request;
    }

    private void StopSending()
    {
        _killSwitch?.Shutdown();
        // Requests in flight end now (counted as cancelled, not as the target's errors): a cancel stops the load at once.
        _cancel.Cancel();
    }

    private void Report()
    {
        if (_ended is not null)
        {
            Flush();
            return;
        }
        _recorder.Close(NowMs - GraceMs).ToList().ForEach(Enqueue);
        Flush();
        _ticks++;
        Context.Parent.Tell(new Measured(_id, _recorder.Summary(), _recorder.Live, _ticks % CheckpointEvery == 0));
    }

    private void Enqueue(SeriesSamples samples) => _pending.Add(samples);

    /// <summary>
    /// One batch in the pipeline at a time; a batch the pipeline did not take (overloaded, timed out) is sent again with
    /// the next (same timestamps overwrite, so a retry never duplicates). Once the stream has ended and everything is
    /// stored (or has failed <see cref="MaxFailedIngests"/> times), the parent hears that the test stopped.
    /// </summary>
    private void Flush()
    {
        if (_ingesting) return;
        if (_pending.Count > 0 && _failedIngests < MaxFailedIngests)
        {
            _ingesting = true;
            var batch = new IngestBatch([new HostSamples(LoadTestJob.HostOf(_id), Merge(_pending))]);
            _ingest(batch).ContinueWith(t => t.IsCompletedSuccessfully
                    ? new Ingested(t.Result.Status == IngestStatus.Stored, t.Result.Status.ToString())
                    : new Ingested(false, t.Exception?.GetBaseException().Message), TaskScheduler.Default)
                .PipeTo(Self);
            return;
        }
        if (_ended is not { } ended) return;
        var error = ended.Error ?? (_pending.Count > 0 ? $"some of the test's series points were not stored ({_failedIngests} attempts failed)" : null);
        Context.Parent.Tell(new Stopped(_id, ended.AtMs, _recorder.Summary(), error));
        Context.Stop(Self);
    }

    private const int MaxFailedIngests = 10;

    /// <summary>Pending points of one metric from several seconds, as one series of the batch.</summary>
    private static List<SeriesSamples> Merge(List<SeriesSamples> pending) =>
        pending.GroupBy(s => s.Metric, StringComparer.Ordinal)
            .Select(g => new SeriesSamples(g.Key, [.. g.SelectMany(s => s.Timestamps)], [.. g.SelectMany(s => s.Values)]))
            .ToList();
}

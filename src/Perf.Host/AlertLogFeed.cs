using System.Threading.Channels;
using Akka;
using Akka.Streams;
using Akka.Streams.Dsl;
using Perf.Actors.Telemetry;

namespace Perf.Host;

/// <summary>
/// One live query of the alert log per node, fanned out to every follower (stream clients, the notification dispatcher):
/// a follower costs a channel, not a query polling the journal. The query starts with the first follower, at the end of
/// the log, and stops with an error only (the followers then end with it, and the next one starts it again where it
/// stopped). A follower that falls <see cref="Backlog"/> entries behind is dropped with <see cref="AlertLogFollowerLagging"/>
/// rather than holding the others up, and reads what it missed from the log before it joins again.
/// </summary>
/// <param name="stored">the entries stored after an offset (a query that completes).</param>
/// <param name="live">the entries after an offset, then each new one as it is stored (a query that never completes).</param>
public sealed class AlertLogFeed(IMaterializer materializer, Func<long, Source<AlertLogEntry, NotUsed>> stored, Func<long, Source<AlertLogEntry, NotUsed>> live)
{
    public const int Backlog = 1024;

    private readonly Lock _gate = new();
    private readonly List<Channel<AlertLogEntry>> _followers = [];
    private readonly SemaphoreSlim _starting = new(1, 1);
    private bool _running;
    // The newest offset the query has reached: where a restart goes on from (-1: not yet started).
    private long _reached = -1;

    /// <summary>
    /// The entries after <paramref name="afterOffset"/>, then every new one as it is stored (completes only with an error:
    /// the node stopping, the journal failing). The follower joins the live feed first and then reads what is stored,
    /// so an entry stored in between comes by one or both ways, and the second copy is dropped by its offset. A follower
    /// that falls behind (<see cref="AlertLogFollowerLagging"/>) reads what it missed from the log and joins again, so a
    /// slow consumer never holds up the others nor misses an entry.
    /// </summary>
    public Source<AlertLogEntry, NotUsed> Follow(long afterOffset) =>
        Source.Single(afterOffset).ConcatMany(_ =>
        {
            // Per materialization: the newest offset passed on.
            var last = afterOffset;
            return Attempt();

            Source<AlertLogEntry, NotUsed> Attempt() =>
                Source.Single(last)
                    .SelectAsync(1, _ => FollowAsync())
                    .ConcatMany(follower => stored(last)
                        .Concat(ChannelSource.FromReader(follower.Entries))
                        .WatchTermination((_, ended) =>
                        {
                            ended.ContinueWith(_ => follower.Dispose(), TaskScheduler.Default);
                            return NotUsed.Instance;
                        }))
                    .Where(entry =>
                    {
                        if (entry.Offset <= last) return false;
                        last = entry.Offset;
                        return true;
                    })
                    .RecoverWithRetries(e => e.GetBaseException() is AlertLogFollowerLagging ? Attempt() : Source.Failed<AlertLogEntry>(e), -1);
        });

    /// <summary>
    /// Joins the feed: every entry the query publishes from now on reaches the follower's channel, so a follower reads
    /// what was stored before (the journal's own query) only after this returns. Dispose the follower to leave.
    /// </summary>
    public async Task<Follower> FollowAsync(CancellationToken cancellationToken = default)
    {
        await StartAsync(cancellationToken).ConfigureAwait(false);
        var channel = Channel.CreateBounded<AlertLogEntry>(new BoundedChannelOptions(Backlog) { SingleReader = true, SingleWriter = true });
        lock (_gate)
        {
            if (!_running) channel.Writer.TryComplete(new InvalidOperationException("the alert log query stopped; follow again"));
            else
            {
                _followers.Add(channel);
                PerfMetrics.AlertLogFollowers(1);
            }
        }
        return new Follower(this, channel);
    }

    private async Task StartAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
            if (_running) return;
        await _starting.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            lock (_gate)
                if (_running) return;
            // From the end of the log: what is older, each follower reads for itself.
            var from = Volatile.Read(ref _reached) is var reached and >= 0 ? reached : await EndAsync(cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _reached, from);
            lock (_gate) _running = true;
            PerfMetrics.AlertLogReaders(1);
            _ = live(from).RunForeach(Publish, materializer).ContinueWith(run => Stopped(run.Exception?.GetBaseException()), TaskScheduler.Default);
        }
        finally
        {
            _starting.Release();
        }
    }

    /// <summary>The offset of the newest entry stored (0: none).</summary>
    private Task<long> EndAsync(CancellationToken cancellationToken) =>
        stored(0).RunAggregate(0L, (end, entry) => Math.Max(end, entry.Offset), materializer).WaitAsync(cancellationToken);

    private void Publish(AlertLogEntry entry)
    {
        lock (_gate)
        {
            Volatile.Write(ref _reached, Math.Max(Volatile.Read(ref _reached), entry.Offset));
            for (var i = _followers.Count - 1; i >= 0; i--)
            {
                if (_followers[i].Writer.TryWrite(entry)) continue;
                _followers[i].Writer.TryComplete(new AlertLogFollowerLagging(entry.Offset));
                _followers.RemoveAt(i);
                PerfMetrics.AlertLogFollowers(-1);
            }
        }
    }

    private void Stopped(Exception? error)
    {
        PerfMetrics.AlertLogReaders(-1);
        lock (_gate)
        {
            _running = false;
            foreach (var follower in _followers) follower.Writer.TryComplete(error ?? new InvalidOperationException("the alert log query ended"));
            PerfMetrics.AlertLogFollowers(-_followers.Count);
            _followers.Clear();
        }
    }

    // The followers gauge counts the channels the feed writes to: one the feed dropped (lagging, or the query stopped) is
    // no longer counted when its follower leaves, and one whose stream was cancelled before it could leave is counted
    // until the feed drops it.
    private void Leave(Channel<AlertLogEntry> channel)
    {
        lock (_gate)
            if (_followers.Remove(channel)) PerfMetrics.AlertLogFollowers(-1);
    }

    /// <summary>One follower's share of the feed: the entries published since it joined, in offset order.</summary>
    public sealed class Follower(AlertLogFeed feed, Channel<AlertLogEntry> channel) : IDisposable
    {
        private int _left;

        public ChannelReader<AlertLogEntry> Entries => channel.Reader;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _left, 1) == 0) feed.Leave(channel);
        }
    }
}

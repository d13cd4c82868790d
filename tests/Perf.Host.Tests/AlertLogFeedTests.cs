using System.Threading.Channels;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using Perf.Host.Tests.Infrastructure;
using Perf.Host.Tests.Notifications;

namespace Perf.Host.Tests;

/// <summary>
/// The fan-out of the node's one live alert-log query, over a stand-in for the journal's query (a channel the test
/// writes entries to): the journal side is covered end to end by the alert stream tests in Perf.Api.Tests.
/// </summary>
public sealed class AlertLogFeedTests : IDisposable
{
    private readonly ActorSystem _system = ActorSystem.Create("alert-log-feed");
    private readonly List<long> _startedFrom = [];
    // The stand-in journal: what is stored, and the live query's entries (the test stores and publishes each).
    private readonly List<AlertLogEntry> _stored = [Entry(41)];
    private Channel<AlertLogEntry> _log = Channel.CreateUnbounded<AlertLogEntry>();

    public void Dispose() => _system.Dispose();

    private AlertLogFeed Feed() => new(_system.Materializer(),
        after =>
        {
            lock (_stored) return Source.From(_stored.Where(e => e.Offset > after).ToList());
        },
        from =>
        {
            lock (_startedFrom) _startedFrom.Add(from);
            return ChannelSource.FromReader(_log.Reader);
        });

    private async Task StoreAsync(long offset)
    {
        lock (_stored) _stored.Add(Entry(offset));
        await _log.Writer.WriteAsync(Entry(offset), TestContext.Current.CancellationToken);
    }

    private static AlertLogEntry Entry(long offset) => new(offset, Sample.Firing(host: "web-1", timestampMs: offset * 1000));

    private static async Task<long[]> ReadAsync(AlertLogFeed.Follower follower, int count)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var offsets = new List<long>();
        while (offsets.Count < count) offsets.Add((await follower.Entries.ReadAsync(timeout.Token)).Offset);
        return [.. offsets];
    }

    [Fact]
    public async Task Many_followers_share_one_query_that_starts_at_the_end_of_the_log()
    {
        var feed = Feed();
        var followers = new List<AlertLogFeed.Follower>();
        for (var i = 0; i < 20; i++) followers.Add(await feed.FollowAsync(TestContext.Current.CancellationToken));

        for (var offset = 42; offset <= 44; offset++) await StoreAsync(offset);

        foreach (var follower in followers) Assert.Equal(new long[] { 42, 43, 44 }, await ReadAsync(follower, 3));
        Assert.Equal(new long[] { 41 }, _startedFrom);
        foreach (var follower in followers) follower.Dispose();
    }

    [Fact]
    public async Task A_follower_gets_only_what_is_published_after_it_joined()
    {
        var feed = Feed();
        using var early = await feed.FollowAsync(TestContext.Current.CancellationToken);
        await StoreAsync(42);
        Assert.Equal(new long[] { 42 }, await ReadAsync(early, 1));

        using var late = await feed.FollowAsync(TestContext.Current.CancellationToken);
        await StoreAsync(43);

        Assert.Equal(new long[] { 43 }, await ReadAsync(early, 1));
        Assert.Equal(new long[] { 43 }, await ReadAsync(late, 1));
    }

    [Fact]
    public async Task A_follower_that_stops_reading_is_dropped_and_does_not_hold_up_the_others()
    {
        var feed = Feed();
        using var stalled = await feed.FollowAsync(TestContext.Current.CancellationToken);
        using var reading = await feed.FollowAsync(TestContext.Current.CancellationToken);
        var entries = AlertLogFeed.Backlog + 10;

        // The reading one takes each entry as it comes; the stalled one takes none.
        for (var offset = 42; offset < 42 + entries; offset++)
        {
            await StoreAsync(offset);
            Assert.Equal(new long[] { offset }, await ReadAsync(reading, 1));
        }

        // The stalled one still has the backlog it was given, then learns that it fell behind.
        Assert.Equal(Enumerable.Range(42, AlertLogFeed.Backlog).Select(o => (long)o), await ReadAsync(stalled, AlertLogFeed.Backlog));
        var lagging = await Assert.ThrowsAnyAsync<Exception>(async () => await stalled.Entries.ReadAsync(TestContext.Current.CancellationToken));
        Assert.IsType<AlertLogFollowerLagging>(lagging is ChannelClosedException { InnerException: { } inner } ? inner : lagging);
    }

    [Fact]
    public async Task When_the_query_fails_its_followers_end_and_the_next_one_starts_it_again_where_it_stopped()
    {
        var feed = Feed();
        using var first = await feed.FollowAsync(TestContext.Current.CancellationToken);
        await StoreAsync(42);
        Assert.Equal(new long[] { 42 }, await ReadAsync(first, 1));

        _log.Writer.Complete(new IOException("the journal went away"));
        var ended = await Assert.ThrowsAnyAsync<Exception>(async () => await first.Entries.ReadAsync(TestContext.Current.CancellationToken));
        Assert.Contains("the journal went away", ended.GetBaseException().Message + ended.InnerException?.Message);

        _log = Channel.CreateUnbounded<AlertLogEntry>();
        using var second = await feed.FollowAsync(TestContext.Current.CancellationToken);
        await StoreAsync(43);
        Assert.Equal(new long[] { 43 }, await ReadAsync(second, 1));
        Assert.Equal(new long[] { 41, 42 }, _startedFrom);
    }

    [Fact]
    public async Task A_stream_follower_reads_what_was_stored_then_what_comes_and_one_that_falls_behind_misses_nothing()
    {
        var feed = Feed();
        for (var offset = 42; offset <= 50; offset++) lock (_stored) _stored.Add(Entry(offset));
        var entries = AlertLogFeed.Backlog * 2;

        // A follower from offset 45 that reads nothing until everything is published: it falls behind the feed, reads
        // what it missed from the journal, and joins again.
        var follower = feed.Follow(45).RunAsAsyncEnumerable(_system.Materializer()).GetAsyncEnumerator(TestContext.Current.CancellationToken);
        var first = follower.MoveNextAsync();
        await Poll.UntilAsync("the follower to join the feed", _ => Task.FromResult(_startedFrom.Count > 0 ? "joined" : null), TestContext.Current.CancellationToken);
        for (var offset = 51; offset < 51 + entries; offset++) await StoreAsync(offset);

        var offsets = new List<long>();
        Assert.True(await first);
        offsets.Add(follower.Current.Offset);
        while (offsets.Count < entries + 5 && await follower.MoveNextAsync()) offsets.Add(follower.Current.Offset);
        await follower.DisposeAsync();

        Assert.Equal(Enumerable.Range(46, entries + 5).Select(o => (long)o), offsets);
        Assert.Equal(new long[] { 50 }, _startedFrom);
    }
}

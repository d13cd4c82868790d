using System.Collections.Concurrent;

namespace Perf.Actors.Ingestion;

/// <summary>
/// When each host last sent something through this node, to tell a source that stopped sending: one that was heard
/// from within <see cref="Memory"/> but not for <c>silentAfter</c>. Hosts not heard from for longer are forgotten (a
/// host taken out of service stops counting as silent after an hour). Only live samples count: a write whose newest
/// sample is older than <see cref="LiveWithin"/> is history (a replay, a backfill), and its hosts did not "stop sending"
/// when it ends.
/// </summary>
public sealed class SourceActivity(TimeProvider clock)
{
    public static readonly TimeSpan Memory = TimeSpan.FromHours(1);

    /// <summary>How old a host's newest sample in a write may be for the write to count as the host sending live.</summary>
    public static readonly TimeSpan LiveWithin = TimeSpan.FromMinutes(5);

    private readonly ConcurrentDictionary<string, long> _lastSeenMs = new(StringComparer.Ordinal);

    /// <param name="newestMs">the timestamp of the host's newest sample in the write.</param>
    public void Seen(string host, long newestMs)
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        if (now - newestMs <= (long)LiveWithin.TotalMilliseconds) _lastSeenMs[host] = now;
    }

    /// <summary>Hosts quiet for longer than <paramref name="silentAfter"/>, oldest first; forgets those quiet past <see cref="Memory"/>.</summary>
    public IReadOnlyList<(string Host, DateTimeOffset LastSeen)> Silent(TimeSpan silentAfter)
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var silent = new List<(string, long)>();
        foreach (var (host, seen) in _lastSeenMs)
        {
            var quiet = now - seen;
            if (quiet > (long)Memory.TotalMilliseconds) _lastSeenMs.TryRemove(new KeyValuePair<string, long>(host, seen));
            else if (quiet > (long)silentAfter.TotalMilliseconds) silent.Add((host, seen));
        }
        return [.. silent.OrderBy(s => s.Item2).Select(s => (s.Item1, DateTimeOffset.FromUnixTimeMilliseconds(s.Item2)))];
    }
}

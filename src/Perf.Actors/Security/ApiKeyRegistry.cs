using System.Collections.Frozen;
using static Perf.Actors.Security.KeyBookQueries;

namespace Perf.Actors.Security;

/// <summary>
/// This node's copy of the key book, read by every authenticated request: an immutable snapshot swapped whole, so
/// lookups take no lock. Fed by a <see cref="BookSubscriber{TView}"/>, and directly by the admin endpoints after a change
/// so that a key revoked on this node is refused by the very next request.
/// </summary>
public sealed class ApiKeyRegistry
{
    private volatile Snapshot _current = new(-1, FrozenDictionary<string, ApiKey>.Empty);

    /// <summary>False until the key book has answered once; the node is not ready before.</summary>
    public bool Loaded => _current.Version >= 0;

    public long Version => _current.Version;

    public ApiKey? Find(string keyId) => _current.Keys.GetValueOrDefault(keyId);

    /// <summary>Takes a view of the book unless a newer one is already in use (views arrive from more than one path).</summary>
    public void Use(KeyBookView view)
    {
        while (true)
        {
            var current = _current;
            if (view.Version <= current.Version) return;
            var next = new Snapshot(view.Version, view.Keys.ToFrozenDictionary(k => k.Id));
            if (Interlocked.CompareExchange(ref _current, next, current) == current) return;
        }
    }

    private sealed record Snapshot(long Version, FrozenDictionary<string, ApiKey> Keys);
}

using System.Collections.Immutable;

namespace Perf.Host;

/// <summary>
/// The alert log by alert, for the API's lists and histories: each request reads only the entries stored since the
/// previous one (from the offset this index has reached), so a long log is read once, not once per request, and an
/// answer still includes every transition stored before it was asked for.
/// </summary>
public sealed class AlertIndex(AlertLog log)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    // Immutable, so an answer can be handed out while the next request adds to the index.
    private ImmutableDictionary<string, ImmutableList<AlertLogEntry>> _byAlert = ImmutableDictionary.Create<string, ImmutableList<AlertLogEntry>>(StringComparer.Ordinal);
    private long _offset;

    /// <summary>Every alert's transitions, oldest first, as of now.</summary>
    public async Task<IReadOnlyDictionary<string, ImmutableList<AlertLogEntry>>> AlertsAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var added = await log.ReadAsync(_offset, cancellationToken).ConfigureAwait(false);
            if (added.Count == 0) return _byAlert;
            var byAlert = _byAlert.ToBuilder();
            foreach (var entry in added)
            {
                var id = entry.Transition.AlertId;
                byAlert[id] = (byAlert.TryGetValue(id, out var transitions) ? transitions : []).Add(entry);
                _offset = Math.Max(_offset, entry.Offset);
            }
            return _byAlert = byAlert.ToImmutable();
        }
        finally
        {
            _gate.Release();
        }
    }
}

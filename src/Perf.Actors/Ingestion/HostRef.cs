using Akka.Actor;

namespace Perf.Actors.Ingestion;

/// <summary>
/// A host as the write path knows it: its name and the series of it that <see cref="SeriesTable"/> has interned (so the
/// node's view of the host's series indexes can be dropped at once when the host says it is stale).
/// </summary>
public sealed class HostRef(string name)
{
    private readonly List<SeriesRef> _series = [];
    private volatile IActorRef? _actor;

    public string Name { get; } = name;

    /// <summary>The host's actor on this node once it has answered an append from here (appends then go to it directly),
    /// null while the host is unknown here, remote or stopped (<see cref="AppendAcknowledgements"/>).</summary>
    internal IActorRef? Actor
    {
        get => _actor;
        set => _actor = value;
    }

    internal void Add(SeriesRef series)
    {
        lock (_series) _series.Add(series);
    }

    /// <summary>Forgets every index learned for this host's series: they register again (a restored backup may have fewer).</summary>
    internal void ForgetIndexes()
    {
        lock (_series)
            foreach (var series in _series) series.Forget();
    }

    public override string ToString() => Name;
}

namespace Perf.Actors.Ingestion;

/// <summary>
/// A series as the write path knows it: its host, its name, and its index in the host's series list (what a
/// <see cref="Hosts.HostCommands.AppendSamples"/> addresses), or -1 until the host has registered it. Interned by
/// <see cref="SeriesTable"/>: every request naming the series shares this object.
/// </summary>
public sealed class SeriesRef(HostRef host, string metric)
{
    private int _index = -1;

    public HostRef Host { get; } = host;

    public string Metric { get; } = metric;

    /// <summary>The series' index in its host, or -1 while it has not been registered (by this node's view).</summary>
    public int Index => Volatile.Read(ref _index);

    public bool IsRegistered => Index >= 0;

    /// <summary><c>{host}/{metric}</c>.</summary>
    public string EntityId => Host.Name + "/" + Metric;

    /// <summary>The host registered the series under <paramref name="index"/>.</summary>
    public void Registered(int index) => Volatile.Write(ref _index, index);

    internal void Forget() => Volatile.Write(ref _index, -1);

    public override string ToString() => EntityId;
}

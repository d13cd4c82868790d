using System.Buffers;

namespace Perf.Actors.Ingestion;

/// <summary>
/// A request's samples grouped by host: columns (series index, timestamp, value) rented from the shared pool, host
/// <c>h</c>'s samples at <c>[Offsets[h], Offsets[h] + Counts[h])</c>. The hosts' messages share these columns, so they
/// go back to the pool only once every host has answered (<see cref="Return"/>); a request that gives up first leaves
/// them to the garbage collector instead, since a late host may still read its slice.
/// </summary>
public sealed class HostSlices(IReadOnlyList<HostRef> hosts, int count)
{
    public IReadOnlyList<HostRef> Hosts { get; } = hosts;
    public int[] Series { get; } = ArrayPool<int>.Shared.Rent(Math.Max(count, 1));
    public long[] Timestamps { get; } = ArrayPool<long>.Shared.Rent(Math.Max(count, 1));
    public double[] Values { get; } = ArrayPool<double>.Shared.Rent(Math.Max(count, 1));
    public int[] Offsets { get; } = new int[hosts.Count];
    public int[] Counts { get; } = new int[hosts.Count];

    public void Return()
    {
        ArrayPool<int>.Shared.Return(Series);
        ArrayPool<long>.Shared.Return(Timestamps);
        ArrayPool<double>.Shared.Return(Values);
    }
}

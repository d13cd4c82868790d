namespace Perf.Cli.Load;

/// <summary>A contiguous range of series indices, <c>[Start, Start + Count)</c>.</summary>
public readonly record struct SeriesSlice(int Start, int Count)
{
    public int End => Start + Count;
}

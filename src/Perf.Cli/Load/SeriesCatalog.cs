namespace Perf.Cli.Load;

/// <summary>
/// The synthetic series of a benchmark: hosts <c>bench-0000</c>.. times metrics <c>bench.m0</c>...
/// Series are numbered host-major (index = host * metricCount + metric) so that a contiguous range of
/// indices mostly shares hosts, which keeps one JSON object per host in a batch.
/// </summary>
public sealed class SeriesCatalog
{
    public const string HostPrefix = "bench-";
    public const string MetricGroup = "bench";
    public const string MetricFieldPrefix = "m";

    private readonly string[] hostNames;
    private readonly string[] metricFields;

    public SeriesCatalog(int hostCount, int metricCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(hostCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(metricCount, 1);
        if ((long)hostCount * metricCount > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(metricCount), "hosts x metrics must fit in an int.");
        }

        HostCount = hostCount;
        MetricCount = metricCount;
        // Names are cached because a fast run formats them millions of times.
        hostNames = Enumerable.Range(0, hostCount).Select(FormatHostName).ToArray();
        metricFields = Enumerable.Range(0, metricCount).Select(index => MetricFieldPrefix + index).ToArray();
    }

    public int HostCount { get; }

    public int MetricCount { get; }

    public int SeriesCount => HostCount * MetricCount;

    public static string FormatHostName(int hostIndex) => $"{HostPrefix}{hostIndex:D4}";

    public string HostName(int hostIndex) => hostNames[hostIndex];

    /// <summary>The field inside the <c>bench</c> group, e.g. <c>m0</c>.</summary>
    public string MetricField(int metricIndex) => metricFields[metricIndex];

    /// <summary>The series' metric name as the engine sees it: <c>group.field</c>, e.g. <c>bench.m0</c>.</summary>
    public string MetricName(int metricIndex) => $"{MetricGroup}.{metricFields[metricIndex]}";

    public int HostOf(int seriesIndex) => seriesIndex / MetricCount;

    public int MetricOf(int seriesIndex) => seriesIndex % MetricCount;

    /// <summary>
    /// Splits all series into at most <paramref name="partCount"/> contiguous, disjoint, non-empty slices.
    /// Each load worker owns one slice so that one series is never in two requests at once: its points
    /// then reach the engine in timestamp order even when a batch has to be retried after a 429.
    /// </summary>
    public IReadOnlyList<SeriesSlice> Partition(int partCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partCount, 1);
        var parts = Math.Min(partCount, SeriesCount);
        var slices = new SeriesSlice[parts];
        for (var part = 0; part < parts; part++)
        {
            var start = (int)((long)SeriesCount * part / parts);
            var end = (int)((long)SeriesCount * (part + 1) / parts);
            slices[part] = new SeriesSlice(start, end - start);
        }

        return slices;
    }
}

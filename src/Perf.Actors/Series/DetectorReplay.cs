using Perf.Actors.Configuration;
using Perf.Analytics.Compression;

namespace Perf.Actors.Series;

/// <summary>
/// Runs a fresh copy of one of a series' detectors over stored points and returns its score per point, for charts
/// (the live detectors keep only their latest output). The copy starts at the first point given, so its first
/// <see cref="DetectorSet.MinDataPoints"/> outputs are its warm-up and are left out, as the live series leaves them out.
/// </summary>
public static class DetectorReplay
{
    public static List<DataPoint> Scores(DetectorSpec spec, int warmupPoints, IReadOnlyList<long> timestamps, IReadOnlyList<double> values)
    {
        var detector = spec.Create();
        var scoreColumn = IndexOf(detector.OutputColumns, "Score");
        Span<double> row = stackalloc double[detector.OutputColumns.Count];
        var scores = new List<DataPoint>(timestamps.Count);
        var observed = 0;
        for (var i = 0; i < timestamps.Count; i++)
        {
            if (!double.IsFinite(values[i])) continue;
            detector.Update(values[i], row);
            if (++observed > warmupPoints && double.IsFinite(row[scoreColumn])) scores.Add(new DataPoint(timestamps[i], row[scoreColumn]));
        }
        return scores;
    }

    private static int IndexOf(IReadOnlyList<string> columns, string name)
    {
        for (var i = 0; i < columns.Count; i++)
            if (string.Equals(columns[i], name, StringComparison.OrdinalIgnoreCase)) return i;
        throw new InvalidOperationException($"the detector has no {name} column ({string.Join(", ", columns)})");
    }
}

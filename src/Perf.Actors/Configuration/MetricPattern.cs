namespace Perf.Actors.Configuration;

/// <summary>
/// A metric-name pattern from configuration: literal text where '*' stands for any run of characters (including none),
/// matched without regard to case. "cpu.*" matches cpu.usage; "*latency*" matches http.latency_p99.
/// </summary>
public sealed class MetricPattern
{
    private readonly string[] _parts;

    public MetricPattern(string pattern)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(pattern);
        Text = pattern.Trim();
        _parts = Text.Split('*');
        Specificity = Text.Length - (_parts.Length - 1);
    }

    public string Text { get; }

    /// <summary>Literal characters in the pattern: where several patterns match, the most specific one wins.</summary>
    public int Specificity { get; }

    public bool Matches(string metric)
    {
        var first = _parts[0];
        if (_parts.Length == 1) return metric.Equals(first, StringComparison.OrdinalIgnoreCase);
        var last = _parts[^1];
        if (metric.Length < first.Length + last.Length
            || !metric.StartsWith(first, StringComparison.OrdinalIgnoreCase)
            || !metric.EndsWith(last, StringComparison.OrdinalIgnoreCase))
            return false;
        // Middle parts in order, each as early as possible: greedy-leftmost is exact for '*'-only patterns.
        var position = first.Length;
        var end = metric.Length - last.Length;
        for (var i = 1; i < _parts.Length - 1; i++)
        {
            var found = metric.IndexOf(_parts[i], position, end - position, StringComparison.OrdinalIgnoreCase);
            if (found < 0) return false;
            position = found + _parts[i].Length;
        }
        return true;
    }

    public override string ToString() => Text;
}

using System.Collections.ObjectModel;

namespace Perf.Analytics.Aggregation;

/// <summary>Wire names of <see cref="AggregationKind"/> as used by the API and the CLI.</summary>
public static class AggregationKinds
{
    // Indexed by the enum's value, so the order must follow AggregationKind.
    private static readonly string[] CanonicalNames = ["avg", "min", "max", "sum", "count", "last", "p50", "p95", "p99"];

    /// <summary>Canonical names in enum order.</summary>
    public static IReadOnlyList<string> Names { get; } = new ReadOnlyCollection<string>(CanonicalNames);

    /// <summary>
    /// Parses a canonical name or an alias (mean, median), ignoring case and surrounding white space.
    /// Numeric strings are rejected, unlike <see cref="Enum.TryParse{TEnum}(string?, bool, out TEnum)"/>.
    /// </summary>
    public static bool TryParse(string? text, out AggregationKind kind)
    {
        kind = default;
        if (text is null)
        {
            return false;
        }

        ReadOnlySpan<char> name = text.AsSpan().Trim();
        for (int i = 0; i < CanonicalNames.Length; i++)
        {
            if (name.Equals(CanonicalNames[i], StringComparison.OrdinalIgnoreCase))
            {
                kind = (AggregationKind)i;
                return true;
            }
        }

        if (name.Equals("mean", StringComparison.OrdinalIgnoreCase))
        {
            kind = AggregationKind.Avg;
            return true;
        }

        if (name.Equals("median", StringComparison.OrdinalIgnoreCase))
        {
            kind = AggregationKind.P50;
            return true;
        }

        return false;
    }

    /// <summary>The canonical lower-case name, e.g. "p99".</summary>
    public static string Name(AggregationKind kind) =>
        (uint)kind < (uint)CanonicalNames.Length
            ? CanonicalNames[(int)kind]
            : throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown aggregation kind.");
}

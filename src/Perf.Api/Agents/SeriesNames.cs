using System.Text;
using Perf.Api.Ingest;

namespace Perf.Api.Agents;

/// <summary>Hosts from the agents' names and tags, which may hold any character (series names: <see cref="Perf.Actors.Series.SeriesName"/>).</summary>
public static class SeriesNames
{
    private const int MaxHostLength = 200;

    /// <summary>
    /// A host as Perf accepts it (letters, digits, '_', '.', ':' and '-', starting with a letter, digit or '_', at most
    /// 200 characters): anything else becomes '_' (an IPv6 target <c>[::1]:9100</c> becomes <c>_::1_:9100</c>);
    /// none at all is the default host.
    /// </summary>
    public static string Host(string? raw)
    {
        if (string.IsNullOrEmpty(raw)) return MetricsDocumentParser.DefaultHost;
        if (MetricsDocumentParser.IsValidHost(raw)) return raw;
        var builder = new StringBuilder(Math.Min(raw.Length, MaxHostLength));
        foreach (var c in raw)
        {
            if (builder.Length == MaxHostLength) break;
            var allowed = char.IsAsciiLetterOrDigit(c) || c == '_' || (builder.Length > 0 && c is '.' or ':' or '-');
            builder.Append(allowed ? c : '_');
        }
        return builder.ToString();
    }
}

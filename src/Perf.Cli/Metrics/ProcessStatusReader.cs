using System.Globalization;

namespace Perf.Cli.Metrics;

/// <summary>Reads a process's resident set size from Linux <c>/proc/PID/status</c> (the <c>VmRSS</c> line).</summary>
public static class ProcessStatusReader
{
    public static long? ReadResidentBytes(int processId)
    {
        try
        {
            return ParseVmRssBytes(File.ReadAllText($"/proc/{processId}/status"));
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // Gone, not Linux, or not ours to read: the report says null rather than failing the run.
            return null;
        }
    }

    /// <summary>Parses <c>VmRSS:   123456 kB</c> into bytes; null when the line is absent or malformed.</summary>
    public static long? ParseVmRssBytes(string statusText)
    {
        using var reader = new StringReader(statusText);
        while (reader.ReadLine() is { } line)
        {
            if (!line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                continue;
            }

            var parts = line["VmRSS:".Length..].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 0 ||
                !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var amount))
            {
                return null;
            }

            // The kernel always writes kB (meaning KiB); accept a missing unit as the same.
            var unit = parts.Length > 1 ? parts[1] : "kB";
            return unit switch
            {
                "kB" => amount * 1024,
                "mB" or "MB" => amount * 1024 * 1024,
                "B" => amount,
                _ => null,
            };
        }

        return null;
    }
}

using System.Globalization;

namespace Perf.Cli.Metrics;

/// <summary>Reads a process's resident set size from Linux <c>/proc/PID/status</c> (the <c>VmRSS</c> line) and its CPU time
/// from <c>/proc/PID/stat</c>.</summary>
public static class ProcessStatusReader
{
    /// <summary>User plus system CPU seconds the process has used so far; null when it cannot be read.</summary>
    public static double? ReadCpuSeconds(int processId)
    {
        try
        {
            return ParseCpuSeconds(File.ReadAllText($"/proc/{processId}/stat"));
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Fields 14 and 15 of <c>/proc/PID/stat</c> (utime, stime), in clock ticks of 1/100 s. The command name in
    /// parentheses may hold spaces, so the fields are counted from its closing parenthesis.</summary>
    public static double? ParseCpuSeconds(string statText)
    {
        var close = statText.LastIndexOf(')');
        if (close < 0 || close + 2 > statText.Length) return null;
        var fields = statText[(close + 2)..].Split(' ');
        return fields.Length > 12
               && long.TryParse(fields[11], NumberStyles.None, CultureInfo.InvariantCulture, out var user)
               && long.TryParse(fields[12], NumberStyles.None, CultureInfo.InvariantCulture, out var system)
            ? (user + system) / 100.0
            : null;
    }

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

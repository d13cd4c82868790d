namespace Perf.Protocols.LineProtocol;

/// <summary>The unit of line protocol timestamps (<c>precision=</c> of the write APIs), as nanoseconds per unit.</summary>
public static class TimePrecision
{
    public const string Accepted = "ns, us, ms, s (also n, u, µs, m, h)";

    /// <summary>Reads the names InfluxDB v1 and v2 accept (<c>ns</c>, <c>n</c>, <c>us</c>, <c>u</c>, <c>µs</c>, <c>ms</c>, <c>s</c>, <c>m</c>, <c>h</c>) and the conformance corpus' <c>1ns</c> style.</summary>
    public static bool TryParse(string? text, out long nanosecondsPerUnit)
    {
        var name = string.IsNullOrEmpty(text) ? "ns" : text.StartsWith('1') ? text[1..] : text;
        nanosecondsPerUnit = name switch
        {
            "ns" or "n" => 1,
            "us" or "u" or "µs" or "µ" or "μs" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            _ => 0,
        };
        return nanosecondsPerUnit > 0;
    }
}

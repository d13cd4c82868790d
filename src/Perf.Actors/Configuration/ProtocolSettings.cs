namespace Perf.Actors.Configuration;

/// <summary>
/// <c>perf.protocols</c>: how the agents' own formats (Prometheus remote write, InfluxDB line protocol, OTLP) map to
/// Perf's hosts, and how far a compressed body may grow when it is decompressed.
/// </summary>
/// <param name="MaxDecodedBytes">Largest body after snappy or gzip decompression (413 beyond): a few kilobytes of
/// compressed zeros must not become gigabytes in memory.</param>
/// <param name="RemoteWriteHostLabel">The Prometheus label whose value is a series' host (the rest of the labels name the series).</param>
/// <param name="LineProtocolHostTag">The line protocol tag whose value is a point's host.</param>
/// <param name="OtlpHostAttributes">OTLP resource (or data point) attributes tried in order for the host.</param>
public sealed record ProtocolSettings(long MaxDecodedBytes, string RemoteWriteHostLabel, string LineProtocolHostTag, IReadOnlyList<string> OtlpHostAttributes)
{
    public static ProtocolSettings Read(ConfigReader config)
    {
        var attributes = config.StringList("perf.protocols.otlp.host_attributes");
        if (attributes.Count == 0) throw new PerfConfigurationException("perf.protocols.otlp.host_attributes", "names no attribute");
        return new ProtocolSettings(
            config.Bytes("perf.protocols.max_decoded_bytes", 64 * 1024),
            config.String("perf.protocols.remote_write.host_label"),
            config.String("perf.protocols.line_protocol.host_tag"),
            attributes);
    }
}

namespace Perf.Protocols.Prometheus;

/// <summary>
/// One <c>Sample</c>: milliseconds since the Unix epoch and the value with its bits exactly as sent, so a stale marker
/// (<see cref="RemoteWriteCodec.StaleMarkerBits"/>) stays distinguishable from any other NaN.
/// </summary>
public readonly struct RemoteWriteSample(long timestamp, double value)
{
    public long Timestamp { get; } = timestamp;

    public double Value { get; } = value;

    public bool IsStaleMarker => RemoteWriteCodec.IsStaleMarker(Value);

    public override string ToString() => $"{Timestamp}: {Value}";
}

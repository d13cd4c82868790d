namespace Perf.Protocols.LineProtocol;

/// <summary>What a body of line protocol decoded to: the points of its good lines and the reason for each bad one.</summary>
public sealed record LineProtocolBatch(IReadOnlyList<LinePoint> Points, IReadOnlyList<LineError> Errors, int ErrorCount);

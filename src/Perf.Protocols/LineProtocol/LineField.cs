namespace Perf.Protocols.LineProtocol;

/// <summary>One <c>key=value</c> field of a point.</summary>
public sealed record LineField(string Key, FieldValue Value);

namespace Perf.Protocols.LineProtocol;

/// <summary>
/// One decoded line: the measurement, its tags sorted by key (ordinal, so a series key does not depend on the order
/// an agent wrote them in), its fields in the order written, and the time in nanoseconds since the Unix epoch.
/// </summary>
/// <param name="Line">the 1-based line of the input the point starts on.</param>
public sealed record LinePoint(int Line, long TimeNs, string Measurement, IReadOnlyList<KeyValuePair<string, string>> Tags, IReadOnlyList<LineField> Fields);

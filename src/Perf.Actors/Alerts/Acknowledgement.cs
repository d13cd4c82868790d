namespace Perf.Actors.Alerts;

/// <summary>Someone has seen alert <paramref name="AlertId"/>: its firing notification is not repeated (its resolution still goes out).</summary>
public sealed record Acknowledgement(string AlertId, string By, string Comment, long AtMs);

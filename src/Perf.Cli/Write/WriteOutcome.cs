namespace Perf.Cli.Write;

/// <summary>What a <c>perf write</c> run did: requests and points the node stored, and what it refused.</summary>
public sealed record WriteOutcome(int Requests, long PointsSent, long PointsStored, long PointsRejected, IReadOnlyList<string> Problems, TimeSpan Elapsed);

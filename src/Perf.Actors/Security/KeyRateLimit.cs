namespace Perf.Actors.Security;

/// <summary>A token bucket: <paramref name="RequestsPerSecond"/> sustained, up to <paramref name="Burst"/> at once.</summary>
public sealed record KeyRateLimit(int RequestsPerSecond, int Burst);

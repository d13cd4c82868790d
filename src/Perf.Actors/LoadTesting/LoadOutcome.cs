namespace Perf.Actors.LoadTesting;

/// <summary>How one request ended.</summary>
/// <param name="Status">the HTTP status; 0 when there was no response.</param>
/// <param name="Failure">timeout, connection_refused or transport when there was no response; null otherwise.</param>
/// <param name="Cancelled">ended by the test's cancellation: not the target's fault, so not counted.</param>
public sealed record LoadOutcome(long EndMs, long LatencyUs, int Status, string? Failure, bool Cancelled = false)
{
    public bool IsError => Failure is not null || Status >= 400;

    /// <summary>The key it is counted under in the summary's codes.</summary>
    public string Code => Failure ?? Status.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

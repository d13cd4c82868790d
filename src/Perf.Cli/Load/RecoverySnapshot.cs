namespace Perf.Cli.Load;

/// <summary>The tallies of a recovery run at one moment.</summary>
public sealed record RecoverySnapshot(
    long Answered,
    long Requests,
    long Retries,
    long Errors,
    double P50Milliseconds,
    double P99Milliseconds,
    double MaxMilliseconds,
    string? LastError);

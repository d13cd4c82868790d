namespace Perf.Cli.Load;

/// <summary>The tallies of an ingest run at one moment.</summary>
public sealed record IngestSnapshot(
    long SentPoints,
    long AcceptedPoints,
    long RejectedPoints,
    long FailedPoints,
    long Requests,
    long Retries429,
    long Errors,
    double P50Milliseconds,
    double P99Milliseconds,
    double MaxMilliseconds,
    string? LastError);

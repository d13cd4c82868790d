namespace Perf.Storage.Backup;

/// <summary>What verifying a backup found (<see cref="BackupVerifier"/>).</summary>
/// <param name="Integrity">the first line of <c>PRAGMA integrity_check</c>: "ok" for a sound file.</param>
/// <param name="Hosts">hosts whose snapshot and log records were read back.</param>
/// <param name="HostsFailed">of them, those that would not recover.</param>
/// <param name="Series">series those hosts hold.</param>
/// <param name="SeriesFailed">of them, those a failed host was known to hold when it failed.</param>
/// <param name="Points">points the series hold: their heads plus their sealed chunks (what queries will return).</param>
/// <param name="Snapshots">host snapshots read.</param>
/// <param name="Events">host log records replayed after their snapshots.</param>
/// <param name="Chunks">rows of the chunk table decoded.</param>
/// <param name="ChunksFailed">of them, those that did not decode or disagree with their row.</param>
/// <param name="OtherEvents">events and snapshots of Perf's other persistent actors (alerts, rules, reports, ...) decoded.</param>
/// <param name="FailureCount">every failure found; <paramref name="Failures"/> lists the first <see cref="BackupVerifier.MaxListedFailures"/>.</param>
public sealed record BackupVerification(
    string Integrity,
    int Hosts,
    int HostsFailed,
    int Series,
    int SeriesFailed,
    long Points,
    int Snapshots,
    long Events,
    long Chunks,
    long ChunksFailed,
    long OtherEvents,
    int FailureCount,
    IReadOnlyList<BackupFailure> Failures)
{
    public bool Ok => Integrity == "ok" && FailureCount == 0;
}

namespace Perf.Host.Backup;

/// <summary>What verifying a backup found (<see cref="BackupVerifier"/>).</summary>
/// <param name="Integrity">the first line of <c>PRAGMA integrity_check</c>: "ok" for a sound file.</param>
/// <param name="Series">series persistence ids recovered.</param>
/// <param name="SeriesFailed">of them, those that did not recover.</param>
/// <param name="Points">points the recovered series hold: their heads plus their sealed chunks (what queries will return).</param>
/// <param name="Snapshots">series snapshots loaded.</param>
/// <param name="Events">series journal events replayed after their snapshots.</param>
/// <param name="Chunks">rows of the chunk table decoded.</param>
/// <param name="ChunksFailed">of them, those that did not decode or disagree with their row.</param>
/// <param name="OtherEvents">events and snapshots of Perf's other persistent actors (hosts, alerts, rules, reports, ...) decoded.</param>
/// <param name="FailureCount">every failure found; <paramref name="Failures"/> lists the first <see cref="BackupVerifier.MaxListedFailures"/>.</param>
public sealed record BackupVerification(
    string Integrity,
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

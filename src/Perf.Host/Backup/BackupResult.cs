using Perf.Storage.Backup;

namespace Perf.Host.Backup;

/// <summary>A backup just written and verified.</summary>
/// <param name="File">the backup file.</param>
/// <param name="TakenAt">when its read snapshot of the live database began: it holds every write committed before.</param>
/// <param name="Duration">copy plus verification.</param>
/// <param name="Verification">what opening the backup and recovering every series from it found.</param>
public sealed record BackupResult(BackupFile File, DateTimeOffset TakenAt, TimeSpan Duration, BackupVerification Verification);

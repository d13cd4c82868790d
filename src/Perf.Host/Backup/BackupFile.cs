namespace Perf.Host.Backup;

/// <summary>A backup in the backups directory.</summary>
/// <param name="Name">its file name, the one an API request gives.</param>
/// <param name="Path">where it is on the node.</param>
/// <param name="SizeBytes">file size.</param>
/// <param name="ModifiedAt">when the file was last written (UTC): when the backup finished.</param>
public sealed record BackupFile(string Name, string Path, long SizeBytes, DateTimeOffset ModifiedAt);

using Perf.Storage.Backup;

namespace Perf.Host.Backup;

/// <summary>What a restore did.</summary>
/// <param name="DatabasePath">the restored database.</param>
/// <param name="SizeBytes">its size.</param>
/// <param name="MovedAside">where the database that was there went (with its -wal and -shm files), null when there was none.</param>
public sealed record RestoreResult(string DatabasePath, long SizeBytes, string? MovedAside);

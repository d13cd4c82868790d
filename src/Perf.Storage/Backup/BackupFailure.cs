namespace Perf.Storage.Backup;

/// <summary>One thing of a backup that would not recover.</summary>
/// <param name="PersistenceId">whose data it is (<c>host-{host}</c>, <c>series-{host}/{metric}</c> for a chunk,
/// <c>alerts-web-1/cpu.usage</c>, ...), or <c>database</c> for the file as a whole.</param>
/// <param name="Reason">what is wrong, naming the row (snapshot, record sequence number, chunk).</param>
public sealed record BackupFailure(string PersistenceId, string Reason);

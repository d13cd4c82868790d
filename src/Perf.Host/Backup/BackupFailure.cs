namespace Perf.Host.Backup;

/// <summary>One thing of a backup that would not recover.</summary>
/// <param name="PersistenceId">whose data it is (<c>series-{host}/{metric}</c>, <c>host-web-1</c>, ...), or <c>database</c>
/// for the file as a whole.</param>
/// <param name="Reason">what is wrong, naming the row (snapshot, event sequence number, chunk).</param>
public sealed record BackupFailure(string PersistenceId, string Reason);

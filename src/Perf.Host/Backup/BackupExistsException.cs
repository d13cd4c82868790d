namespace Perf.Host.Backup;

/// <summary>A backup of that name is already there: backups are never overwritten.</summary>
public sealed class BackupExistsException(string name) : IOException($"a backup named {name} already exists")
{
    public string Name => name;
}

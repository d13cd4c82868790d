namespace Perf.Host.Backup;

/// <summary>A restore that would have been unsafe, refused before anything was changed.</summary>
public sealed class RestoreRefusedException(string message) : Exception(message);

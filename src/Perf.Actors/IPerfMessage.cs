namespace Perf.Actors;

/// <summary>
/// Marks every message, event and snapshot that crosses a process boundary or reaches the journal.
/// The marker binds them to <see cref="Serialization.PerfSerializer"/>, so nothing silently falls back to JSON.
/// </summary>
public interface IPerfMessage;

namespace Perf.Actors.Ingestion;

/// <summary>A series of the request answered that its journal failed the write (see <c>SeriesCommands.AppendFailed</c>).</summary>
public sealed class SeriesWriteFailedException(string reason) : Exception($"a series could not store its points: {reason}");

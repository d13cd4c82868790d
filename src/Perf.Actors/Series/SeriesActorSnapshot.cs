namespace Perf.Actors.Series;

/// <summary>What a series actor snapshots: its stored points (<see cref="SeriesSnapshot"/>) and its detectors.</summary>
public sealed record SeriesActorSnapshot(SeriesSnapshot Storage, DetectionSnapshot Detection) : IPerfMessage;

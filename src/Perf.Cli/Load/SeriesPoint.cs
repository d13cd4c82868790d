namespace Perf.Cli.Load;

/// <summary>One sample to send: series, the round it belongs to, its timestamp and value.</summary>
public readonly record struct SeriesPoint(int SeriesIndex, long Round, long TimestampMs, double Value);

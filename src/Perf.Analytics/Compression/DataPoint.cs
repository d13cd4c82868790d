namespace Perf.Analytics.Compression;

/// <summary>One sample of a series: a Unix epoch timestamp in milliseconds and its value.</summary>
public readonly record struct DataPoint(long TimestampMs, double Value);

namespace Perf.Analytics.Analysis;

/// <summary>One pattern <see cref="Patterns.Find"/> found.</summary>
/// <param name="Type">"seasonality", "daily_peak" or "weekly_peak" (the constants on <see cref="Patterns"/>).</param>
/// <param name="Time">"HH:00" (UTC) for a daily peak, the English day name for a weekly one, null for seasonality.</param>
/// <param name="Confidence">In [0, 1]; how each type computes it is documented on <see cref="Patterns"/>.</param>
/// <param name="PeriodHours">The period, for seasonality only.</param>
public sealed record PatternResult(string Type, string? Time, double Confidence, double? PeriodHours);

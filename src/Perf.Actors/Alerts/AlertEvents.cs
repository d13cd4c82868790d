namespace Perf.Actors.Alerts;

/// <summary>What an <see cref="AlertActor"/> persists. Every event is tagged <see cref="AlertEvents.Tag"/> for the alert log.</summary>
public interface IAlertEvent : IPerfMessage;

public static class AlertEvents
{
    /// <summary>The journal tag of every alert event: the alert log that the stream and the notifications read.</summary>
    public const string Tag = "alert";

    /// <summary>
    /// An alert changed state. <paramref name="TimestampMs"/> is the sample time that caused it (event time), so replayed
    /// or delayed data alerts as it would have live; <paramref name="RecordedMs"/> is when the engine noticed. No-data
    /// rules watch the wall clock instead: their timestamp is when the engine noticed too.
    /// </summary>
    /// <param name="AlertId">one episode of one rule on one series: <c>{rule}-{episode start ms}-{series hash}</c>.</param>
    /// <param name="Value">the sample's value; for no-data rules, the seconds the series had been silent.</param>
    /// <param name="Threshold">the level crossed (threshold rules) or predicted to be reached (trend rules), the minimum
    /// score (anomaly rules), or the seconds of silence that make a series silent (no-data rules).</param>
    public sealed record AlertTransitioned(
        string AlertId,
        string RuleId,
        string RuleName,
        string Host,
        string Metric,
        AlertState From,
        AlertState To,
        AlertSeverity Severity,
        long TimestampMs,
        double Value,
        double Threshold,
        long RecordedMs) : IAlertEvent;
}

namespace Perf.Actors.Alerts;

public enum AlertSeverity
{
    None = 0,
    Warning = 1,
    Critical = 2,
}

namespace Perf.Actors.Reports;

/// <summary>Where a report job is. <see cref="Interrupted"/>: it was queued or running when its node stopped.</summary>
public enum ReportStatus : byte
{
    Queued,
    Running,
    Done,
    Failed,
    Interrupted,
}

namespace Perf.Actors.Reports;

/// <summary>One report job as the <see cref="ReportJobs"/> singleton knows it.</summary>
/// <param name="Progress">in [0, 1]; kept in memory only (a restarted job is interrupted anyway).</param>
/// <param name="Bytes">the file's size once done.</param>
public sealed record ReportJob(
    string Id,
    ReportSpec Spec,
    ReportStatus Status,
    double Progress,
    string? Error,
    long CreatedMs,
    long StartedMs,
    long FinishedMs,
    long Bytes);

namespace Perf.Actors.Reports;

/// <summary>Report jobs (cluster singleton <c>reports</c>), from any node.</summary>
public static class ReportJobsCommands
{
    /// <summary>Queues a job. Answered with <see cref="ReportJobsQueries.ReportView"/> (status queued).</summary>
    public sealed record CreateReport(string Id, ReportSpec Spec, long AtMs) : IPerfMessage;
}

public static class ReportJobsQueries
{
    /// <summary>Answered with <see cref="ReportView"/> or <see cref="ReportNotFound"/>.</summary>
    public sealed record GetReport(string Id) : IPerfMessage;

    public sealed record ReportView(ReportJob Job) : IPerfMessage;

    public sealed record ReportNotFound(string Id) : IPerfMessage;

    /// <summary>
    /// The newest jobs first, at most <paramref name="Limit"/>, of those whose hosts all match one of
    /// <paramref name="HostPatterns"/> (none: every job). Answered with <see cref="ReportList"/>.
    /// </summary>
    public sealed record ListReports(int Limit, string[] HostPatterns) : IPerfMessage;

    /// <param name="Total">how many kept jobs the caller may see (the list holds the newest of them).</param>
    public sealed record ReportList(ReportJob[] Jobs, int Total) : IPerfMessage;
}

public static class ReportJobsEvents
{
    public sealed record ReportQueued(string Id, ReportSpec Spec, long AtMs) : IPerfMessage;

    public sealed record ReportStarted(string Id, long AtMs) : IPerfMessage;

    public sealed record ReportDone(string Id, long AtMs, long Bytes) : IPerfMessage;

    public sealed record ReportFailed(string Id, long AtMs, string Error) : IPerfMessage;

    /// <summary>Recorded on recovery for a job that was queued or running when the node stopped.</summary>
    public sealed record ReportInterrupted(string Id, long AtMs) : IPerfMessage;
}

/// <summary>Between a job's worker and the singleton, on one node (never serialized).</summary>
public static class ReportWorkerMessages
{
    public sealed record Progressed(string Id, double Progress);

    public sealed record Finished(string Id, long Bytes);

    public sealed record Failed(string Id, string Error);
}

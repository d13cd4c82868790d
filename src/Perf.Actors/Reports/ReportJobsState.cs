using static Perf.Actors.Reports.ReportJobsEvents;

namespace Perf.Actors.Reports;

/// <summary>Report jobs, pure. The oldest finished jobs are forgotten beyond <see cref="Kept"/> (their files stay on disk).</summary>
public sealed class ReportJobsState
{
    public const int Kept = 1000;

    private readonly Dictionary<string, ReportJob> _jobs = [];

    public ReportJob? Get(string id) => _jobs.GetValueOrDefault(id);

    /// <summary>The kept jobs that <paramref name="visible"/> lets through, newest first: at most <paramref name="limit"/>,
    /// and how many there are in all.</summary>
    public (ReportJob[] Newest, int Total) List(int limit, Func<ReportJob, bool> visible)
    {
        var all = _jobs.Values.Where(visible).OrderByDescending(j => j.CreatedMs).ThenBy(j => j.Id, StringComparer.Ordinal).ToArray();
        return (all[..Math.Min(limit, all.Length)], all.Length);
    }

    /// <summary>Jobs that were queued or running: after recovery, the ones a stopped node left unfinished.</summary>
    public IReadOnlyList<ReportJob> Unfinished() =>
        _jobs.Values.Where(j => j.Status is ReportStatus.Queued or ReportStatus.Running).OrderBy(j => j.CreatedMs).ToArray();

    public void Apply(object @event)
    {
        switch (@event)
        {
            case ReportQueued queued:
                _jobs[queued.Id] = new ReportJob(queued.Id, queued.Spec, ReportStatus.Queued, 0, null, queued.AtMs, 0, 0, 0);
                if (_jobs.Count > Kept)
                {
                    var oldest = _jobs.Values.Where(j => j.Status is not (ReportStatus.Queued or ReportStatus.Running)).MinBy(j => j.CreatedMs);
                    if (oldest is not null) _jobs.Remove(oldest.Id);
                }
                break;
            case ReportStarted started:
                Update(started.Id, j => j with { Status = ReportStatus.Running, StartedMs = started.AtMs });
                break;
            case ReportDone done:
                Update(done.Id, j => j with { Status = ReportStatus.Done, Progress = 1, FinishedMs = done.AtMs, Bytes = done.Bytes });
                break;
            case ReportFailed failed:
                Update(failed.Id, j => j with { Status = ReportStatus.Failed, FinishedMs = failed.AtMs, Error = failed.Error });
                break;
            case ReportInterrupted interrupted:
                Update(interrupted.Id, j => j with
                {
                    Status = ReportStatus.Interrupted, FinishedMs = interrupted.AtMs, Error = "the node stopped before the report was finished; request it again",
                });
                break;
            default:
                throw new ArgumentException($"Unknown report event {@event.GetType().Name}", nameof(@event));
        }
    }

    /// <summary>Progress is not an event: it is reported often and means nothing after a restart.</summary>
    public void Progress(string id, double progress) =>
        Update(id, j => j.Status == ReportStatus.Running ? j with { Progress = Math.Clamp(progress, 0, 0.99) } : j);

    private void Update(string id, Func<ReportJob, ReportJob> change)
    {
        if (_jobs.TryGetValue(id, out var job)) _jobs[id] = change(job);
    }
}

using static Perf.Actors.LoadTesting.LoadTestsEvents;

namespace Perf.Actors.LoadTesting;

/// <summary>Load tests, pure. The oldest finished tests are forgotten beyond <see cref="Kept"/> (their series stay).</summary>
public sealed class LoadTestsState
{
    public const int Kept = 500;

    private readonly Dictionary<string, LoadTestJob> _jobs = [];

    public LoadTestJob? Get(string id) => _jobs.GetValueOrDefault(id);

    public IReadOnlyList<LoadTestJob> Running() => _jobs.Values.Where(j => j.Status == LoadTestStatus.Running).OrderBy(j => j.StartedMs).ToArray();

    public IReadOnlyList<LoadTestJob> Newest(int limit) => _jobs.Values.OrderByDescending(j => j.StartedMs).Take(limit).ToArray();

    public void Apply(object @event)
    {
        switch (@event)
        {
            case LoadTestStarted started:
                _jobs[started.Id] = new LoadTestJob(started.Id, started.Spec, LoadTestStatus.Running, started.AtMs, 0, 0, LoadTestSummary.Empty, null, null);
                if (_jobs.Count > Kept)
                {
                    var oldest = _jobs.Values.Where(j => j.Status != LoadTestStatus.Running).MinBy(j => j.StartedMs);
                    if (oldest is not null) _jobs.Remove(oldest.Id);
                }
                break;
            case LoadTestCheckpointed checkpoint:
                Update(checkpoint.Id, j => j with { Summary = checkpoint.Summary });
                break;
            case LoadTestCancelRequested cancel:
                Update(cancel.Id, j => j.Status == LoadTestStatus.Running && j.CancelRequestedMs == 0 ? j with { CancelRequestedMs = cancel.AtMs } : j);
                break;
            case LoadTestEnded ended:
                Update(ended.Id, j => j with { Status = ended.Status, FinishedMs = ended.AtMs, Summary = ended.Summary, Error = ended.Error, Live = null });
                break;
            case LoadTestInterrupted interrupted:
                Update(interrupted.Id, j => j with
                {
                    Status = LoadTestStatus.Interrupted, FinishedMs = interrupted.AtMs, Live = null,
                    Error = "the node stopped while the test ran; its summary and series hold what was measured until then",
                });
                break;
            default:
                throw new ArgumentException($"Unknown load test event {@event.GetType().Name}", nameof(@event));
        }
    }

    /// <summary>Live figures are not events: they change every second and mean nothing after a restart.</summary>
    public void Measured(string id, LoadTestSummary summary, LoadTestLive? live) =>
        Update(id, j => j.Status == LoadTestStatus.Running ? j with { Summary = summary, Live = live ?? j.Live } : j);

    private void Update(string id, Func<LoadTestJob, LoadTestJob> change)
    {
        if (_jobs.TryGetValue(id, out var job)) _jobs[id] = change(job);
    }
}

using Perf.Analytics.Aggregation;
using Perf.Storage.Reports;
using System.Collections;
using Akka.Actor;
using Akka.Hosting;
using Akka.Persistence.Sql.Hosting;
using LinqToDB;
using Perf.Actors.Reports;
using Perf.Actors.Serialization;
using Perf.Host;
using static Perf.Actors.Reports.ReportJobsCommands;
using static Perf.Actors.Reports.ReportJobsQueries;
using static Perf.Actors.Series.SeriesQueries;

namespace Perf.Actors.Tests.Reports;

/// <summary>The report jobs singleton against a real SQLite journal: a job runs to its file, and one cut short by a stop is interrupted, not lost.</summary>
public sealed class ReportJobsTests : Akka.Hosting.TestKit.TestKit, IDisposable
{
    private readonly TestDatabase _db = new();

    public ReportJobsTests() : base("report-jobs-tests") { }

    protected override void ConfigureAkka(AkkaConfigurationBuilder builder, IServiceProvider provider) => builder
        .WithCustomSerializer("perf", [typeof(IPerfMessage)], system => new PerfSerializer(system))
        .WithSqlPersistence(_db.Storage.ConnectionString, ProviderName.SQLiteMS, autoInitialize: true);

    private ReportStore Store => new(_db.Storage.Database);

    private Perf.Actors.Configuration.PerfSettings Settings => PerfConfiguration.Load(_db.Directory, new Hashtable()).Settings;

    private static ReportSpec Spec(string format) => new("performance_summary", "1h", 1_700_000_000_000, 1_700_003_600_000, ["cpu_usage"], ["h1"], format, true);

    private async Task<ReportJob> WaitForAsync(IActorRef jobs, string id, ReportStatus status)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var job = (await jobs.Ask<ReportView>(new GetReport(id))).Job;
            if (job.Status == status) return job;
            Assert.True(DateTime.UtcNow < deadline, $"job {id} is {job.Status}, not {status}");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task A_job_reads_its_series_and_writes_its_file()
    {
        var series = CreateTestProbe();
        var jobs = Sys.ActorOf(ReportJobs.Props(series, Settings, TimeProvider.System, Store));

        var queued = await jobs.Ask<ReportView>(new CreateReport("r1", Spec("csv"), 1));
        Assert.Equal(ReportStatus.Queued, queued.Job.Status);
        var read = series.ExpectMsg<ReadRange>();
        Assert.Equal("h1/cpu.usage", read.EntityId);
        series.Reply(new RangeResult([1_700_000_000_000, 1_700_000_060_000], [1.5, 2.5]));
        series.ExpectMsg<GetAnomalies>();
        series.Reply(new AnomalyList([], "default", []));
        // The summary's min and max come from the raw points: the series' own min and max over the whole range.
        foreach (var (kind, value) in new[] { (AggregationKind.Min, 1.25), (AggregationKind.Max, 2.75) })
        {
            var extreme = series.ExpectMsg<ReadRange>();
            Assert.Equal((kind, extreme.ToMs - extreme.FromMs + 1), (extreme.Aggregation, extreme.StepMs));
            series.Reply(new RangeResult([1_700_000_000_000], [value]));
        }

        var done = await WaitForAsync(jobs, "r1", ReportStatus.Done);
        var content = await Store.ReadAsync("r1");
        Assert.NotNull(content);
        Assert.Equal(content.Length, done.Bytes);
        Assert.Equal(
            ["host,metric,timestamp,value", "h1,cpu_usage,2023-11-14T22:13:20Z,1.5", "h1,cpu_usage,2023-11-14T22:14:20Z,2.5"],
            System.Text.Encoding.UTF8.GetString(content).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')));
    }

    [Fact]
    public async Task A_summarys_min_and_max_are_the_raw_points_not_the_bucket_averages()
    {
        var series = CreateTestProbe();
        var jobs = Sys.ActorOf(ReportJobs.Props(series, Settings, TimeProvider.System, Store));

        await jobs.Ask<ReportView>(new CreateReport("r-extremes", Spec("json"), 1));
        series.ExpectMsg<ReadRange>();
        series.Reply(new RangeResult([1_700_000_000_000, 1_700_000_060_000], [60.0, 92.36])); // a bucket of 85.22 and 99.5
        series.ExpectMsg<GetAnomalies>();
        series.Reply(new AnomalyList([], "default", []));
        foreach (var value in new[] { 41.0, 99.5 })
        {
            series.ExpectMsg<ReadRange>();
            series.Reply(new RangeResult([1_700_000_000_000], [value]));
        }

        await WaitForAsync(jobs, "r-extremes", ReportStatus.Done);
        var report = System.Text.Json.Nodes.JsonNode.Parse(await Store.ReadAsync("r-extremes") ?? [])!;
        var summary = report["hosts"]![0]!["metrics"]!["cpu_usage"]!["summary"]!;
        Assert.Equal((41.0, 76.18, 99.5), (summary["min"]!.GetValue<double>(), summary["avg"]!.GetValue<double>(), summary["max"]!.GetValue<double>()));
    }

    [Fact]
    public async Task Jobs_queued_or_running_when_the_actor_stopped_are_interrupted_on_recovery()
    {
        var silent = CreateTestProbe(); // never answers: the first job stays running, the second queued behind it
        var jobs = Sys.ActorOf(ReportJobs.Props(silent, Settings, TimeProvider.System, Store));
        await jobs.Ask<ReportView>(new CreateReport("r1", Spec("pdf"), 1));
        await jobs.Ask<ReportView>(new CreateReport("r2", Spec("json"), 2));
        await WaitForAsync(jobs, "r1", ReportStatus.Running);
        Assert.Equal(ReportStatus.Queued, (await jobs.Ask<ReportView>(new GetReport("r2"))).Job.Status);
        Watch(jobs);
        jobs.Tell(PoisonPill.Instance);
        await ExpectTerminatedAsync(jobs);

        var again = Sys.ActorOf(ReportJobs.Props(silent, Settings, TimeProvider.System, Store));
        foreach (var id in new[] { "r1", "r2" })
        {
            var job = (await again.Ask<ReportView>(new GetReport(id))).Job;
            Assert.Equal(ReportStatus.Interrupted, job.Status);
            Assert.NotNull(job.Error);
        }
        Assert.IsType<ReportNotFound>(await again.Ask<object>(new GetReport("r3")));
    }

    void IDisposable.Dispose() => _db.Dispose();
}

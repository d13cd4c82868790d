using Akka.Actor;
using Akka.Hosting;
using Akka.Persistence.Sql.Hosting;
using LinqToDB;
using Perf.Actors.Hosts;
using Perf.Actors.Serialization;
using static Perf.Actors.Hosts.HostCommands;
using static Perf.Actors.Hosts.HostDirectoryCommands;
using static Perf.Actors.Hosts.HostQueries;

namespace Perf.Actors.Tests.Hosts;

/// <summary>The host actor against a real SQLite journal: the cardinality guard and what survives a restart.</summary>
public sealed class HostActorTests : Akka.Hosting.TestKit.TestKit, IDisposable
{
    private readonly TestDatabase _db = new();

    public HostActorTests() : base("host-actor-tests") { }

    protected override void ConfigureAkka(AkkaConfigurationBuilder builder, IServiceProvider provider) => builder
        .WithCustomSerializer("perf", [typeof(IPerfMessage)], system => new PerfSerializer(system))
        .WithSqlPersistence(_db.Storage.ConnectionString, ProviderName.SQLiteMS, autoInitialize: true);

    private async Task StopAsync(IActorRef actor)
    {
        Watch(actor);
        actor.Tell(PoisonPill.Instance);
        await ExpectTerminatedAsync(actor);
    }

    [Fact]
    public async Task Refuses_a_registration_past_the_limit_as_a_whole_and_keeps_known_series_free()
    {
        var directory = CreateTestProbe();
        var host = Sys.ActorOf(HostActor.Props("web-1", maxSeries: 3, directory));

        Assert.Equal(new SeriesRegistration(true, 0, 3, 2, New: 2), await host.Ask<SeriesRegistration>(new CheckSeries("web-1", ["a", "b"])));
        Assert.Equal(new SeriesRegistration(true, 2, 3, 2), await host.Ask<SeriesRegistration>(new RegisterSeries("web-1", ["a", "b"])));
        directory.ExpectMsg(new AddHost("web-1")); // the first series puts the host in the directory
        Assert.Equal(new SeriesRegistration(false, 2, 3, 2), await host.Ask<SeriesRegistration>(new RegisterSeries("web-1", ["c", "d"])));
        // Known series never count against the limit; one new one still fits.
        Assert.True((await host.Ask<SeriesRegistration>(new RegisterSeries("web-1", ["a", "b", "c"]))).Accepted);
        var view = await host.Ask<HostView>(new GetHost("web-1"));
        Assert.Equal(["a", "b", "c"], view.Series.Select(s => s.Metric));

        // A check answers as a registration would, and registers nothing.
        Assert.Equal(new SeriesRegistration(false, 3, 3, 1), await host.Ask<SeriesRegistration>(new CheckSeries("web-1", ["d"])));
        Assert.Equal(new SeriesRegistration(true, 3, 3, 2), await host.Ask<SeriesRegistration>(new CheckSeries("web-1", ["a", "b"])));
        Assert.Equal(["a", "b", "c"], (await host.Ask<HostView>(new GetHost("web-1"))).Series.Select(s => s.Metric));
    }

    [Fact]
    public async Task Newer_latest_values_win_and_series_survive_a_restart()
    {
        var directory = CreateTestProbe();
        var host = Sys.ActorOf(HostActor.Props("db-1", 100, directory));
        await host.Ask<SeriesRegistration>(new RegisterSeries("db-1", ["cpu.usage", "memory.usage"]));
        host.Tell(new RecordLatest("db-1", ["cpu.usage"], [1000], [42.5]));
        host.Tell(new RecordLatest("db-1", ["cpu.usage"], [500], [1])); // older than what it has: ignored
        var live = await host.Ask<HostView>(new GetHost("db-1"));
        Assert.Equal(new SeriesLatest("cpu.usage", 1000, 42.5), live.Series[0]);
        await StopAsync(host);

        var restarted = Sys.ActorOf(HostActor.Props("db-1", 100, directory));
        var view = await restarted.Ask<HostView>(new GetHost("db-1"));
        Assert.Equal(["cpu.usage", "memory.usage"], view.Series.Select(s => s.Metric));
        // A recovered host reminds the directory of itself (covers a crash between its first series and the directory).
        directory.FishForMessage(m => m is AddHost { Host: "db-1" });
    }

    [Fact]
    public async Task An_unknown_host_answers_not_found()
    {
        var host = Sys.ActorOf(HostActor.Props("nobody", 10, CreateTestProbe()));
        Assert.IsType<HostNotFound>(await host.Ask<object>(new GetHost("nobody")));
    }

    void IDisposable.Dispose() => _db.Dispose();
}

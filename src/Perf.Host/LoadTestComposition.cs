using Akka.Cluster.Hosting;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Perf.Actors.Configuration;
using Perf.Actors.Ingestion;
using Perf.Actors.LoadTesting;

namespace Perf.Host;

/// <summary>The load tests singleton of a worker (<see cref="LoadTests"/>), kept out of <see cref="PerfNodeExtensions"/>.</summary>
public static class LoadTestComposition
{
    private static readonly IngestOrigin LoadTestOrigin = new("loadtest", "loadtest");

    /// <summary>After the shard regions: the tests write their series through the node's own ingestion pipeline (the one
    /// the API uses: an actor system has one, and a test's points get the same queue, limits and acknowledgements).</summary>
    public static AkkaConfigurationBuilder WithLoadTests(this AkkaConfigurationBuilder builder, PerfSettings settings, TimeProvider clock,
        ClusterSingletonOptions workers, IServiceProvider provider) =>
        builder.WithSingleton<LoadTestsKey>("loadtests", (_, registry, _) => LoadTests.Props(settings.LoadTest,
                batch => provider.GetRequiredService<PerfEngine>().Ingestion.SubmitAsync(batch, LoadTestOrigin),
                new LoadTestProfiler(registry.Get<HostRegion>(), registry.Get<HostRegion>(), () => registry.Get<AnalysisKey>()), clock),
            workers);
}

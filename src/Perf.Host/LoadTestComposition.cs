using Akka.Cluster.Hosting;
using Akka.Hosting;
using Perf.Actors.Configuration;
using Perf.Actors.Ingestion;
using Perf.Actors.LoadTesting;

namespace Perf.Host;

/// <summary>The load tests singleton of a worker (<see cref="LoadTests"/>), kept out of <see cref="PerfNodeExtensions"/>.</summary>
public static class LoadTestComposition
{
    /// <summary>After the shard regions: the tests write their series through an ingestion pipeline over the series region.</summary>
    public static AkkaConfigurationBuilder WithLoadTests(this AkkaConfigurationBuilder builder, PerfSettings settings, TimeProvider clock,
        ClusterSingletonOptions workers)
    {
        // One pipeline per node for every test, made when a singleton first starts here (the singleton may move back and forth).
        IngestionPipeline? pipeline = null;
        return builder.WithSingleton<LoadTestsKey>("loadtests", (system, registry, _) =>
        {
            var series = registry.Get<SeriesRegion>();
            var hosts = registry.Get<HostRegion>();
            pipeline ??= new IngestionPipeline(system, series, hosts, settings.Engine.Ingest);
            var ingest = pipeline;
            return LoadTests.Props(settings.LoadTest, batch => ingest.SubmitAsync(batch),
                new LoadTestProfiler(series, hosts, () => registry.Get<AnalysisKey>()), clock);
        }, workers);
    }
}

using Microsoft.Extensions.Hosting;
using Perf.Actors.Configuration;
using Perf.Host;

// A worker node of a Perf cluster (role worker, no HTTP API): `dotnet run --project src/Perf.Host -- --data-dir DIR`
// with perf.storage.provider = postgresql and perf.cluster.seed_nodes set (README, "Running a cluster"). Embedded mode is
// `dotnet run --project src/Perf.Api`.
try
{
    var dataDir = args.SkipWhile(a => a != "--data-dir").Skip(1).FirstOrDefault();
    var (config, settings) = PerfConfiguration.Load(dataDir, programDefaults: "perf.cluster.roles = [worker]");
    var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(args);
    builder.Services.AddPerfNode(config, settings);
    await builder.Build().RunAsync();
    return 0;
}
catch (PerfConfigurationException e)
{
    await Console.Error.WriteLineAsync(e.Message);
    return 2;
}

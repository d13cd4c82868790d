using Microsoft.Extensions.Hosting;
using Perf.Actors.Configuration;
using Perf.Host;

// A worker node of a Perf cluster (role worker, no HTTP API): `dotnet run --project src/Perf.Host -- --data-dir DIR [--config FILE.yaml]`
// with perf.storage.provider = postgresql and perf.cluster.seed_nodes set (README, "Running a cluster"). Embedded mode is
// `dotnet run --project src/Perf.Api`.
try
{
    var arguments = NodeArguments.Parse(args, withUrls: false);
    var (config, settings) = PerfConfiguration.Load(arguments.DataDirectory, programDefaults: "perf.cluster.roles = [worker]", configFile: arguments.ConfigFile);
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

using Microsoft.Extensions.Hosting;
using Perf.Actors.Configuration;
using Perf.Host;

// A worker node without the HTTP API (cluster mode grows from here; embedded mode is `dotnet run --project src/Perf.Api`).
try
{
    var dataDir = args.SkipWhile(a => a != "--data-dir").Skip(1).FirstOrDefault();
    var (config, settings) = PerfConfiguration.Load(dataDir);
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

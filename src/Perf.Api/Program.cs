using OpenTelemetry.Metrics;
using Perf.Actors.Configuration;
using Perf.Api.Agents;
using Perf.Api.Dashboard;
using Perf.Actors.Telemetry;
using Perf.Api.Endpoints;
using Perf.Api.Hosting;
using Perf.Api.Http;
using Perf.Actors.Security;
using Perf.Api.Ingest;
using Perf.Api.Security;
using Perf.Host;

// One Perf node with its HTTP API: `dotnet run --project src/Perf.Api [--urls URL] [--data-dir DIR] [--config FILE.yaml]`.
// Its settings files (appsettings.json: log levels) sit next to the binaries, wherever the node is started from;
// without them every request would be logged several times over.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
(Akka.Configuration.Config Config, PerfSettings Settings) loaded;
NodeArguments arguments;
try
{
    arguments = NodeArguments.Parse(args, withUrls: true);
    loaded = PerfConfiguration.Load(arguments.DataDirectory, configFile: arguments.ConfigFile);
}
catch (PerfConfigurationException e)
{
    await Console.Error.WriteLineAsync(e.Message);
    return 2;
}
var settings = loaded.Settings;

var urls = builder.Configuration["urls"] is { Length: > 0 } given ? given : builder.Configuration["ASPNETCORE_URLS"];
if (string.IsNullOrEmpty(urls)) builder.WebHost.UseUrls(urls = "http://127.0.0.1:5080");
// Before the engine touches the data directory: a node that cannot listen must not start (nor mint a first admin key).
if (ListenAddresses.FirstInUse(urls) is { } taken)
{
    await Console.Error.WriteLineAsync(AddressInUse(taken));
    return 2;
}
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = settings.Engine.Ingest.MaxBodyBytes);
builder.Services.ConfigureHttpJsonOptions(json => ApiJson.Configure(json.SerializerOptions));
builder.Services.AddProblemDetails();
try
{
    builder.Services.AddPerfNode(loaded.Config, settings);
}
catch (IOException e) // another node holds the data directory (DataDirectoryLock)
{
    await Console.Error.WriteLineAsync(e.Message);
    return 2;
}
builder.Services.AddPerfSecurity(settings.Security);
builder.Services.AddSingleton(provider => new MetricsDocumentParser(
    provider.GetRequiredService<TimeProvider>(), settings.Engine.Ingest.MaxFutureSkew, settings.Performance.RetentionPeriod));
builder.Services.AddSingleton<DashboardOverview>();
builder.Services.AddSingleton(new EffectiveConfiguration(loaded.Config, arguments.ConfigFile ?? Environment.GetEnvironmentVariable("PERF_CONFIG")));
builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddMeter(PerfMetrics.MeterName).AddPrometheusExporter());

var app = builder.Build();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseDashboardFiles(); // the web UI at / (src/Perf.Api/wwwroot)
app.UsePerfSecurity();
app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(15) });
var scrape = app.MapPrometheusScrapingEndpoint("/metrics");
if (settings.Security.PublicMetrics) scrape.AllowAnonymous();
else scrape.RequireArea(Area.Read);
app.MapHealthEndpoints();
app.MapIngestEndpoints();
app.MapAgentEndpoints(); // Prometheus remote write, InfluxDB line protocol, OTLP (src/Perf.Api/Agents)
app.MapPerformanceQueryEndpoints();
app.MapHostEndpoints();
app.MapSeriesEndpoints();
app.MapAlertEndpoints();
app.MapAlertStreamEndpoints();
app.MapSilenceEndpoints();
app.MapNotificationEndpoints();
app.MapAnalysisEndpoints();
app.MapOptimizationEndpoints();
app.MapReportEndpoints();
app.MapLoadTestEndpoints();
app.MapAdminEndpoints();
app.MapBackupEndpoints();
app.MapClusterEndpoints();
app.MapDashboardEndpoints();
app.MapSystemEndpoints();
app.VerifyEveryEndpointIsGuarded();
try
{
    await app.RunAsync();
}
catch (IOException e) when (e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
{
    // Taken between the check above and Kestrel's bind.
    await Console.Error.WriteLineAsync(AddressInUse(e.Message));
    return 2;
}
return 0;

static string AddressInUse(string url) =>
    $"perf: cannot listen on {url}: address already in use. Stop what uses it, or choose another with --urls (or ASPNETCORE_URLS).";

/// <summary>Entry point, visible to the API tests.</summary>
public partial class Program;

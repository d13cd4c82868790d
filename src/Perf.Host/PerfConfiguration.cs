using System.Collections;
using Akka.Configuration;
using Perf.Actors.Configuration;

namespace Perf.Host;

/// <summary>
/// Loads the node's configuration: <c>hocon/perf.conf</c> and <c>hocon/akka.conf</c> shipped beside the binaries, then
/// the YAML file of <c>--config</c> or <c>PERF_CONFIG</c> (<see cref="YamlConfigFile"/>), then environment overrides
/// (<c>PERF_SECTION__KEY=value</c>, e.g. <c>PERF_PERFORMANCE__RETENTION_PERIOD=7d</c>), then <c>PERF_ADMIN_KEY</c> and
/// the data directory from <c>--data-dir</c> or <c>PERF_DATA_DIR</c>: file &lt; environment &lt; command line.
/// Validates everything before the node starts.
/// </summary>
public static class PerfConfiguration
{
    public const string EnvironmentPrefix = "PERF_";

    /// <param name="programDefaults">HOCON of the program being started, above the files and below the environment
    /// (Perf.Host: <c>perf.cluster.roles = [worker]</c>).</param>
    /// <param name="configFile">the YAML configuration file (<c>--config</c>); null: <c>PERF_CONFIG</c>, if set.</param>
    public static (Config Config, PerfSettings Settings) Load(string? dataDirectory = null, IDictionary? environment = null, string? hoconDirectory = null,
        string? programDefaults = null, string? configFile = null)
    {
        hoconDirectory ??= Path.Combine(AppContext.BaseDirectory, "hocon");
        environment ??= Environment.GetEnvironmentVariables();
        Config files = ConfigurationFactory.ParseString(File.ReadAllText(Path.Combine(hoconDirectory, "perf.conf")))
            .WithFallback(ConfigurationFactory.ParseString(File.ReadAllText(Path.Combine(hoconDirectory, "akka.conf"))));
        if (programDefaults is not null) files = ConfigurationFactory.ParseString(programDefaults).WithFallback(files);
        configFile ??= environment["PERF_CONFIG"] as string;
        if (!string.IsNullOrWhiteSpace(configFile) && YamlConfigFile.ToHocon(configFile, files) is { Length: > 0 } fromFile)
            files = ConfigurationFactory.ParseString(fromFile).WithFallback(files);

        var overrides = new List<string>();
        foreach (DictionaryEntry entry in environment)
        {
            var name = (string)entry.Key;
            if (!name.StartsWith(EnvironmentPrefix, StringComparison.Ordinal) || !name.Contains("__", StringComparison.Ordinal)) continue;
            var key = name[EnvironmentPrefix.Length..].ToLowerInvariant().Replace("__", ".", StringComparison.Ordinal);
            overrides.Add($"{key} = {Quote(entry.Value as string ?? "")}");
        }
        // The first admin key, by the name operators expect (it has no section, so the rule above does not map it).
        if (environment["PERF_ADMIN_KEY"] is string adminKey && adminKey.Length > 0) overrides.Add($"perf.security.admin_key = {Quote(adminKey)}");
        var dataDir = dataDirectory ?? environment["PERF_DATA_DIR"] as string;
        if (!string.IsNullOrWhiteSpace(dataDir)) overrides.Add($"perf.storage.data_dir = {Quote(dataDir)}");

        var config = overrides.Count == 0 ? files : ConfigurationFactory.ParseString(string.Join('\n', overrides)).WithFallback(files);
        var settings = PerfSettings.FromConfig(config);
        _ = Notifications.NotificationChannelSettings.ReadAll(new ConfigReader(config)); // a bad channel stops start-up too
        return (config, settings);
    }

    // An environment value that is a HOCON list ("[a, b]") stays one.
    private static string Quote(string value) => value.StartsWith('[') ? value : QuoteString(value);

    /// <summary>A HOCON string of <paramref name="value"/>, whatever it holds.</summary>
    internal static string QuoteString(string value) =>
        "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}

using Akka.Configuration;
using Akka.Configuration.Hocon;

namespace Perf.Host;

/// <summary>
/// The configuration a node runs with, as an administrator may see it (<c>GET /api/v1/admin/config</c>, the product
/// document's "configuration access"): every key of the sections Perf owns with its effective value, after the YAML
/// file, the environment and the command line, with secrets masked.
/// </summary>
public sealed class EffectiveConfiguration(Config config, string? file)
{
    private const string Masked = "***";
    private static readonly string[] Sections = ["performance", "monitoring", "optimization", "perf"];

    // Keys whose value grants access: shown only as set or not.
    private static readonly string[] SecretNames = ["admin_key", "secret", "password", "connection_string"];

    /// <summary>The YAML file the node was started with (<c>--config</c>, <c>PERF_CONFIG</c>), or null.</summary>
    public string? File { get; } = file;

    /// <summary>Every key by its full name, in order; lists as lists, everything else as written.</summary>
    public SortedDictionary<string, object> Settings()
    {
        var settings = new SortedDictionary<string, object>(StringComparer.Ordinal);
        foreach (var section in Sections.Where(config.HasPath)) Add(section, config.GetConfig(section), settings);
        return settings;
    }

    private static void Add(string prefix, Config section, SortedDictionary<string, object> settings)
    {
        foreach (var (key, value) in section.AsEnumerable())
        {
            var name = $"{prefix}.{key}";
            if (value.IsObject()) Add(name, section.GetConfig(key), settings);
            else settings[name] = value.IsArray() ? value.GetArray().Select(v => v.GetString()).ToArray() : Mask(name, value.GetString() ?? "");
        }
    }

    private static string Mask(string key, string value)
    {
        var last = key[(key.LastIndexOf('.') + 1)..];
        if (value.Length == 0) return value;
        if (SecretNames.Contains(last)) return Masked;
        // A notification channel's URL may carry its token (a Slack webhook's path): the address stays, the rest goes.
        if (last == "url" && key.StartsWith("perf.notifications.channels.", StringComparison.Ordinal) && Uri.TryCreate(value, UriKind.Absolute, out var url)
            && (url.PathAndQuery.Length > 1 || url.UserInfo.Length > 0))
            return $"{url.Scheme}://{url.Authority}/{Masked}";
        return value;
    }
}

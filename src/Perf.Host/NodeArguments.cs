using Perf.Actors.Configuration;

namespace Perf.Host;

/// <summary>
/// The command line of a node: <c>--urls URL</c> (the API node only), <c>--data-dir DIR</c> and <c>--config FILE.yaml</c>,
/// each as <c>--name value</c> or <c>--name=value</c>. Anything else stops start-up naming it: a mistyped flag must not
/// start a node on defaults.
/// </summary>
public sealed record NodeArguments(string? Urls, string? DataDirectory, string? ConfigFile)
{
    /// <param name="withUrls">whether the program listens for HTTP (Perf.Api) and so takes <c>--urls</c>.</param>
    /// <exception cref="PerfConfigurationException">an unknown flag, or a flag without its value.</exception>
    public static NodeArguments Parse(IReadOnlyList<string> args, bool withUrls)
    {
        string[] known = withUrls ? ["--urls", "--data-dir", "--config"] : ["--data-dir", "--config"];
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var (flag, value) = args[i].Split('=', 2) is [var name, var inline] ? (name, inline) : (args[i], null);
            if (!known.Contains(flag))
                throw new PerfConfigurationException(flag, $"is not an option of this program (it takes {string.Join(", ", known)})");
            value ??= i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : null;
            if (string.IsNullOrWhiteSpace(value)) throw new PerfConfigurationException(flag, "needs a value");
            values[flag] = value;
        }
        return new NodeArguments(values.GetValueOrDefault("--urls"), values.GetValueOrDefault("--data-dir"), values.GetValueOrDefault("--config"));
    }
}

using System.Text;
using Akka.Configuration;
using Perf.Actors.Configuration;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Perf.Host;

/// <summary>
/// A configuration file in the product document's YAML (<c>--config FILE</c> or <c>PERF_CONFIG</c>): its
/// <c>performance</c>, <c>monitoring</c> and <c>optimization</c> sections exactly as written there, and any <c>perf.*</c>
/// key, nested or dotted (<c>perf: {ingest: {max_series_per_host: 500}}</c> or <c>perf.ingest.max_series_per_host: 500</c>).
/// It becomes HOCON overrides of the shipped <c>hocon/perf.conf</c>, read like the environment's (values as strings,
/// lists as lists), so the same readers check every value's form and name its key when it is wrong.
/// <para>
/// A key the shipped configuration does not have stops start-up, naming it and its line: a typo must not leave a default
/// silently in force. Sections whose keys are the operator's own names are open: thresholds per metric, notification
/// channels, detector families and options.
/// </para>
/// </summary>
public static class YamlConfigFile
{
    private static readonly string[] Sections = ["performance", "monitoring", "optimization", "perf"];

    private static readonly string[] OpenSections =
    [
        "monitoring.thresholds.", "perf.notifications.channels.", "perf.detection.families.", "perf.detection.options.",
    ];

    /// <summary>The file's settings as HOCON overrides of <paramref name="reference"/>, the shipped configuration.</summary>
    /// <exception cref="PerfConfigurationException">the file cannot be read, or names a key or form the node does not know.</exception>
    public static string ToHocon(string path, Config reference)
    {
        YamlStream yaml = [];
        try
        {
            using var reader = new StreamReader(path);
            yaml.Load(reader);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PerfConfigurationException("--config", $"cannot read {path}: {e.Message}");
        }
        catch (YamlException e)
        {
            throw new PerfConfigurationException("--config", $"{path} is not YAML (line {e.Start.Line}): {e.InnerException?.Message ?? e.Message}");
        }
        var hocon = new StringBuilder();
        if (yaml.Documents.Count == 0) return "";
        if (yaml.Documents[0].RootNode is not YamlMappingNode root)
            throw new PerfConfigurationException("--config", $"{path} must be a mapping of sections ({string.Join(", ", Sections)})");
        foreach (var (key, value) in root.Children)
        {
            var name = Name(key, path, "");
            if (!Sections.Contains(name.Split('.')[0]))
                throw Unknown(name, key, path, $"is not a section of the configuration ({string.Join(", ", Sections)})");
            Add(name, value, key, reference, path, hocon);
        }
        return hocon.ToString();
    }

    private static void Add(string key, YamlNode value, YamlNode keyNode, Config reference, string path, StringBuilder hocon)
    {
        var open = OpenSections.Any(s => key.StartsWith(s, StringComparison.Ordinal));
        switch (value)
        {
            case YamlMappingNode mapping:
                if (!open && reference.HasPath(key) && !reference.GetValue(key).IsObject())
                    throw Unknown(key, keyNode, path, "is a value, not a section");
                foreach (var (childKey, child) in mapping.Children) Add(Name(childKey, path, key + "."), child, childKey, reference, path, hocon);
                break;
            case YamlScalarNode scalar when scalar.Value is null or "" && scalar.Style == ScalarStyle.Plain:
                throw Unknown(key, keyNode, path, "has no value");
            case YamlScalarNode scalar:
                Known(key, keyNode, reference, path, open);
                hocon.Append(key).Append(" = ").Append(PerfConfiguration.QuoteString(scalar.Value!)).Append('\n');
                break;
            case YamlSequenceNode sequence:
                Known(key, keyNode, reference, path, open);
                var items = sequence.Children.Select(item => item is YamlScalarNode { Value: { } text }
                    ? PerfConfiguration.QuoteString(text)
                    : throw Unknown(key, item, path, "must be a list of plain values"));
                hocon.Append(key).Append(" = [").Append(string.Join(", ", items)).Append("]\n");
                break;
        }
    }

    private static void Known(string key, YamlNode keyNode, Config reference, string path, bool open)
    {
        if (open) return;
        if (!reference.HasPath(key)) throw Unknown(key, keyNode, path, "is not a setting of Perf (README, \"Configuration\" lists them)");
        if (reference.GetValue(key).IsObject()) throw Unknown(key, keyNode, path, "is a section, not a value");
    }

    private static string Name(YamlNode key, string path, string prefix) => key is YamlScalarNode { Value: { Length: > 0 } name }
        ? prefix + name
        : throw new PerfConfigurationException("--config", $"{path} line {key.Start.Line}: a key must be a plain name");

    private static PerfConfigurationException Unknown(string key, YamlNode node, string path, string problem) =>
        new(key, $"{problem} ({path}, line {node.Start.Line})");
}

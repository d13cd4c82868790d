namespace Perf.Actors.Configuration;

/// <summary>An invalid configuration value; start-up stops with this message, which names the key.</summary>
public sealed class PerfConfigurationException(string key, string problem)
    : Exception($"Invalid configuration '{key}': {problem}")
{
    public string Key { get; } = key;
}

using Perf.Actors.Security;

namespace Perf.Actors.Configuration;

/// <summary>
/// <c>perf.loadtest</c>: where load tests may aim (<see cref="AllowedTargets"/>: host patterns, '*' for any characters),
/// how much each role may send, and the limits every test runs under.
/// </summary>
/// <param name="MaxRunning">tests running at once on the cluster; more are refused (each holds connections and a stream).</param>
/// <param name="MaxInFlight">requests in flight at most in a rate test, so a slow target cannot pile up sockets.</param>
/// <param name="RequestTimeout">one request's limit; a request past it counts as a timeout error.</param>
public sealed record LoadTestSettings(
    IReadOnlyList<string> AllowedTargets, int MaxRunning, int MaxInFlight, TimeSpan RequestTimeout, LoadTestCaps Operator, LoadTestCaps Admin)
{
    /// <summary>The caps of <paramref name="role"/>; null for a role that may not run load tests.</summary>
    public LoadTestCaps? CapsOf(Role role) => role switch
    {
        Role.Admin => Admin,
        Role.Operator => Operator,
        _ => null,
    };

    /// <summary>Whether <paramref name="host"/> (a URL's host, IPv6 in brackets) matches one of the allowed patterns, case ignored.</summary>
    public bool Allows(string host) => AllowedTargets.Any(pattern => new MetricPattern(pattern).Matches(host));

    public static LoadTestSettings Read(ConfigReader config)
    {
        var targets = config.StringList("perf.loadtest.allowed_targets");
        if (targets.Any(string.IsNullOrWhiteSpace))
            throw new PerfConfigurationException("perf.loadtest.allowed_targets", "holds an empty pattern");
        return new LoadTestSettings(
            targets,
            config.Int("perf.loadtest.max_running", 1, 100),
            config.Int("perf.loadtest.max_in_flight", 1, 100_000),
            config.Duration("perf.loadtest.request_timeout", TimeSpan.FromMilliseconds(10)),
            LoadTestCaps.Read(config, "operator"),
            LoadTestCaps.Read(config, "admin"));
    }
}

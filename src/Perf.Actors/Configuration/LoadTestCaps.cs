namespace Perf.Actors.Configuration;

/// <summary>What one role may ask of a load test (<c>perf.loadtest.{operator,admin}</c>).</summary>
/// <param name="MaxRate">requests per second at most (rate tests).</param>
/// <param name="MaxConcurrency">requests in flight at most (concurrency tests).</param>
/// <param name="MaxDuration">longest test, ramp included.</param>
public sealed record LoadTestCaps(int MaxRate, int MaxConcurrency, TimeSpan MaxDuration)
{
    public static LoadTestCaps Read(ConfigReader config, string role) => new(
        config.Int($"perf.loadtest.{role}.max_rate", 1, 1_000_000),
        config.Int($"perf.loadtest.{role}.max_concurrency", 1, 100_000),
        config.Duration($"perf.loadtest.{role}.max_duration", TimeSpan.FromSeconds(1)));
}

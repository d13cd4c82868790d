using Perf.Actors.Security;

namespace Perf.Actors.Configuration;

/// <summary>
/// <c>perf.security</c>: who gets in (API keys, JWT), how much they may send (rate limit, body size, time), and whether
/// <c>/metrics</c> is open to scrapers without a key.
/// </summary>
/// <param name="AdminKey">An admin key from configuration or <c>PERF_ADMIN_KEY</c>; null: the key book creates one.</param>
/// <param name="UnauthenticatedRateLimit">Requests answered 401, per client address: low, so that guessing keys is slow
/// (no valid caller needs more than a few such requests); past it the address is refused before its key is checked.</param>
/// <param name="MaxRequestBytes">Largest body of the API's non-ingest endpoints (ingest has perf.ingest.max_body_bytes).</param>
public sealed record SecuritySettings(
    string? AdminKey,
    JwtSettings Jwt,
    KeyRateLimit RateLimit,
    KeyRateLimit UnauthenticatedRateLimit,
    long MaxRequestBytes,
    TimeSpan RequestTimeout,
    bool PublicMetrics)
{
    /// <summary>Shortest admin key accepted from configuration: a short shared secret is guessable.</summary>
    public const int MinAdminKeyLength = 24;

    public static SecuritySettings Read(ConfigReader config)
    {
        var adminKey = config.OptionalString("perf.security.admin_key");
        if (adminKey is { Length: < MinAdminKeyLength })
            throw new PerfConfigurationException("perf.security.admin_key", $"is shorter than {MinAdminKeyLength} characters (PERF_ADMIN_KEY sets it too)");
        return new SecuritySettings(
            adminKey,
            JwtSettings.Read(config),
            new KeyRateLimit(
                config.Int("perf.security.rate_limit.requests_per_second", 1),
                config.Int("perf.security.rate_limit.burst", 1)),
            new KeyRateLimit(
                config.Int("perf.security.rate_limit.unauthenticated_requests_per_second", 1),
                config.Int("perf.security.rate_limit.unauthenticated_burst", 1)),
            config.Bytes("perf.security.max_request_bytes", 1024),
            config.Duration("perf.security.request_timeout", TimeSpan.FromSeconds(1)),
            config.Bool("perf.security.public_metrics"));
    }
}

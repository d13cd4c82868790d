namespace Perf.Api.Tests.Infrastructure;

/// <summary>One node with the default configuration, shared by a test class.</summary>
public sealed class DefaultNode : IAsyncLifetime
{
    public PerfNodeProcess Node { get; } = new();
    public HttpClient Client => Node.Client;
    public ValueTask InitializeAsync() => new(Node.StartAsync());
    public ValueTask DisposeAsync() => Node.DisposeAsync();
}

/// <summary>A node with tight limits, to exercise the guards: small bodies, few series per host, a tiny in-flight budget,
/// and fast passivation.</summary>
public sealed class LimitedNode : IAsyncLifetime
{
    public const int MaxSeriesPerHost = 5;
    public const int MaxBodyBytes = 64 * 1024;
    public const int MaxInFlightPoints = 4;

    public PerfNodeProcess Node { get; } = new(new Dictionary<string, string>
    {
        ["PERF_PERF__INGEST__MAX_SERIES_PER_HOST"] = MaxSeriesPerHost.ToString(),
        ["PERF_PERF__INGEST__MAX_BODY_BYTES"] = "64KB",
        ["PERF_PERF__INGEST__MAX_INFLIGHT_POINTS"] = MaxInFlightPoints.ToString(),
        ["PERF_PERF__SERIES__PASSIVATE_AFTER"] = "1s",
    });

    public HttpClient Client => Node.Client;
    public ValueTask InitializeAsync() => new(Node.StartAsync());
    public ValueTask DisposeAsync() => Node.DisposeAsync();
}

/// <summary>
/// A node for the security tests: JWT (HS256) accepted beside API keys, and the access log on, so tests can read it.
/// </summary>
public sealed class SecuredNode : IAsyncLifetime
{
    public const string JwtSecret = "a-test-secret-for-hs256-tokens-0123456789";
    public const string JwtIssuer = "https://login.perf.test";
    public const string JwtAudience = "perf-api";

    public PerfNodeProcess Node { get; } = new(new Dictionary<string, string>
    {
        ["PERF_PERF__SECURITY__JWT__ENABLED"] = "true",
        ["PERF_PERF__SECURITY__JWT__SECRET"] = JwtSecret,
        ["PERF_PERF__SECURITY__JWT__ISSUER"] = JwtIssuer,
        ["PERF_PERF__SECURITY__JWT__AUDIENCE"] = JwtAudience,
        ["PERF_PERF__SECURITY__MAX_REQUEST_BYTES"] = "64KB",
        ["Logging__LogLevel__Perf.Access"] = "Information",
        // The access tests send every endpoint without valid credentials, hundreds of requests from one address: the
        // low unauthenticated limit (RequestLimitsTests has its own node for it) would answer 429 before the 401 they check.
        ["PERF_PERF__SECURITY__RATE_LIMIT__UNAUTHENTICATED_REQUESTS_PER_SECOND"] = "100000",
        ["PERF_PERF__SECURITY__RATE_LIMIT__UNAUTHENTICATED_BURST"] = "100000",
    });

    public HttpClient Client => Node.Client;
    public ValueTask InitializeAsync() => new(Node.StartAsync());
    public ValueTask DisposeAsync() => Node.DisposeAsync();
}

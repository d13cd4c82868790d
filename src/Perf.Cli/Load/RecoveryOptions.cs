namespace Perf.Cli.Load;

/// <summary>Settings of one <c>perf bench recovery</c> run.</summary>
public sealed record RecoveryOptions
{
    public required Uri BaseUrl { get; init; }

    public int Hosts { get; init; } = 100;

    public int Metrics { get; init; } = 10;

    public int Concurrency { get; init; } = 32;

    /// <summary>Ask each host once for all its series (<c>GET /api/v1/hosts/{host}</c>) instead of each series for its
    /// state: what a restart costs the hosts, without 100 HTTP requests a host on top.</summary>
    public bool ByHost { get; init; }

    /// <summary>Give up on the series that have not answered 200 by then.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(300);

    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Wait before asking again after a 503, a 429 without Retry-After, or a connection error.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(250);

    public int SeriesCount => Hosts * Metrics;
}

namespace Perf.Cli.Load;

/// <summary>Settings of one <c>perf bench ingest</c> run.</summary>
public sealed record IngestOptions
{
    public required Uri BaseUrl { get; init; }

    public int Hosts { get; init; } = 100;

    public int Metrics { get; init; } = 10;

    /// <summary>Target points (samples) per second over all workers; 0 = as fast as possible.</summary>
    public double PointsPerSecond { get; init; }

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(30);

    public int BatchPoints { get; init; } = 1000;

    public int Concurrency { get; init; } = 16;

    /// <summary>Stop after this many points were handed out; 0 = only the duration limits the run.</summary>
    public long MaxPoints { get; init; }

    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Wait used after a 429 that carries no usable Retry-After header.</summary>
    public TimeSpan DefaultRetryAfter { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Pause of a worker after a failed request, so a dead server is not hammered in a tight loop.</summary>
    public TimeSpan ErrorBackoff { get; init; } = TimeSpan.FromMilliseconds(200);

    public int SeriesCount => Hosts * Metrics;
}

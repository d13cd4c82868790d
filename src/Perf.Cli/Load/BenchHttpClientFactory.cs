namespace Perf.Cli.Load;

/// <summary>Builds the HttpClient the benchmarks share: one connection per worker, no proxy, optional API key.</summary>
public static class BenchHttpClientFactory
{
    public const string DefaultApiKeyHeader = "X-API-Key";

    public static HttpClient Create(Uri baseUrl, int maxConnections, string? apiKey,
        string apiKeyHeader = DefaultApiKeyHeader)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = Math.Max(1, maxConnections),
            // A proxy from the environment would measure the proxy, and loopback targets never need one.
            UseProxy = false,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(2),
            ConnectTimeout = TimeSpan.FromSeconds(10),
        };
        var client = new HttpClient(handler, disposeHandler: true)
        {
            BaseAddress = WithTrailingSlash(baseUrl),
            // Each request carries its own deadline (the driver's request timeout), so none here.
            Timeout = Timeout.InfiniteTimeSpan,
        };
        if (!string.IsNullOrEmpty(apiKey))
        {
            client.DefaultRequestHeaders.TryAddWithoutValidation(apiKeyHeader, apiKey);
        }

        return client;
    }

    /// <summary>Relative paths resolve under the base only if it ends with '/': keeps a path prefix such as /perf/.</summary>
    public static Uri WithTrailingSlash(Uri baseUrl) =>
        baseUrl.AbsoluteUri.EndsWith('/') ? baseUrl : new Uri(baseUrl.AbsoluteUri + "/");
}

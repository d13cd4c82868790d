namespace Perf.Cli.Metrics;

/// <summary>
/// Asks the engine for its resident memory and active series via its Prometheus endpoint, or reads the
/// resident memory of a local process from /proc when a PID is given (useful when the engine's own gauge is
/// missing or when comparing with another process).
/// </summary>
public sealed class EngineFootprintProbe(HttpClient http, Uri metricsUrl, int? processId)
{
    public const string ResidentMemoryGauge = "perf_process_resident_memory_bytes";
    public const string ActiveSeriesGauge = "perf_series_active";

    public async Task<EngineFootprint> ReadAsync(CancellationToken cancellationToken)
    {
        var exposition = await TryGetExpositionAsync(cancellationToken).ConfigureAwait(false);
        var residentFromEngine = exposition is null
            ? null
            : PrometheusTextParser.FindGaugeValue(exposition, ResidentMemoryGauge);
        var activeSeries = exposition is null
            ? null
            : PrometheusTextParser.FindGaugeValue(exposition, ActiveSeriesGauge);

        var residentBytes = processId is { } pid
            ? ProcessStatusReader.ReadResidentBytes(pid)
            : ToLong(residentFromEngine);
        return new EngineFootprint(residentBytes, ToLong(activeSeries));
    }

    private async Task<string?> TryGetExpositionAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            using var response = await http.GetAsync(metricsUrl, timeout.Token).ConfigureAwait(false);
            return response.IsSuccessStatusCode
                ? await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false)
                : null;
        }
        catch (Exception exception) when (exception is HttpRequestException or OperationCanceledException)
        {
            // A benchmark result without memory figures is still a result: report null.
            return null;
        }
    }

    private static long? ToLong(double? value) =>
        value is { } number && double.IsFinite(number) ? (long)Math.Round(number) : null;
}

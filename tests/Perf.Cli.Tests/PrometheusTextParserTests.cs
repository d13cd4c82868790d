using Perf.Cli.Metrics;

namespace Perf.Cli.Tests;

public sealed class PrometheusTextParserTests
{
    private const string Exposition = """
        # HELP perf_process_resident_memory_bytes Resident set size of the engine process.
        # TYPE perf_process_resident_memory_bytes gauge
        perf_process_resident_memory_bytes{otel_scope_name="Perf.Host"} 1.2345e+09 1764237600000
        # HELP perf_series_active Series with a live actor.
        # TYPE perf_series_active gauge
        perf_series_active{node="a",note="brace } and \"quote\""} 600
        perf_series_active{node="b"} 400
        # TYPE perf_series_active_total counter
        perf_series_active_total 99
        perf_points_ingested_total{format="json"} 1e3

        perf_weird NaN
        perf_infinite +Inf
        not a sample line
        """;

    [Fact]
    public void Reads_a_gauge_with_labels_exponent_and_timestamp()
    {
        Assert.Equal(1_234_500_000, PrometheusTextParser.FindGaugeValue(Exposition, "perf_process_resident_memory_bytes"));
    }

    [Fact]
    public void Sums_a_gauge_over_its_label_sets_and_ignores_names_that_only_start_the_same()
    {
        Assert.Equal(1000, PrometheusTextParser.FindGaugeValue(Exposition, "perf_series_active"));
    }

    [Fact]
    public void Reads_unlabelled_samples_and_special_values()
    {
        Assert.Equal(99, PrometheusTextParser.FindGaugeValue(Exposition, "perf_series_active_total"));
        Assert.Equal(1000, PrometheusTextParser.FindGaugeValue(Exposition, "perf_points_ingested_total"));
        Assert.True(double.IsNaN(PrometheusTextParser.FindGaugeValue(Exposition, "perf_weird")!.Value));
        Assert.Equal(double.PositiveInfinity, PrometheusTextParser.FindGaugeValue(Exposition, "perf_infinite"));
    }

    [Fact]
    public void A_missing_metric_is_null_not_zero()
    {
        Assert.Null(PrometheusTextParser.FindGaugeValue(Exposition, "perf_does_not_exist"));
        Assert.Null(PrometheusTextParser.FindGaugeValue("", "perf_series_active"));
    }

    [Fact]
    public void Reads_vmrss_from_proc_status()
    {
        const string status = """
            Name:	Perf.Api
            VmPeak:	 3000000 kB
            VmRSS:	  204800 kB
            Threads:	42
            """;

        Assert.Equal(204800L * 1024, ProcessStatusReader.ParseVmRssBytes(status));
        Assert.Null(ProcessStatusReader.ParseVmRssBytes("Name:\tkthreadd\n"));
    }

    [Fact]
    public void Reads_the_resident_memory_of_this_very_process()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var residentBytes = ProcessStatusReader.ReadResidentBytes(Environment.ProcessId);
        Assert.NotNull(residentBytes);
        Assert.True(residentBytes > 1024 * 1024);
    }

    [Fact]
    public void Footprint_per_series_needs_both_figures()
    {
        Assert.Equal(1000, new EngineFootprint(1_000_000, 1000).ResidentBytesPerSeries);
        Assert.Null(new EngineFootprint(1_000_000, null).ResidentBytesPerSeries);
        Assert.Null(new EngineFootprint(null, 1000).ResidentBytesPerSeries);
        Assert.Null(new EngineFootprint(1_000_000, 0).ResidentBytesPerSeries);
    }
}

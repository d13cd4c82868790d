using Perf.Api.Agents;
using Perf.Api.Ingest;
using Perf.Protocols.Otlp.Wire;

namespace Perf.Api.Tests.Agents;

/// <summary>The rate of a cumulative counter across requests, and the time window (no node needed).</summary>
public sealed class OtlpConverterTests
{
    private const ulong Second = 1_000_000_000;
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_795_773_600);
    private static readonly ulong NowNs = (ulong)Now.ToUnixTimeMilliseconds() * 1_000_000;
    private static readonly SampleWindow Window = SampleWindow.At(Now, TimeSpan.FromDays(30), TimeSpan.FromMinutes(10));

    private static ExportMetricsServiceRequest Counter(ulong start, ulong time, long value)
    {
        var metric = new Metric { Name = "requests", Sum = new Sum { IsMonotonic = true, AggregationTemporality = AggregationTemporality.Cumulative } };
        metric.Sum.DataPoints.Add(new NumberDataPoint { StartTimeUnixNano = start, TimeUnixNano = time, AsInt = value });
        var scope = new ScopeMetrics();
        scope.Metrics.Add(metric);
        var resource = new ResourceMetrics { Resource = new Resource() };
        resource.Resource.Attributes.Add(new KeyValue { Key = "host.name", Value = new AnyValue { StringValue = "h" } });
        resource.ScopeMetrics.Add(scope);
        var request = new ExportMetricsServiceRequest();
        request.ResourceMetrics.Add(resource);
        return request;
    }

    private static double OnlyValue(OtlpConversion conversion)
    {
        using var batch = conversion.Batch.Build(new Perf.Actors.Ingestion.SeriesTable());
        Assert.Equal(1, batch.Count);
        Assert.Equal("h/requests.rate", batch.SeriesAt(0).EntityId);
        return batch.ValueAt(0);
    }

    [Fact]
    public void A_cumulative_counter_is_a_rate_since_its_start_then_since_the_previous_point()
    {
        var converter = new OtlpConverter(["host.name"], new CumulativeStreams());
        var start = NowNs - 100 * Second;

        Assert.Equal(1.0, OnlyValue(converter.Convert(Counter(start, NowNs - 40 * Second, 60), Window)));    // 60 over 60 s
        Assert.Equal(3.0, OnlyValue(converter.Convert(Counter(start, NowNs - 10 * Second, 150), Window)));   // 90 more over 30 s
        // A point seen again adds nothing.
        Assert.Equal(0, converter.Convert(Counter(start, NowNs - 10 * Second, 150), Window).Batch.SampleCount);
        // A restarted counter (new start time) starts over from its own start.
        Assert.Equal(2.0, OnlyValue(converter.Convert(Counter(NowNs - 5 * Second, NowNs, 10), Window)));
    }

    [Fact]
    public void Points_outside_the_window_are_refused_with_a_reason()
    {
        var converter = new OtlpConverter(["host.name"], new CumulativeStreams());
        var conversion = converter.Convert(Counter(1, 2 * Second, 5), Window);

        Assert.Equal(1, conversion.Rejected);
        Assert.Contains("retention", Assert.Single(conversion.Reasons), StringComparison.Ordinal);
    }
}

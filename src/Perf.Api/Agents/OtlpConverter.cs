using Perf.Actors.Series;
using System.Globalization;
using Google.Protobuf.Collections;
using Perf.Protocols.Otlp;
using Perf.Protocols.Otlp.Wire;

using Perf.Api.Ingest;

namespace Perf.Api.Agents;

/// <summary>
/// OTLP metrics to Perf samples. The host is the first of <c>perf.protocols.otlp.host_attributes</c> found among the
/// resource's attributes, else among the data point's; the series name is the metric name with the data point's other
/// attributes as labels (resource attributes other than the host are not part of it). By kind:
/// <list type="bullet">
/// <item>gauge, and a sum that is not monotonic (an up-down counter): the value as sent;</item>
/// <item>monotonic sum (a counter): its rate per second, as series <c>{name}.rate</c>. A cumulative point's rate is its
/// increase since the previous point of the same stream this node saw; without one (the first point, after a restart,
/// after a reset) its value divided by the time since its start time, when the value was 0. A delta point's rate is its
/// value over its own interval;</item>
/// <item>histogram and exponential histogram: <c>{name}.count</c> and <c>{name}.sum</c> as sent, and <c>{name}.p50</c>,
/// <c>.p90</c>, <c>.p99</c> estimated from the buckets of the point's own interval (for cumulative points the
/// difference from the previous point, as for rates);</item>
/// <item>summary: <c>{name}.count</c>, <c>{name}.sum</c> and each quantile sent (<c>{name}.p50</c>, <c>.p99</c>, ...).</item>
/// </list>
/// A data point is refused (and counted in <c>partial_success</c>) when its time is missing or outside the storable
/// window, its value is not finite, or its metric has no name; one flagged "no recorded value" is skipped quietly.
/// </summary>
public sealed class OtlpConverter(IReadOnlyList<string> hostAttributes, CumulativeStreams streams)
{
    private readonly IReadOnlyList<string> _hostAttributes = hostAttributes;
    private readonly CumulativeStreams _streams = streams;

    private const int MaxReasons = 10;
    private static readonly double[] Quantiles = [0.5, 0.9, 0.99];

    public OtlpConversion Convert(ExportMetricsServiceRequest request, SampleWindow window)
    {
        var run = new Run(this, window);
        foreach (var resource in request.ResourceMetrics)
        {
            var resourceHost = FindHost(resource.Resource?.Attributes);
            foreach (var scope in resource.ScopeMetrics)
                foreach (var metric in scope.Metrics)
                    run.Take(metric, resourceHost);
        }
        return new OtlpConversion(run.Batch, run.Rejected, run.Reasons);
    }

    private string? FindHost(RepeatedField<KeyValue>? attributes)
    {
        if (attributes is null) return null;
        foreach (var name in _hostAttributes)
            foreach (var attribute in attributes)
                if (attribute.Key == name && Render(attribute.Value) is { Length: > 0 } value) return value;
        return null;
    }

    private static string Render(AnyValue? value) => value?.ValueCase switch
    {
        AnyValue.ValueOneofCase.StringValue => value.StringValue,
        AnyValue.ValueOneofCase.BoolValue => value.BoolValue ? "true" : "false",
        AnyValue.ValueOneofCase.IntValue => value.IntValue.ToString(CultureInfo.InvariantCulture),
        AnyValue.ValueOneofCase.DoubleValue => value.DoubleValue.ToString("R", CultureInfo.InvariantCulture),
        AnyValue.ValueOneofCase.BytesValue => System.Convert.ToBase64String(value.BytesValue.Span),
        AnyValue.ValueOneofCase.ArrayValue => "[" + string.Join(",", value.ArrayValue.Values.Select(Render)) + "]",
        AnyValue.ValueOneofCase.KvlistValue => "{" + string.Join(",", value.KvlistValue.Values.Select(kv => kv.Key + "=" + Render(kv.Value))) + "}",
        _ => "",
    };

    /// <summary>One request's conversion: the batch, the refusals, and where the current data point belongs.</summary>
    private sealed class Run(OtlpConverter owner, SampleWindow window)
    {
        private readonly List<KeyValuePair<string, string>> _labels = [];
        public SampleBatchBuilder Batch { get; } = new();
        public int Rejected { get; private set; }
        public List<string> Reasons { get; } = [];

        public void Take(Metric metric, string? resourceHost)
        {
            switch (metric.DataCase)
            {
                case Metric.DataOneofCase.Gauge:
                    foreach (var point in metric.Gauge.DataPoints)
                        if (Begin(metric, point.Attributes, point.TimeUnixNano, point.Flags, resourceHost) is { } at)
                            Add(at, "", Number(point));
                    break;
                case Metric.DataOneofCase.Sum:
                    foreach (var point in metric.Sum.DataPoints)
                        if (Begin(metric, point.Attributes, point.TimeUnixNano, point.Flags, resourceHost) is { } at)
                        {
                            if (!metric.Sum.IsMonotonic) Add(at, "", Number(point));
                            else Rate(at, point, metric.Sum.AggregationTemporality);
                        }
                    break;
                case Metric.DataOneofCase.Histogram:
                    foreach (var point in metric.Histogram.DataPoints)
                        if (Begin(metric, point.Attributes, point.TimeUnixNano, point.Flags, resourceHost) is { } at)
                            Histogram(at, point, metric.Histogram.AggregationTemporality);
                    break;
                case Metric.DataOneofCase.ExponentialHistogram:
                    foreach (var point in metric.ExponentialHistogram.DataPoints)
                        if (Begin(metric, point.Attributes, point.TimeUnixNano, point.Flags, resourceHost) is { } at)
                            Exponential(at, point, metric.ExponentialHistogram.AggregationTemporality);
                    break;
                case Metric.DataOneofCase.Summary:
                    foreach (var point in metric.Summary.DataPoints)
                        if (Begin(metric, point.Attributes, point.TimeUnixNano, point.Flags, resourceHost) is { } at)
                        {
                            Add(at, ".count", point.Count);
                            Add(at, ".sum", point.Sum);
                            foreach (var quantile in point.QuantileValues)
                                Add(at, ".p" + (quantile.Quantile * 100).ToString("0.###", CultureInfo.InvariantCulture), quantile.Value);
                        }
                    break;
            }
        }

        /// <summary>Where a data point's samples go, or null when it is skipped or refused (counted then).</summary>
        private Point? Begin(Metric metric, RepeatedField<KeyValue> attributes, ulong timeUnixNano, uint flags, string? resourceHost)
        {
            if ((flags & 1) != 0) return null; // DATA_POINT_FLAGS_NO_RECORDED_VALUE_MASK: nothing was measured.
            if (string.IsNullOrEmpty(metric.Name)) return Refuse("a metric has no name");
            if (timeUnixNano == 0) return Refuse($"{metric.Name}: a data point has no time_unix_nano");
            var timestampMs = (long)(timeUnixNano / 1_000_000);
            if (window.Refuse(timestampMs) is { } late) return Refuse($"{metric.Name}: {late}");

            var host = resourceHost;
            string? hostKey = null;
            if (host is null)
                foreach (var name in owner._hostAttributes)
                    if (attributes.FirstOrDefault(a => a.Key == name) is { } found && Render(found.Value) is { Length: > 0 } value)
                    {
                        (host, hostKey) = (value, name);
                        break;
                    }
            _labels.Clear();
            foreach (var attribute in attributes)
                if (attribute.Key != hostKey && attribute.Key.Length > 0 && Render(attribute.Value) is { Length: > 0 } value)
                    _labels.Add(new(attribute.Key, value));
            _labels.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
            var labels = _labels.ToArray();
            if (SeriesName.Labelled(metric.Name, labels).Length > SeriesName.MaxLength - 8)
                return Refuse($"{metric.Name}: the series name with its attributes is longer than {SeriesName.MaxLength} characters");
            return new Point(SeriesNames.Host(host), metric.Name, labels, timestampMs, timeUnixNano);
        }

        private Point? Refuse(string reason)
        {
            Rejected++;
            if (Reasons.Count < MaxReasons) Reasons.Add(reason);
            return null;
        }

        private void Add(Point at, string suffix, double value)
        {
            if (!double.IsFinite(value))
            {
                Refuse($"{at.Name}{suffix}: the value is not a finite number");
                return;
            }
            Batch.Add(at.Host, SeriesName.Labelled(at.Name + suffix, at.Labels), at.TimestampMs, value);
        }

        private void Rate(Point at, NumberDataPoint point, AggregationTemporality temporality)
        {
            var value = Number(point);
            var start = point.StartTimeUnixNano;
            if (temporality == AggregationTemporality.Delta)
            {
                if (start == 0 || start >= point.TimeUnixNano) Refuse($"{at.Name}: a delta sum needs a start time before its time");
                else Add(at, ".rate", value / Seconds(point.TimeUnixNano - start));
                return;
            }
            var series = SeriesName.Labelled(at.Name + ".rate", at.Labels);
            var previous = owner._streams.Get(at.Host, series, start);
            if (previous is not null && previous.TimeUnixNano >= point.TimeUnixNano) return; // seen already
            owner._streams.Set(at.Host, series, start, new CumulativeStreams.Previous(point.TimeUnixNano, value, []));
            if (previous is not null && value >= previous.Value)
                Add(at, ".rate", (value - previous.Value) / Seconds(point.TimeUnixNano - previous.TimeUnixNano));
            else if (start > 0 && start < point.TimeUnixNano)
                Add(at, ".rate", value / Seconds(point.TimeUnixNano - start));
            // else: the first point of a stream without a start time; its rate comes with the next one.
        }

        private void Histogram(Point at, HistogramDataPoint point, AggregationTemporality temporality)
        {
            Add(at, ".count", point.Count);
            if (point.HasSum) Add(at, ".sum", point.Sum);
            if (point.BucketCounts.Count == 0) return;
            if (point.BucketCounts.Count != point.ExplicitBounds.Count + 1)
            {
                Refuse($"{at.Name}: bucket_counts must have one entry more than explicit_bounds");
                return;
            }
            var counts = point.BucketCounts.Select(c => (double)c).ToArray();
            var shape = string.Join(",", point.ExplicitBounds);
            var (interval, whole) = Interval(at, point.StartTimeUnixNano, point.TimeUnixNano, temporality, counts, shape);
            if (interval is null) return;
            double? min = whole && point.HasMin ? point.Min : null, max = whole && point.HasMax ? point.Max : null;
            Quantiles3(at, HistogramQuantiles.Explicit(point.ExplicitBounds, interval, min, max));
        }

        private void Exponential(Point at, ExponentialHistogramDataPoint point, AggregationTemporality temporality)
        {
            Add(at, ".count", point.Count);
            if (point.HasSum) Add(at, ".sum", point.Sum);
            var positive = point.Positive?.BucketCounts ?? [];
            var negative = point.Negative?.BucketCounts ?? [];
            var counts = new double[1 + negative.Count + positive.Count];
            counts[0] = point.ZeroCount;
            for (var i = 0; i < negative.Count; i++) counts[1 + i] = negative[i];
            for (var i = 0; i < positive.Count; i++) counts[1 + negative.Count + i] = positive[i];
            var shape = $"{point.Scale}/{point.Positive?.Offset}/{positive.Count}/{point.Negative?.Offset}/{negative.Count}";
            var (interval, whole) = Interval(at, point.StartTimeUnixNano, point.TimeUnixNano, temporality, counts, shape);
            if (interval is null) return;
            double? min = whole && point.HasMin ? point.Min : null, max = whole && point.HasMax ? point.Max : null;
            Quantiles3(at, HistogramQuantiles.Exponential(point.Scale, point.ZeroThreshold, interval[0],
                point.Positive?.Offset ?? 0, interval[(1 + negative.Count)..], point.Negative?.Offset ?? 0, interval[1..(1 + negative.Count)], min, max));
        }

        /// <summary>
        /// The bucket counts of the point's own interval: as sent for delta points; for cumulative ones the increase since
        /// the previous point of the stream (same buckets), else everything since the start. <c>Whole</c>: the counts are
        /// everything the point's min and max describe. Null counts: the point was seen already.
        /// </summary>
        private (double[]? Counts, bool Whole) Interval(Point at, ulong start, ulong time, AggregationTemporality temporality, double[] counts, string shape)
        {
            if (temporality == AggregationTemporality.Delta) return (counts, true);
            var key = SeriesName.Labelled(at.Name + ".buckets[" + shape + "]", at.Labels);
            var previous = owner._streams.Get(at.Host, key, start);
            if (previous is not null && previous.TimeUnixNano >= time) return (null, false);
            owner._streams.Set(at.Host, key, start, new CumulativeStreams.Previous(time, 0, counts));
            if (previous is null || previous.Buckets.Length != counts.Length) return (counts, true);
            var increase = new double[counts.Length];
            for (var i = 0; i < counts.Length; i++)
            {
                increase[i] = counts[i] - previous.Buckets[i];
                if (increase[i] < 0) return (counts, true); // a reset without a new start time
            }
            return (increase, false);
        }

        private void Quantiles3(Point at, IReadOnlyList<BucketRange> buckets)
        {
            foreach (var q in Quantiles)
                if (HistogramQuantiles.Estimate(q, buckets) is { } value)
                    Add(at, ".p" + (q * 100).ToString("0.###", CultureInfo.InvariantCulture), value);
        }

        private static double Number(NumberDataPoint point) =>
            point.ValueCase == NumberDataPoint.ValueOneofCase.AsInt ? point.AsInt : point.AsDouble;

        private static double Seconds(ulong nanoseconds) => nanoseconds / 1e9;
    }

    private sealed record Point(string Host, string Name, KeyValuePair<string, string>[] Labels, long TimestampMs, ulong TimeUnixNano);
}

using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Perf.Analytics.Aggregation;

namespace Perf.Actors.Telemetry;

/// <summary>
/// Reads the engine's own instruments (the <see cref="PerfMetrics.MeterName"/> meter) inside the process, as the
/// self-monitoring turns them into series: <see cref="Read"/> gives, per instrument and tag set, what changed since the
/// previous read. Counters give their increase, histograms the count, sum and 99th percentile of the values recorded in
/// between, observable gauges their current value.
/// </summary>
public sealed class MetricsReader : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<Key, Total> _counters = new();
    private readonly ConcurrentDictionary<Key, Window> _histograms = new();
    private readonly Dictionary<Key, double> _countersAtLastRead = [];
    private List<Reading>? _gauges;

    public MetricsReader(string meterName = PerfMetrics.MeterName)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            // The state is the instrument's key without tags, made once: most measurements carry no tag.
            if (instrument.Meter.Name == meterName) listener.EnableMeasurementEvents(instrument, new Key(instrument.Name, instrument.Unit ?? "", []));
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, state) => Measured(instrument, value, tags, (Key)state!));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, state) => Measured(instrument, value, tags, (Key)state!));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, state) => Measured(instrument, value, tags, (Key)state!));
        _listener.Start();
    }

    public enum Kind
    {
        Counter,
        Histogram,
        Gauge,
    }

    /// <summary>One instrument's figures for one tag set since the previous <see cref="Read"/>.</summary>
    /// <param name="Value">counter: the increase; gauge: the value; histogram: the mean (NaN when nothing was recorded).</param>
    /// <param name="Count">histogram: values recorded; otherwise 0.</param>
    /// <param name="P99">histogram: the 99th percentile (NaN when nothing was recorded).</param>
    public sealed record Reading(string Instrument, string Unit, Kind Kind, IReadOnlyList<KeyValuePair<string, string>> Tags, double Value, long Count = 0, double P99 = double.NaN);

    public IReadOnlyList<Reading> Read()
    {
        var readings = new List<Reading>();
        foreach (var (key, total) in _counters)
        {
            var now = total.Value;
            var before = _countersAtLastRead.GetValueOrDefault(key);
            _countersAtLastRead[key] = now;
            readings.Add(new Reading(key.Instrument, key.Unit, Kind.Counter, key.Tags, now - before));
        }
        foreach (var (key, window) in _histograms)
        {
            var (count, sum, histogram) = window.Take();
            readings.Add(new Reading(key.Instrument, key.Unit, Kind.Histogram, key.Tags, count == 0 ? double.NaN : sum / count, count,
                count == 0 ? double.NaN : FromMicroseconds(histogram.PercentileMilliseconds(99) * 1000, key.Unit)));
        }
        lock (_listener)
        {
            _gauges = [];
            try
            {
                _listener.RecordObservableInstruments(); // gauges call back into Measured, which collects them in _gauges
            }
            catch (AggregateException)
            {
                // A gauge that failed (its callback threw) is left out of this reading; the others are kept.
            }
            finally
            {
                readings.AddRange(_gauges);
                _gauges = null;
            }
        }
        return readings;
    }

    private void Measured<T>(Instrument instrument, T measurement, ReadOnlySpan<KeyValuePair<string, object?>> tags, Key untagged) where T : struct
    {
        var value = ToDouble(measurement);
        var key = tags.Length == 0 ? untagged : untagged with { Tags = Tags(tags) };
        switch (instrument)
        {
            case Counter<T> or UpDownCounter<T>:
                _counters.GetOrAdd(key, _ => new Total()).Add(value);
                break;
            case Histogram<T>:
                _histograms.GetOrAdd(key, _ => new Window()).Record(value, key.Unit);
                break;
            default: // observable gauges and counters: only while Read collects them
                _gauges?.Add(new Reading(key.Instrument, key.Unit, instrument is ObservableCounter<T> ? Kind.Counter : Kind.Gauge, key.Tags, value));
                break;
        }
    }

    private static double ToDouble<T>(T measurement) where T : struct => measurement switch
    {
        long l => l,
        double d => d,
        int i => i,
        _ => Convert.ToDouble(measurement, System.Globalization.CultureInfo.InvariantCulture),
    };

    private static KeyValuePair<string, string>[] Tags(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.Length == 0) return [];
        var copy = new KeyValuePair<string, string>[tags.Length];
        for (var i = 0; i < tags.Length; i++) copy[i] = new(tags[i].Key, Convert.ToString(tags[i].Value, System.Globalization.CultureInfo.InvariantCulture) ?? "");
        Array.Sort(copy, (a, b) => string.CompareOrdinal(a.Key, b.Key));
        return copy;
    }

    /// <summary>
    /// The latency histogram counts whole microseconds: values are scaled into it and back so that each unit keeps about
    /// three decimals (seconds to microseconds, milliseconds to microseconds, microseconds to nanoseconds).
    /// </summary>
    private static double Scale(string unit) => unit switch
    {
        "s" => 1_000_000,
        _ => 1_000, // ms, us and plain numbers (points per write)
    };

    private static long ToMicroseconds(double value, string unit) => (long)Math.Round(value * Scale(unit));

    private static double FromMicroseconds(double microseconds, string unit) => microseconds / Scale(unit);

    public void Dispose() => _listener.Dispose();

    private sealed record Key(string Instrument, string Unit, KeyValuePair<string, string>[] Tags)
    {
        public bool Equals(Key? other) => other is not null && Instrument == other.Instrument && Tags.AsSpan().SequenceEqual(other.Tags);

        public override int GetHashCode()
        {
            var hash = new HashCode();
            hash.Add(Instrument);
            foreach (var tag in Tags) hash.Add(tag);
            return hash.ToHashCode();
        }
    }

    private sealed class Total
    {
        private double _value;
        private readonly Lock _lock = new();

        public double Value
        {
            get { lock (_lock) return _value; }
        }

        public void Add(double value)
        {
            lock (_lock) _value += value;
        }
    }

    /// <summary>The values of one histogram since the last read; <see cref="Take"/> hands them over and starts afresh.</summary>
    private sealed class Window
    {
        private readonly Lock _lock = new();
        private long _count;
        private double _sum;
        private LatencyHistogram _histogram = new();

        public void Record(double value, string unit)
        {
            lock (_lock)
            {
                _count++;
                _sum += value;
                _histogram.RecordMicroseconds(ToMicroseconds(value, unit));
            }
        }

        public (long Count, double Sum, LatencyHistogram Histogram) Take()
        {
            lock (_lock)
            {
                var taken = (_count, _sum, _histogram);
                if (_count > 0) (_count, _sum, _histogram) = (0, 0, new LatencyHistogram());
                return taken;
            }
        }
    }
}

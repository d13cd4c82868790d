using Google.Protobuf;
using Perf.Protocols.Prometheus;
using Perf.Protocols.Prometheus.Wire;

namespace Perf.Protocols.Tests.Prometheus;

public sealed class RemoteWriteReaderTests
{
    private static readonly (string, string)[] NodeLoad = [("__name__", "node_load1"), ("instance", "web-1:9100"), ("job", "node")];

    private static TimeSeries Series(IEnumerable<(string Name, string Value)> labels, params (double Value, long Timestamp)[] samples)
    {
        var series = new TimeSeries();
        foreach (var (name, value) in labels) series.Labels.Add(RemoteWriteCodec.Label(name, value));
        foreach (var (value, timestamp) in samples) series.Samples.Add(new Sample { Value = value, Timestamp = timestamp });
        return series;
    }

    private static byte[] Bytes(params TimeSeries[] series)
    {
        var request = new WriteRequest();
        request.Timeseries.Add(series);
        return request.ToByteArray();
    }

    private static void AssertSameAsGoogleProtobuf(byte[] request)
    {
        var expected = WalkedSeries.Parse(request);
        var walked = WalkedSeries.Walk(request);
        Assert.Equal(expected.Count, walked.Count);
        for (var i = 0; i < walked.Count; i++)
        {
            Assert.Equal(i, walked[i].Index);
            Assert.Equal(expected[i].Labels, walked[i].Labels);
            Assert.Equal(expected[i].Samples, walked[i].Samples);
        }
    }

    public static TheoryData<string, byte[]> Requests() => new()
    {
        { "one series, two samples", Bytes(Series(NodeLoad, (0.5, 1_795_000_000_000), (0.25, 1_795_000_015_000))) },
        { "many series", Bytes([.. Enumerable.Range(0, 50).Select(i => Series([("__name__", $"m{i}"), ("instance", $"h{i % 7}")], (i, 1_795_000_000_000 + i)))]) },
        { "no labels", Bytes(Series([], (1, 2))) },
        { "no samples", Bytes(Series(NodeLoad)) },
        { "empty label name and value", Bytes(Series([("", "")], (1, 2))) },
        { "long label values", Bytes(Series([("__name__", new string('x', 300)), ("k", new string('é', 5000))], (1, 2))) },
        { "extreme timestamps", Bytes(Series(NodeLoad, (1, long.MinValue), (2, -1), (3, 0), (4, long.MaxValue))) },
        { "extreme values", Bytes(Series(NodeLoad, (double.MaxValue, 1), (double.Epsilon, 2), (-0.0, 3), (double.PositiveInfinity, 4), (double.NegativeInfinity, 5), (double.NaN, 6))) },
        { "empty request", [] },
        { "an empty series", Bytes(new TimeSeries()) },
    };

    [Theory]
    [MemberData(nameof(Requests))]
    public void Reads_what_Google_Protobuf_reads(string because, byte[] request)
    {
        Assert.NotEmpty(because);
        AssertSameAsGoogleProtobuf(request);
    }

    [Fact]
    public void An_empty_request_has_no_series()
    {
        var reader = new RemoteWriteReader([]);
        Assert.False(reader.MoveNext());
        Assert.False(reader.MoveNext());
        Assert.Equal(0, reader.SampleCount);
        Assert.True(reader.LabelBytes.IsEmpty);
    }

    [Fact]
    public void A_series_without_samples_still_has_its_labels()
    {
        var series = Assert.Single(WalkedSeries.Walk(Bytes(Series(NodeLoad))));
        Assert.Equal(NodeLoad, series.Labels);
        Assert.Empty(series.Samples);
    }

    [Theory]
    [InlineData(0x7ff0000000000002UL)] // Prometheus' stale marker.
    [InlineData(0x7ff8000000000001UL)] // Prometheus' normal NaN.
    [InlineData(0xfff8000000000000UL)]
    [InlineData(0x7ff0000000000001UL)] // A signalling NaN: must not be quieted on the way.
    [InlineData(0x8000000000000000UL)] // -0.0
    public void Values_come_through_bit_for_bit(ulong bits)
    {
        var request = ProtoBytes.Request(ProtoBytes.Series(NodeLoad, ProtoBytes.SampleBits(bits, 1_795_000_000_000)));
        var reader = new RemoteWriteReader(request);
        Assert.True(reader.MoveNext());
        foreach (var sample in reader.Samples)
        {
            Assert.Equal(bits, BitConverter.DoubleToUInt64Bits(sample.Value));
            Assert.Equal(bits == RemoteWriteCodec.StaleMarkerBits, sample.IsStaleMarker);
            Assert.Equal(1_795_000_000_000, sample.Timestamp);
        }
        Assert.Equal(1, reader.SampleCount);
        AssertSameAsGoogleProtobuf(request);
    }

    public static TheoryData<long> VarintLengths()
    {
        // Either side of every varint length (1 to 10 bytes), negatives (always 10 bytes) and the extremes.
        var data = new TheoryData<long> { 0, -1, long.MinValue, long.MaxValue, 1_795_000_000_000 };
        for (var bits = 7; bits < 63; bits += 7)
        {
            data.Add((1L << bits) - 1);
            data.Add(1L << bits);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(VarintLengths))]
    public void Timestamps_of_every_varint_length_read_as_written_whichever_field_comes_first(long timestamp)
    {
        var bits = BitConverter.DoubleToUInt64Bits(0.1);
        var valueFirst = ProtoBytes.SampleBits(bits, timestamp);
        var timestampFirst = new ProtoBytes().Tag(2, 0).Varint((ulong)timestamp).Tag(1, 1).Fixed64(bits);
        var request = ProtoBytes.Request(ProtoBytes.Series(NodeLoad, valueFirst, timestampFirst), ProtoBytes.Series([], valueFirst));

        var walked = WalkedSeries.Walk(request);
        Assert.Equal([(timestamp, bits), (timestamp, bits)], walked[0].Samples);
        Assert.Equal([(timestamp, bits)], walked[1].Samples);
        AssertSameAsGoogleProtobuf(request);
    }

    [Fact]
    public void Samples_before_labels_are_read_and_the_labels_stay_contiguous()
    {
        var series = new ProtoBytes()
            .Len(2, ProtoBytes.Sample(1.5, 10))
            .Len(1, ProtoBytes.Label("__name__", "up"))
            .Len(1, ProtoBytes.Label("job", "node"));
        var request = ProtoBytes.Request(series);

        var walked = Assert.Single(WalkedSeries.Walk(request));
        Assert.True(walked.LabelsContiguous);
        Assert.Equal([("__name__", "up"), ("job", "node")], walked.Labels);
        Assert.Equal([(10L, BitConverter.DoubleToUInt64Bits(1.5))], walked.Samples);
        AssertSameAsGoogleProtobuf(request);
    }

    [Fact]
    public void Interleaved_labels_are_read_in_order_and_hash_like_the_same_labels_written_together()
    {
        var interleaved = new ProtoBytes()
            .Len(1, ProtoBytes.Label("__name__", "up"))
            .Len(2, ProtoBytes.Sample(1, 10))
            .Len(1, ProtoBytes.Label("job", "node"))
            .Len(2, ProtoBytes.Sample(2, 20))
            .Len(1, ProtoBytes.Label("zone", "a"));
        var together = ProtoBytes.Series([("__name__", "up"), ("job", "node"), ("zone", "a")], ProtoBytes.Sample(1, 10), ProtoBytes.Sample(2, 20));
        var request = ProtoBytes.Request(interleaved, together);

        var walked = WalkedSeries.Walk(request, seed: 42);
        Assert.False(walked[0].LabelsContiguous);
        Assert.True(walked[1].LabelsContiguous);
        Assert.Equal(walked[1].Labels, walked[0].Labels);
        Assert.Equal(walked[1].Samples, walked[0].Samples);
        Assert.Equal(walked[1].LabelBytes, walked[0].LabelBytes);
        Assert.Equal(walked[1].Hash, walked[0].Hash);
        AssertSameAsGoogleProtobuf(request);

        var reader = new RemoteWriteReader(request);
        Assert.True(reader.MoveNext());
        Assert.False(reader.LabelsContiguous);
        try
        {
            _ = reader.LabelBytes;
            Assert.Fail("LabelBytes of interleaved labels");
        }
        catch (InvalidOperationException)
        {
        }
    }

    [Fact]
    public void Interleaved_labels_longer_than_the_stack_buffer_hash_like_contiguous_ones()
    {
        var labels = Enumerable.Range(0, 40).Select(i => ($"label_{i}", new string('v', 20))).ToArray();
        var interleaved = new ProtoBytes();
        foreach (var (name, value) in labels) interleaved.Len(1, ProtoBytes.Label(name, value)).Tag(9, 0).Varint(1);
        var request = ProtoBytes.Request(interleaved, ProtoBytes.Series(labels));

        var walked = WalkedSeries.Walk(request);
        Assert.True(walked[0].LabelBytes.Length > 1024);
        Assert.False(walked[0].LabelsContiguous);
        Assert.Equal(walked[1].Hash, walked[0].Hash);
    }

    [Fact]
    public void A_label_with_its_value_first_or_its_name_twice_reads_as_protobuf_merges_it()
    {
        var valueFirst = new ProtoBytes().Len(2, "node").Len(1, "job");
        var nameTwice = new ProtoBytes().Len(1, "first").Len(2, "v").Len(1, "__name__");
        var nameOnly = new ProtoBytes().Len(1, "lonely");
        var request = ProtoBytes.Request(new ProtoBytes().Len(1, valueFirst).Len(1, nameTwice).Len(1, nameOnly).Len(1, new ProtoBytes()));

        var walked = Assert.Single(WalkedSeries.Walk(request));
        Assert.Equal([("job", "node"), ("__name__", "v"), ("lonely", ""), ("", "")], walked.Labels);
        AssertSameAsGoogleProtobuf(request);
    }

    [Fact]
    public void Unknown_fields_of_every_wire_type_are_skipped_at_every_level()
    {
        static ProtoBytes Unknown(ProtoBytes message, int field) => message
            .Tag(field, 0).Varint(ulong.MaxValue)
            .Tag(field + 1, 1).Fixed64(7)
            .Tag(field + 2, 5).Fixed32(7)
            .Len(field + 3, [1, 2, 3])
            .Tag(field + 4, 3).Tag(1, 0).Varint(5).Tag(field + 4, 4); // A group with a field inside.

        var label = Unknown(ProtoBytes.Label("__name__", "up"), 3);
        var sample = Unknown(ProtoBytes.Sample(2.5, 99), 3);
        var series = Unknown(new ProtoBytes().Len(1, label).Len(1, ProtoBytes.Label("job", "x")), 5).Len(2, sample);
        var request = Unknown(new ProtoBytes(), 4).Len(1, series).Tag(15, 0).Varint(1).ToArray();

        var walked = Assert.Single(WalkedSeries.Walk(request));
        Assert.Equal([("__name__", "up"), ("job", "x")], walked.Labels);
        Assert.Equal([(99L, BitConverter.DoubleToUInt64Bits(2.5))], walked.Samples);
        AssertSameAsGoogleProtobuf(request);
    }

    [Fact]
    public void Metadata_exemplars_and_histograms_are_skipped()
    {
        // prompb.MetricMetadata: type = 1 (enum), metric_family_name = 2, help = 4, unit = 5.
        var metadata = new ProtoBytes().Tag(1, 0).Varint(1).Len(2, "node_load1").Len(4, "1m load average").Len(5, "");
        // prompb.Exemplar: labels = 1, value = 2 (double), timestamp = 3.
        var exemplar = new ProtoBytes().Len(1, ProtoBytes.Label("trace_id", "abc")).Tag(2, 1).Fixed64(BitConverter.DoubleToUInt64Bits(0.3)).Tag(3, 0).Varint(1_795_000_000_000);
        // prompb.Histogram: count_int = 1, sum = 3, schema = 4 (sint32), timestamp = 15.
        var histogram = new ProtoBytes().Tag(1, 0).Varint(10).Tag(3, 1).Fixed64(BitConverter.DoubleToUInt64Bits(4.5)).Tag(4, 0).Varint(6).Tag(15, 0).Varint(1_795_000_000_000);
        var series = ProtoBytes.Series(NodeLoad, ProtoBytes.Sample(1, 2)).Len(3, exemplar).Len(4, histogram).Len(3, exemplar);
        var request = new ProtoBytes().Len(3, metadata).Len(1, series).Len(3, metadata).Len(1, ProtoBytes.Series(NodeLoad)).ToArray();

        var walked = WalkedSeries.Walk(request);
        Assert.Equal(2, walked.Count);
        Assert.Equal(NodeLoad, walked[0].Labels);
        Assert.Equal([(2L, BitConverter.DoubleToUInt64Bits(1))], walked[0].Samples);
        Assert.True(walked[0].LabelsContiguous);
        Assert.Equal(walked[1].Hash, walked[0].Hash);
        AssertSameAsGoogleProtobuf(request);
    }

    [Fact]
    public void The_hash_follows_the_label_bytes()
    {
        var request = Bytes(
            Series(NodeLoad, (1, 2)),
            Series(NodeLoad),
            Series([("__name__", "node_load1"), ("instance", "web-2:9100"), ("job", "node")], (1, 2)),
            Series([("instance", "web-1:9100"), ("__name__", "node_load1"), ("job", "node")], (1, 2)));

        var walked = WalkedSeries.Walk(request);
        Assert.Equal(walked[0].Hash, walked[1].Hash);
        Assert.NotEqual(walked[0].Hash, walked[2].Hash);
        // Another label order is other bytes: a miss for an intern table, which then looks the labels up by name.
        Assert.NotEqual(walked[0].Hash, walked[3].Hash);
        Assert.NotEqual(walked[0].Hash, WalkedSeries.Walk(request, seed: 1)[0].Hash);
        Assert.Equal(System.IO.Hashing.XxHash3.HashToUInt64(walked[0].LabelBytes), walked[0].Hash);
    }

    [Fact]
    public void A_hundred_thousand_similar_label_sets_hash_apart()
    {
        var series = Enumerable.Range(0, 100_000)
            .Select(i => Series([("__name__", $"bench_metric_{i / 1000}"), ("instance", $"bench-{i % 1000:D4}"), ("job", "bench")]))
            .ToArray();
        var hashes = WalkedSeries.Walk(Bytes(series)).Select(s => s.Hash).ToHashSet();
        Assert.Equal(100_000, hashes.Count);
    }

    [Fact]
    public void Invalid_UTF8_is_left_to_the_caller_who_checks_it_for_new_series()
    {
        var bad = new ProtoBytes().Len(1, "job"u8.ToArray()).Len(2, [0x66, 0xff, 0x6f]);
        var request = ProtoBytes.Request(
            ProtoBytes.Series(NodeLoad, ProtoBytes.Sample(1, 2)),
            new ProtoBytes().Len(1, ProtoBytes.Label("__name__", "up")).Len(1, bad).Len(2, ProtoBytes.Sample(1, 2)));

        var reader = new RemoteWriteReader(request);
        Assert.True(reader.MoveNext());
        reader.ValidateLabelsUtf8();
        Assert.True(reader.MoveNext());
        var error = Utf8Error(reader);
        Assert.Equal("timeseries[1].labels[1]", error.Field);
        Assert.Equal("is not valid UTF-8", error.Message);
        Assert.False(error.TooLarge);
    }

    private static ProtocolFormatException Utf8Error(RemoteWriteReader reader)
    {
        try
        {
            reader.ValidateLabelsUtf8();
        }
        catch (ProtocolFormatException e)
        {
            return e;
        }
        throw new Xunit.Sdk.XunitException("no error for invalid UTF-8");
    }

    private static readonly ProtoBytes GoodSeries = ProtoBytes.Series(NodeLoad, ProtoBytes.Sample(1, 2));

    private static ProtoBytes SeriesWith(params ProtoBytes[] fields)
    {
        var series = new ProtoBytes();
        foreach (var field in fields) series.Raw(field.ToArray());
        return series;
    }

    private static ProtoBytes LabelField(ProtoBytes label) => new ProtoBytes().Len(1, label);

    private static ProtoBytes SampleField(ProtoBytes sample) => new ProtoBytes().Len(2, sample);

    private static readonly ProtoBytes GoodLabel = LabelField(ProtoBytes.Label("__name__", "up"));

    private static readonly byte[] ElevenByteVarint = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];

    public static TheoryData<string, byte[], string, string> Malformed() => new()
    {
        // The request's own fields.
        { "a series sent as a varint", new ProtoBytes().Tag(1, 0).Varint(5).ToArray(), "timeseries[0]", "has wire type 0 (varint), expected 2 (length-delimited)" },
        { "a series sent as fixed64 after a good one", new ProtoBytes().Len(1, GoodSeries).Tag(1, 1).Fixed64(0).ToArray(), "timeseries[1]", "has wire type 1 (fixed64)" },
        { "a series of 2^40 bytes with no data", new ProtoBytes().Tag(1, 2).Varint(1UL << 40).ToArray(), "timeseries[0]", "has a length of 1099511627776 bytes, past the end of its message (0 bytes left)" },
        { "a series cut short", ProtoBytes.Request(GoodSeries)[..^1], "timeseries[0]", "past the end" },
        { "a series length that is truncated", new ProtoBytes().Tag(1, 2).Raw(0x80, 0x80).ToArray(), "timeseries[0]", "has a length that is truncated" },
        { "a series length longer than 10 bytes", new ProtoBytes().Tag(1, 2).Raw(ElevenByteVarint).ToArray(), "timeseries[0]", "has a length that is longer than 10 bytes" },
        { "a truncated field tag", new ProtoBytes().Len(1, GoodSeries).Raw(0x80).ToArray(), "body", "is truncated" },
        { "a field tag longer than 10 bytes", new ProtoBytes().Raw(ElevenByteVarint).ToArray(), "body", "is longer than 10 bytes" },
        { "field number 0", new ProtoBytes().Raw(0x00, 0x00).ToArray(), "body", "invalid field number 0" },
        { "a field number past 2^29", new ProtoBytes().Varint(1UL << 35).ToArray(), "body", "invalid field number" },
        { "wire type 7", new ProtoBytes().Tag(5, 7).ToArray(), "body", "field 5 has invalid wire type 7" },
        { "wire type 6", new ProtoBytes().Tag(5, 6).ToArray(), "body", "field 5 has invalid wire type 6" },
        { "an unknown varint cut short", new ProtoBytes().Tag(5, 0).Raw(0x80).ToArray(), "body", "field 5 (varint) is truncated" },
        { "an unknown varint longer than 10 bytes", new ProtoBytes().Tag(5, 0).Raw(ElevenByteVarint).ToArray(), "body", "field 5 (varint) is longer than 10 bytes" },
        { "an unknown fixed64 cut short", new ProtoBytes().Tag(5, 1).Raw(1, 2, 3).ToArray(), "body", "field 5 (fixed64) is truncated" },
        { "an unknown fixed32 cut short", new ProtoBytes().Tag(5, 5).Raw(1, 2, 3).ToArray(), "body", "field 5 (fixed32) is truncated" },
        { "an unknown field of 2^40 bytes", new ProtoBytes().Tag(5, 2).Varint(1UL << 40).ToArray(), "body", "field 5 (length-delimited) has a length of 1099511627776 bytes" },
        { "an end-group with no group", new ProtoBytes().Tag(5, 4).ToArray(), "body", "field 5 ends a group that was never started" },
        { "a group never ended", new ProtoBytes().Tag(5, 3).Tag(1, 0).Varint(1).ToArray(), "body", "group 5 is never ended" },
        { "a group ended by another field", new ProtoBytes().Tag(5, 3).Tag(6, 4).ToArray(), "body", "group 5 is ended by an end-group of field 6" },
        { "groups nested past 100", Enumerable.Range(0, 101).Aggregate(new ProtoBytes(), (b, _) => b.Tag(5, 3)).ToArray(), "body", "nests groups more than 100 deep" },
        { "metadata sent as a varint", new ProtoBytes().Tag(3, 0).Varint(1).ToArray(), "metadata[0]", "has wire type 0 (varint), expected 2 (length-delimited)" },
        { "metadata past the end", new ProtoBytes().Len(3, [1]).Tag(3, 2).Varint(9).ToArray(), "metadata[1]", "past the end" },

        // A series' fields.
        { "a label sent as a varint", ProtoBytes.Request(SeriesWith(GoodLabel, new ProtoBytes().Tag(1, 0).Varint(3))), "timeseries[0].labels[1]", "has wire type 0 (varint), expected 2 (length-delimited)" },
        { "a label of 2^40 bytes", ProtoBytes.Request(SeriesWith(new ProtoBytes().Tag(1, 2).Varint(1UL << 40))), "timeseries[0].labels[0]", "has a length of 1099511627776 bytes" },
        { "a sample sent as fixed64", ProtoBytes.Request(SeriesWith(GoodLabel, new ProtoBytes().Tag(2, 1).Fixed64(1))), "timeseries[0].samples[0]", "has wire type 1 (fixed64), expected 2 (length-delimited)" },
        { "a sample past the end", ProtoBytes.Request(SeriesWith(GoodLabel, SampleField(ProtoBytes.Sample(1, 2)), new ProtoBytes().Tag(2, 2).Varint(50))), "timeseries[0].samples[1]", "past the end" },
        { "exemplars sent as a varint", ProtoBytes.Request(SeriesWith(GoodLabel, new ProtoBytes().Tag(3, 0).Varint(1))), "timeseries[0].exemplars[0]", "has wire type 0 (varint)" },
        { "a histogram past the end", ProtoBytes.Request(SeriesWith(GoodLabel, new ProtoBytes().Len(4, [1]), new ProtoBytes().Tag(4, 2).Varint(5))), "timeseries[0].histograms[1]", "past the end" },
        { "a series' unknown field cut short", ProtoBytes.Request(SeriesWith(GoodLabel, new ProtoBytes().Tag(9, 1).Raw(1))), "timeseries[0]", "field 9 (fixed64) is truncated" },
        { "a series' field tag cut short", ProtoBytes.Request(SeriesWith(GoodLabel, new ProtoBytes().Raw(0x80))), "timeseries[0]", "has a field tag at byte 16 that is truncated" },
        { "a series' invalid wire type", ProtoBytes.Request(SeriesWith(GoodLabel, new ProtoBytes().Tag(9, 6))), "timeseries[0]", "field 9 has invalid wire type 6" },

        // Inside a label.
        { "a label name sent as a varint", ProtoBytes.Request(GoodSeries, GoodSeries, GoodSeries, SeriesWith(GoodLabel, LabelField(new ProtoBytes().Tag(1, 0).Varint(1)))), "timeseries[3].labels[1]", "name (field 1) has wire type 0 (varint), expected 2 (length-delimited)" },
        { "a label value sent as fixed32", ProtoBytes.Request(SeriesWith(LabelField(new ProtoBytes().Len(1, "a").Tag(2, 5).Fixed32(1)))), "timeseries[0].labels[0]", "value (field 2) has wire type 5 (fixed32)" },
        { "a label name of 2^40 bytes", ProtoBytes.Request(SeriesWith(LabelField(new ProtoBytes().Tag(1, 2).Varint(1UL << 40)))), "timeseries[0].labels[0]", "name (field 1) has a length of 1099511627776 bytes" },
        { "a label value past its message", ProtoBytes.Request(SeriesWith(LabelField(new ProtoBytes().Len(1, "a").Tag(2, 2).Varint(3).Raw(0x61)))), "timeseries[0].labels[0]", "value (field 2) has a length of 3 bytes, past the end of its message (1 bytes left)" },
        { "a label's unknown field cut short", ProtoBytes.Request(SeriesWith(LabelField(new ProtoBytes().Len(1, "a").Tag(3, 0).Raw(0x80)))), "timeseries[0].labels[0]", "field 3 (varint) is truncated" },
        { "a label's field tag cut short", ProtoBytes.Request(SeriesWith(LabelField(new ProtoBytes().Len(1, "a").Raw(0xff)))), "timeseries[0].labels[0]", "has a field tag that is truncated" },
        { "a label's field number 0", ProtoBytes.Request(SeriesWith(LabelField(new ProtoBytes().Raw(0x02, 0x00)))), "timeseries[0].labels[0]", "invalid field number 0" },

        // Inside a sample.
        { "a value sent as a varint", ProtoBytes.Request(SeriesWith(GoodLabel, SampleField(new ProtoBytes().Tag(1, 0).Varint(1)))), "timeseries[0].samples[0]", "value (field 1) has wire type 0 (varint), expected 1 (fixed64)" },
        { "a value cut short", ProtoBytes.Request(SeriesWith(GoodLabel, SampleField(new ProtoBytes().Tag(1, 1).Raw(0, 0, 0)))), "timeseries[0].samples[0]", "value (field 1) is truncated: a double needs 8 bytes, 3 left" },
        { "a timestamp sent as fixed64", ProtoBytes.Request(SeriesWith(GoodLabel, SampleField(ProtoBytes.Sample(1, 2)), SampleField(new ProtoBytes().Tag(2, 1).Fixed64(1)))), "timeseries[0].samples[1]", "timestamp (field 2) has wire type 1 (fixed64), expected 0 (varint)" },
        { "a timestamp cut short", ProtoBytes.Request(SeriesWith(GoodLabel, SampleField(new ProtoBytes().Tag(1, 1).Fixed64(0).Tag(2, 0).Raw(0x80, 0x80)))), "timeseries[0].samples[0]", "timestamp (field 2) is truncated" },
        { "a timestamp longer than 10 bytes", ProtoBytes.Request(SeriesWith(GoodLabel, SampleField(new ProtoBytes().Tag(2, 0).Raw(ElevenByteVarint)))), "timeseries[0].samples[0]", "timestamp (field 2) is longer than 10 bytes" },
        { "a sample's unknown field past its end", ProtoBytes.Request(SeriesWith(GoodLabel, SampleField(new ProtoBytes().Tag(3, 2).Varint(4)))), "timeseries[0].samples[0]", "field 3 (length-delimited) has a length of 4 bytes" },
        { "a sample's wire type 7", ProtoBytes.Request(SeriesWith(GoodLabel, SampleField(new ProtoBytes().Tag(3, 7)))), "timeseries[0].samples[0]", "field 3 has invalid wire type 7" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Malformed_requests_are_refused_naming_the_place(string because, byte[] request, string field, string message)
    {
        Assert.NotEmpty(because);
        var error = Assert.Throws<ProtocolFormatException>(() => WalkedSeries.Walk(request));
        Assert.Equal(field, error.Field);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.False(error.TooLarge);
    }

    [Fact]
    public void Series_before_a_malformed_one_have_been_read()
    {
        var request = new ProtoBytes().Len(1, GoodSeries).Tag(1, 0).Varint(1).ToArray();
        var reader = new RemoteWriteReader(request);
        Assert.True(reader.MoveNext());
        Assert.Equal(0, reader.Index);
        var error = SecondMoveNext(reader);
        Assert.Equal("timeseries[1]", error.Field);
    }

    private static ProtocolFormatException SecondMoveNext(RemoteWriteReader reader)
    {
        try
        {
            reader.MoveNext();
        }
        catch (ProtocolFormatException e)
        {
            return e;
        }
        throw new Xunit.Sdk.XunitException("the second series was read");
    }

    [Fact]
    public void Random_damage_is_refused_as_a_format_error_or_read_as_Google_Protobuf_reads_it()
    {
        var valid = ProtoBytes.Request(
            ProtoBytes.Series(NodeLoad, ProtoBytes.Sample(1, 1_795_000_000_000), ProtoBytes.SampleBits(RemoteWriteCodec.StaleMarkerBits, -5)),
            new ProtoBytes().Len(2, ProtoBytes.Sample(3, 4)).Len(1, ProtoBytes.Label("a", "b")).Len(3, [1, 2]).Tag(20, 5).Fixed32(1),
            ProtoBytes.Series([("__name__", "x")]));
        var random = new Random(20260310);
        int refused = 0, read = 0;
        for (var i = 0; i < 20_000; i++)
        {
            var damaged = (byte[])valid.Clone();
            for (var n = random.Next(1, 4); n > 0; n--)
            {
                switch (random.Next(3))
                {
                    case 0: damaged[random.Next(damaged.Length)] = (byte)random.Next(256); break;
                    case 1: damaged[random.Next(damaged.Length)] ^= (byte)(1 << random.Next(8)); break;
                    default: damaged = damaged[..random.Next(damaged.Length)]; break;
                }
                if (damaged.Length == 0) break;
            }
            List<WalkedSeries> walked;
            try
            {
                walked = WalkedSeries.Walk(damaged);
            }
            catch (ProtocolFormatException)
            {
                refused++;
                continue;
            }
            read++;
            // What the reader accepts, Google.Protobuf must accept and read the same way.
            var expected = WalkedSeries.Parse(damaged);
            Assert.Equal(expected.Count, walked.Count);
            for (var s = 0; s < walked.Count; s++)
            {
                Assert.Equal(expected[s].Labels, walked[s].Labels);
                Assert.Equal(expected[s].Samples, walked[s].Samples);
            }
        }
        Assert.True(refused > 1000 && read > 1000, $"{refused} refused, {read} read: the damage should produce both");
    }
}

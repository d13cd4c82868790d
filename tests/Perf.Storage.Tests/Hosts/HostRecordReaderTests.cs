using Perf.Storage.Hosts;

namespace Perf.Storage.Tests.Hosts;

/// <summary>
/// Damaged records end in <see cref="InvalidDataException"/>: a recovery that read a damaged record as something else
/// would rebuild a host that never was, and one that crashed with another exception would not say which record.
/// </summary>
public sealed class HostRecordReaderTests
{
    /// <summary>A record with every kind of entry, as a host's write with new series, points, a finding and a seal makes.</summary>
    private static byte[] EveryKind()
    {
        using var writer = new HostRecordWriter();
        writer.SeriesAdded(["cpu.usage", "memory.used"]);
        writer.Point(0, 1_796_640_937_000, 41.5);
        writer.Point(1, 1_796_640_937_000, 4_000);
        writer.Finding(0, new StoredFinding(1_796_640_937_000, 41.5, "iid-spike", "spike", 5.1, 0.0001, 12.5));
        writer.Point(0, 1_796_640_967_000, double.NaN);
        writer.ChunkSealed(1, new ChunkSeal(0, 1_796_637_337_000, 1_796_640_907_000, 120, 310));
        writer.ChunksRetained(1, new ChunkRetention(1_796_000_000_000, 1, 310, 120, 1_796_637_337_000));
        return writer.ToArray();
    }

    /// <summary>Reads the whole record; the exception it ends in, if any.</summary>
    private static Exception? ReadFails(ReadOnlySpan<byte> record)
    {
        try
        {
            RecordText.Read(record);
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }

    [Fact]
    public void A_record_truncated_at_any_byte_fails_with_InvalidDataException()
    {
        var record = EveryKind();
        Assert.Equal(6, RecordText.Read(record).Count);

        for (var length = 0; length < record.Length; length++)
        {
            var error = ReadFails(record.AsSpan(0, length));
            // Not a shorter record: a truncation at an entry boundary must not read as the entries before it.
            Assert.True(error is not null, $"the record cut to {length} of {record.Length} bytes was read as a whole record");
            Assert.True(error is InvalidDataException, $"the record cut to {length} of {record.Length} bytes failed with {error}");
        }
    }

    [Fact]
    public void A_record_with_a_byte_changed_anywhere_reads_or_fails_with_InvalidDataException_never_another_exception()
    {
        // A changed value byte cannot be told from a real value (the layout has no checksum), but no change may crash
        // the reader, allocate what the record cannot hold, or read past it.
        var record = EveryKind();
        foreach (var xor in new byte[] { 0x01, 0x80, 0xFF })
        for (var offset = 0; offset < record.Length; offset++)
        {
            var damaged = (byte[])record.Clone();
            damaged[offset] ^= xor;
            var error = ReadFails(damaged);
            Assert.True(error is null or InvalidDataException, $"byte {offset} ^ 0x{xor:X2}: {error}");
        }
    }

    [Theory]
    [InlineData((byte)0)]
    [InlineData((byte)6)]
    [InlineData((byte)0x7F)]
    [InlineData((byte)0xFF)]
    public void An_entry_kind_this_version_does_not_know_fails_the_read_instead_of_being_skipped(byte kind)
    {
        using var writer = new HostRecordWriter();
        writer.Finding(0, new StoredFinding(1, 2, "d", "k", 3, 4, 5));
        var record = writer.ToArray();
        var kindAt = KindOffset(record);
        Assert.Equal((byte)RecordEntryKind.Finding, record[kindAt]);
        record[kindAt] = kind;

        var error = Assert.IsType<InvalidDataException>(ReadFails(record));

        Assert.Contains($"entry kind {kind} is unknown", error.Message);
    }

    [Theory]
    [InlineData((byte)0)]
    [InlineData((byte)3)]
    [InlineData((byte)0xFF)]
    public void A_record_of_another_version_is_refused(byte version)
    {
        var record = EveryKind();
        record[0] = version;

        var error = Assert.Throws<InvalidDataException>(() => new HostRecordReader(record));

        Assert.Contains($"version {version} is not {HostRecordWriter.Version}", error.Message);
    }

    [Fact]
    public void A_record_of_version_1_without_an_entry_count_still_reads_to_its_end()
    {
        // What 6fecdce wrote: the version byte, then the entries (no count).
        var record = EveryKind();
        var version1 = new byte[] { 1 }.Concat(record[HostRecordWriter.HeaderLength..]).ToArray();

        Assert.Equal(RecordText.Read(record), RecordText.Read(version1));
    }

    [Fact]
    public void A_negative_entry_count_is_damage()
    {
        var record = EveryKind();
        record[4] = 0x80;

        var error = Assert.IsType<InvalidDataException>(ReadFails(record));

        Assert.Contains("an entry count of -", error.Message);
    }

    public static TheoryData<string, string> TrailingBytes => new()
    {
        { "one zero byte", "00" },
        { "the start of another entry", "02" },
        { "a whole empty entry", "0200000000" },
        { "a whole entry that adds no series", "0101000000" + "00" },
    };

    [Theory]
    [MemberData(nameof(TrailingBytes))]
    public void Bytes_after_the_last_entry_fail_the_read(string because, string hex)
    {
        _ = because;
        var record = EveryKind().Concat(Convert.FromHexString(hex)).ToArray();

        Assert.IsType<InvalidDataException>(ReadFails(record));
    }

    [Fact]
    public void An_entry_whose_body_is_longer_than_its_content_fails_the_read()
    {
        using var writer = new HostRecordWriter();
        writer.ChunkSealed(0, new ChunkSeal(1, 2, 3, 4, 5));
        var record = writer.ToArray().ToList();
        var kindAt = KindOffset([.. record]);
        // One byte more in the body, and the body length says so: the entry holds bytes its kind does not.
        record.Add(0);
        record[kindAt + 1]++;

        var error = Assert.IsType<InvalidDataException>(ReadFails([.. record]));

        Assert.Contains("1 bytes left over after the entry", error.Message);
    }

    [Fact]
    public void A_points_entry_whose_body_ends_inside_a_point_fails_the_read()
    {
        using var writer = new HostRecordWriter();
        writer.Point(0, 1_000, 1.0);
        writer.Point(1, 2_000, 2.0);
        var record = writer.ToArray().ToList();
        var kindAt = KindOffset([.. record]);
        // The last byte of the second value is gone, and the body length agrees: the damage is inside the entry.
        record.RemoveAt(record.Count - 1);
        record[kindAt + 1]--;

        var error = Assert.IsType<InvalidDataException>(ReadFails([.. record]));

        Assert.Contains("truncated", error.Message);
    }

    [Fact]
    public void Asking_an_entry_for_another_kind_is_a_caller_error_not_damage()
    {
        var record = EveryKind();

        var error = Assert.Throws<InvalidOperationException>(() =>
        {
            var reader = new HostRecordReader(record);
            reader.MoveNext();
            reader.Finding();
        });

        Assert.Equal("The entry is SeriesAdded, not Finding", error.Message);
    }

    /// <summary>Where the first entry's kind byte is: after the record's header (what an empty record holds).</summary>
    private static int KindOffset(byte[] record)
    {
        using var empty = new HostRecordWriter();
        var headerLength = empty.ToArray().Length;
        Assert.True(record.Length > headerLength);
        return headerLength;
    }
}

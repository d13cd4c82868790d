using Perf.Analytics.Compression;

namespace Perf.Actors.Serialization;

/// <summary>Building blocks of Perf's wire format: length-prefixed arrays and Gorilla-compressed point runs.</summary>
internal static class BinaryCodecs
{
    public static void WriteStrings(this BinaryWriter writer, string[] values)
    {
        writer.Write7BitEncodedInt(values.Length);
        foreach (var value in values) writer.Write(value);
    }

    public static string[] ReadStrings(this BinaryReader reader)
    {
        var values = new string[reader.Read7BitEncodedInt()];
        for (var i = 0; i < values.Length; i++) values[i] = reader.ReadString();
        return values;
    }

    public static void WriteArray<T>(this BinaryWriter writer, T[] items, Action<BinaryWriter, T> write)
    {
        writer.Write7BitEncodedInt(items.Length);
        foreach (var item in items) write(writer, item);
    }

    public static T[] ReadArray<T>(this BinaryReader reader, Func<BinaryReader, T> read)
    {
        var items = new T[reader.Read7BitEncodedInt()];
        for (var i = 0; i < items.Length; i++) items[i] = read(reader);
        return items;
    }

    public static void WriteLongs(this BinaryWriter writer, long[] values)
    {
        writer.Write7BitEncodedInt(values.Length);
        foreach (var value in values) writer.Write7BitEncodedInt64(value);
    }

    public static long[] ReadLongs(this BinaryReader reader)
    {
        var values = new long[reader.Read7BitEncodedInt()];
        for (var i = 0; i < values.Length; i++) values[i] = reader.Read7BitEncodedInt64();
        return values;
    }

    public static void WriteInts(this BinaryWriter writer, int[] values)
    {
        writer.Write7BitEncodedInt(values.Length);
        foreach (var value in values) writer.Write7BitEncodedInt(value);
    }

    public static int[] ReadInts(this BinaryReader reader)
    {
        var values = new int[reader.Read7BitEncodedInt()];
        for (var i = 0; i < values.Length; i++) values[i] = reader.Read7BitEncodedInt();
        return values;
    }

    public static void WriteDoubles(this BinaryWriter writer, double[] values)
    {
        writer.Write7BitEncodedInt(values.Length);
        foreach (var value in values) writer.Write(value);
    }

    public static double[] ReadDoubles(this BinaryReader reader)
    {
        var values = new double[reader.Read7BitEncodedInt()];
        for (var i = 0; i < values.Length; i++) values[i] = reader.ReadDouble();
        return values;
    }

    public static void WriteBytes(this BinaryWriter writer, byte[] bytes)
    {
        writer.Write7BitEncodedInt(bytes.Length);
        writer.Write(bytes);
    }

    public static byte[] ReadBytes(this BinaryReader reader) => reader.ReadBytes(reader.Read7BitEncodedInt());

    /// <summary>Ascending points as one Gorilla chunk: a journal event of 100 regular points is a couple of hundred bytes.</summary>
    public static void WritePoints(this BinaryWriter writer, long[] timestamps, double[] values)
    {
        var encoder = new GorillaChunkEncoder();
        for (var i = 0; i < timestamps.Length; i++) encoder.Append(timestamps[i], values[i]);
        writer.WriteBytes(encoder.ToArray());
    }

    public static (long[] Timestamps, double[] Values) ReadPoints(this BinaryReader reader)
    {
        var points = GorillaChunk.Decode(reader.ReadBytes());
        var timestamps = new long[points.Length];
        var values = new double[points.Length];
        for (var i = 0; i < points.Length; i++) (timestamps[i], values[i]) = (points[i].TimestampMs, points[i].Value);
        return (timestamps, values);
    }
}

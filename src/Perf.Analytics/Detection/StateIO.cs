namespace Perf.Analytics.Detection;

/// <summary>Checked helpers for detector state: lengths are validated so that corrupt bytes fail loudly.</summary>
internal static class StateIO
{
    /// <summary>Upper bound on any array length in a detector state (guards allocations on corrupt input).</summary>
    public const int MaxLength = 1 << 24;

    public static void WriteDoubles(BinaryWriter writer, ReadOnlySpan<double> values)
    {
        writer.Write(values.Length);
        foreach (double value in values)
        {
            writer.Write(value);
        }
    }

    public static double[] ReadDoubles(BinaryReader reader, int expectedLength)
    {
        int length = ReadLength(reader, expectedLength, expectedLength);
        var values = new double[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = reader.ReadDouble();
        }

        return values;
    }

    public static void WriteFloats(BinaryWriter writer, ReadOnlySpan<float> values)
    {
        writer.Write(values.Length);
        foreach (float value in values)
        {
            writer.Write(value);
        }
    }

    public static int ReadLength(BinaryReader reader, int min, int max)
    {
        int length = reader.ReadInt32();
        if (length < min || length > max || length > MaxLength)
        {
            throw new InvalidDataException($"Detector state: length {length} outside [{min}, {max}].");
        }

        return length;
    }

    public static void ReadVersion(BinaryReader reader, byte expected, string tag)
    {
        byte version = reader.ReadByte();
        if (version != expected)
        {
            throw new InvalidDataException($"Detector state '{tag}': unsupported format version {version}.");
        }
    }

    public static T ReadEnum<T>(BinaryReader reader)
        where T : struct, Enum
    {
        int raw = reader.ReadInt32();
        var value = (T)Enum.ToObject(typeof(T), raw);
        if (!Enum.IsDefined(value))
        {
            throw new InvalidDataException($"Detector state: {raw} is not a {typeof(T).Name}.");
        }

        return value;
    }

    /// <summary>Options are validated by the detector constructors; a corrupt value surfaces as InvalidDataException.</summary>
    public static T Construct<T>(Func<T> create)
    {
        try
        {
            return create();
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException("Detector state: invalid options: " + e.Message, e);
        }
    }
}

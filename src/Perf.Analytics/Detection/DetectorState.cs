namespace Perf.Analytics.Detection;

/// <summary>
/// Restores any detector from the bytes its <see cref="IStreamingDetector.WriteState"/> wrote. Every state starts
/// with the detector's type tag (a length-prefixed string, <see cref="BinaryWriter.Write(string)"/>), followed by a
/// format-version byte and the detector's own body.
/// </summary>
public static class DetectorState
{
    /// <summary>Reads one detector state; throws <see cref="InvalidDataException"/> on an unknown tag or corrupt body.</summary>
    public static IStreamingDetector Read(BinaryReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        string tag = reader.ReadString();

        // Extension point: one case per detector type, mapping its tag to its internal static ReadState(BinaryReader)
        // (which reads everything after the tag). Add new detector types (e.g. "sr") here and nowhere else.
        return tag switch
        {
            IidSpikeDetector.TypeTag => IidSpikeDetector.ReadState(reader),
            IidChangePointDetector.TypeTag => IidChangePointDetector.ReadState(reader),
            SsaSpikeDetector.TypeTag => SsaSpikeDetector.ReadState(reader),
            SsaChangePointDetector.TypeTag => SsaChangePointDetector.ReadState(reader),
            SrCnnDetector.StateTag => SrCnnDetector.ReadState(reader),
            EnsembleDetector.TypeTag => EnsembleDetector.ReadState(reader),
            _ => throw new InvalidDataException($"Unknown detector state tag '{tag}'."),
        };
    }

    /// <summary>Convenience: the state of <paramref name="detector"/> as bytes.</summary>
    public static byte[] ToBytes(IStreamingDetector detector) => Written(detector).ToArray();

    /// <summary>The length of <see cref="ToBytes"/>'s answer, without allocating it (the state endpoint shows it).</summary>
    public static int SizeOf(IStreamingDetector detector) => Written(detector).Length;

    // One writer per thread, reused: a host snapshot writes hundreds of detector states in a row, and growing a fresh
    // MemoryStream for each was most of the snapshot's garbage. WriteState never calls back into this class.
    [ThreadStatic] private static MemoryStream? t_scratch;
    [ThreadStatic] private static BinaryWriter? t_writer;

    private static ReadOnlySpan<byte> Written(IStreamingDetector detector)
    {
        ArgumentNullException.ThrowIfNull(detector);
        var stream = t_scratch ??= new MemoryStream();
        var writer = t_writer ??= new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        stream.SetLength(0);
        detector.WriteState(writer);
        writer.Flush();
        return stream.GetBuffer().AsSpan(0, (int)stream.Length);
    }

    /// <summary>Convenience: a detector from bytes written by <see cref="ToBytes"/>.</summary>
    public static IStreamingDetector FromBytes(ReadOnlySpan<byte> bytes)
    {
        using var stream = new MemoryStream(bytes.ToArray(), writable: false);
        using var reader = new BinaryReader(stream);
        return Read(reader);
    }
}

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
    public static byte[] ToBytes(IStreamingDetector detector)
    {
        ArgumentNullException.ThrowIfNull(detector);
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            detector.WriteState(writer);
        }

        return stream.ToArray();
    }

    /// <summary>Convenience: a detector from bytes written by <see cref="ToBytes"/>.</summary>
    public static IStreamingDetector FromBytes(ReadOnlySpan<byte> bytes)
    {
        using var stream = new MemoryStream(bytes.ToArray(), writable: false);
        using var reader = new BinaryReader(stream);
        return Read(reader);
    }
}

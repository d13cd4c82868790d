namespace Perf.Protocols;

/// <summary>A body that cannot be decoded at all (broken compression, not the protobuf message, too large once
/// decompressed). <see cref="Field"/> names what was wrong, for the problem answer.</summary>
public sealed class ProtocolFormatException(string field, string message, bool tooLarge = false) : Exception(message)
{
    public string Field { get; } = field;

    /// <summary>The body decompressed to more than the limit (answered 413, not 400).</summary>
    public bool TooLarge { get; } = tooLarge;
}

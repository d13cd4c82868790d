using System.Buffers;

namespace Perf.Api.Ingest;

/// <summary>
/// A request body read into an array rented from the shared pool (or, once inflated, an array of its own): no copy on
/// the large-object heap per request. Dispose it once the request is decoded.
/// </summary>
public sealed class PooledBody : IDisposable
{
    private byte[] _buffer;
    private readonly bool _rented;

    private PooledBody(byte[] buffer, int length, bool rented)
    {
        _buffer = buffer;
        Length = length;
        _rented = rented;
    }

    public int Length { get; }

    public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, Length);

    public ArraySegment<byte> Segment => new(_buffer, 0, Length);

    public static PooledBody Rented(byte[] buffer, int length) => new(buffer, length, rented: true);

    public static PooledBody Owned(byte[] buffer) => new(buffer, buffer.Length, rented: false);

    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, []);
        if (_rented && buffer.Length > 0) ArrayPool<byte>.Shared.Return(buffer);
    }
}

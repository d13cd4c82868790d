namespace Perf.Protocols.LineProtocol;

/// <summary>Why a line was refused, located by its 1-based line and column (in bytes).</summary>
public sealed record LineError(int Line, int Column, string Reason)
{
    public override string ToString() => $"line {Line}:{Column}: {Reason}";
}

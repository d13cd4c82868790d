namespace Perf.Protocols.LineProtocol;

/// <summary>The five field value types of line protocol, told apart by their syntax (<c>1.5</c>, <c>1i</c>, <c>1u</c>, <c>t</c>, <c>"s"</c>).</summary>
public enum FieldKind
{
    Float,
    Integer,
    Unsigned,
    Boolean,
    String,
}

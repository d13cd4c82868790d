using System.Globalization;

namespace Perf.Protocols.LineProtocol;

/// <summary>
/// A decoded field value with its type kept (the dry run prints it as decoded). A value type: a batch of line protocol
/// holds one per field, and most are numbers.
/// </summary>
public readonly record struct FieldValue(FieldKind Kind, double Float, long Integer, ulong Unsigned, string? Text)
{
    public static FieldValue Of(double value) => new(FieldKind.Float, value, 0, 0, null);

    public static FieldValue Of(long value) => new(FieldKind.Integer, 0, value, 0, null);

    public static FieldValue Of(ulong value) => new(FieldKind.Unsigned, 0, 0, value, null);

    public static FieldValue Of(bool value) => new(FieldKind.Boolean, 0, value ? 1 : 0, 0, null);

    public static FieldValue Of(string value) => new(FieldKind.String, 0, 0, 0, value);

    public bool Boolean => Kind == FieldKind.Boolean && Integer != 0;

    /// <summary>What Perf stores: floats, integers and unsigned integers as numbers, booleans as 1/0; a string carries no number.</summary>
    public double? AsNumber() => Kind switch
    {
        FieldKind.Float => Float,
        FieldKind.Integer or FieldKind.Boolean => Integer,
        FieldKind.Unsigned => Unsigned,
        _ => null,
    };

    public override string ToString() => Kind switch
    {
        FieldKind.Float => Float.ToString("R", CultureInfo.InvariantCulture),
        FieldKind.Integer => Integer.ToString(CultureInfo.InvariantCulture) + "i",
        FieldKind.Unsigned => Unsigned.ToString(CultureInfo.InvariantCulture) + "u",
        FieldKind.Boolean => Boolean ? "true" : "false",
        _ => '"' + Text + '"',
    };
}

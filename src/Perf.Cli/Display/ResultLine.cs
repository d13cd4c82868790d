using System.Text;
using System.Text.Json;

namespace Perf.Cli.Display;

/// <summary>
/// Writes the one machine-readable summary line, <c>RESULT {"field":value,...}</c>, with snake_case fields
/// in a fixed order and <c>null</c> for what could not be measured.
/// </summary>
public sealed class ResultLine
{
    public const string Prefix = "RESULT ";

    private readonly List<KeyValuePair<string, object?>> fields = [];

    public ResultLine Add(string name, long? value)
    {
        fields.Add(new(name, value));
        return this;
    }

    /// <summary>Adds a number rounded to <paramref name="decimals"/> places, so the line stays short and stable.</summary>
    public ResultLine Add(string name, double? value, int decimals)
    {
        fields.Add(new(name, value is { } number && double.IsFinite(number) ? Math.Round(number, decimals) : null));
        return this;
    }

    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            foreach (var (name, value) in fields)
            {
                switch (value)
                {
                    case null:
                        writer.WriteNull(name);
                        break;
                    case long integer:
                        writer.WriteNumber(name, integer);
                        break;
                    case double number:
                        writer.WriteNumber(name, number);
                        break;
                }
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    public override string ToString() => Prefix + ToJson();
}

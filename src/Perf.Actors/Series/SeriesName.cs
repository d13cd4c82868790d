using System.Text;

namespace Perf.Actors.Series;

/// <summary>
/// Series names from names and labels that may hold any character (the agents', and the engine's own figures). A series
/// name is <c>name{key="value",...}</c> with the labels sorted by key (the JSON endpoint's form), so the same labels in
/// any order name the same series. Characters that would break the name's structure or the API's routes are
/// percent-encoded: <c>%</c>, <c>/</c> (a series is addressed as <c>/api/v1/series/{host}/{metric}</c>) and control
/// characters everywhere, <c>{</c> and <c>}</c> in names, and space, <c>,</c>, <c>=</c> and <c>"</c> in label keys;
/// label values escape <c>\</c> and <c>"</c> with a backslash. So <c>mountpoint="/"</c> becomes <c>mountpoint="%2F"</c>.
/// </summary>
public static class SeriesName
{
    /// <summary>The longest series name the query endpoints take.</summary>
    public const int MaxLength = 1024;

    public static string Labelled(string name, IReadOnlyList<KeyValuePair<string, string>> sortedLabels)
    {
        var builder = new StringBuilder(name.Length + sortedLabels.Count * 24);
        Encode(builder, name, NameSpecial);
        if (sortedLabels.Count == 0) return builder.ToString();
        builder.Append('{');
        for (var i = 0; i < sortedLabels.Count; i++)
        {
            if (i > 0) builder.Append(',');
            Encode(builder, sortedLabels[i].Key, KeySpecial);
            builder.Append("=\"");
            foreach (var c in sortedLabels[i].Value)
            {
                if (c is '\\' or '"') builder.Append('\\').Append(c);
                else if (c is '%' or '/' || char.IsControl(c)) Percent(builder, c);
                else builder.Append(c);
            }
            builder.Append('"');
        }
        return builder.Append('}').ToString();
    }

    private static bool NameSpecial(char c) => c is '%' or '/' or '{' or '}' || char.IsControl(c);

    private static bool KeySpecial(char c) => c is '%' or '/' or '{' or '}' or ',' or '=' or '"' or ' ' || char.IsControl(c);

    private static void Encode(StringBuilder builder, string text, Func<char, bool> special)
    {
        foreach (var c in text)
        {
            if (special(c)) Percent(builder, c);
            else builder.Append(c);
        }
    }

    private static void Percent(StringBuilder builder, char c)
    {
        if (c < 0x80)
        {
            builder.Append('%').Append(((int)c).ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            return;
        }
        Span<byte> utf8 = stackalloc byte[4];
        var written = Encoding.UTF8.GetBytes([c], utf8);
        foreach (var b in utf8[..written]) builder.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
    }
}

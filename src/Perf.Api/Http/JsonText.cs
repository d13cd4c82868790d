using System.Text.Unicode;

namespace Perf.Api.Http;

/// <summary>
/// What System.Text.Json parses but cannot turn into a string: invalid UTF-8 bytes and escaped surrogates that do not
/// pair (<c>\ud800</c> alone). The parser accepts both and the string read later throws, so a body is checked before
/// it is parsed and refused with 400 instead of failing halfway through with 500.
/// </summary>
public static class JsonText
{
    /// <summary>Why <paramref name="json"/> cannot be read as text, or null when it can.</summary>
    public static string? Problem(ReadOnlySpan<byte> json)
    {
        if (!Utf8.IsValid(json)) return "is not valid UTF-8";
        // Surrogate escapes are rare in metric documents: only a backslash starts a look.
        for (var at = json.IndexOf((byte)'\\'); at >= 0; )
        {
            var next = at + 2;
            if (SurrogateAt(json, at) is { } high)
            {
                if (high < 0xDC00 && SurrogateAt(json, at + 6) is >= 0xDC00) next = at + 12;
                else return $"has an unpaired surrogate escape at byte {at + 1} (\\u{high:x4})";
            }
            var rest = next < json.Length ? json[next..].IndexOf((byte)'\\') : -1;
            at = rest < 0 ? -1 : next + rest;
        }
        return null;
    }

    /// <summary>The code unit of the <c>\uXXXX</c> escape at <paramref name="at"/> when it is a surrogate (D800-DFFF).</summary>
    private static int? SurrogateAt(ReadOnlySpan<byte> json, int at)
    {
        if (at + 6 > json.Length || json[at] != '\\' || json[at + 1] != 'u') return null;
        var unit = 0;
        for (var i = at + 2; i < at + 6; i++)
        {
            var digit = HexDigit(json[i]);
            if (digit < 0) return null;
            unit = unit << 4 | digit;
        }
        return unit is >= 0xD800 and <= 0xDFFF ? unit : null;
    }

    private static int HexDigit(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };
}

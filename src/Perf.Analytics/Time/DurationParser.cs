using System.Globalization;
using System.Text;

namespace Perf.Analytics.Time;

/// <summary>
/// Durations as written in configuration and query strings: "500ms", "30s", "5m", "1h", "7d", "2w", combinations
/// such as "1h30m", a plain number of seconds, or the .NET clock form "hh:mm:ss".
/// </summary>
public static class DurationParser
{
    private const int SecondsUnit = 4;
    private const int MillisecondsUnit = 5;

    // Largest first: parsing requires ascending indexes and formatting walks them in order.
    private static readonly (string Suffix, long Ticks)[] Units =
    [
        ("w", TimeSpan.TicksPerDay * 7),
        ("d", TimeSpan.TicksPerDay),
        ("h", TimeSpan.TicksPerHour),
        ("m", TimeSpan.TicksPerMinute),
        ("s", TimeSpan.TicksPerSecond),
        ("ms", TimeSpan.TicksPerMillisecond),
    ];

    /// <summary>
    /// Parses a non-negative duration. Components may carry decimals ("1.5h") and must appear largest unit first,
    /// each at most once, with no spaces; units are lower case because "M" conventionally means months elsewhere.
    /// </summary>
    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        ReadOnlySpan<char> s = text.AsSpan().Trim();
        if (s.Contains(':'))
        {
            // TimeSpan's own parser also accepts a bare integer as days, hence the ':' gate above.
            return s[0] != '-'
                && TimeSpan.TryParse(s, CultureInfo.InvariantCulture, out duration)
                && duration >= TimeSpan.Zero;
        }

        decimal ticks = 0;
        int previousUnit = -1;
        int i = 0;
        while (i < s.Length)
        {
            int numberStart = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
            {
                i++;
            }

            if (!TryParseNumber(s[numberStart..i], out decimal number))
            {
                return false;
            }

            int unitStart = i;
            while (i < s.Length && char.IsAsciiLetterLower(s[i]))
            {
                i++;
            }

            ReadOnlySpan<char> suffix = s[unitStart..i];
            int unit;
            if (suffix.IsEmpty)
            {
                // A unit-less number means seconds, but only on its own: "1h30" is more likely a typo than 1h30s.
                if (numberStart != 0 || i != s.Length)
                {
                    return false;
                }

                unit = SecondsUnit;
            }
            else
            {
                unit = IndexOfUnit(suffix);
                if (unit < 0 || unit <= previousUnit)
                {
                    return false;
                }
            }

            previousUnit = unit;
            long unitTicks = Units[unit].Ticks;
            // Bounding each term keeps the decimal arithmetic far from its own overflow.
            if (number > (decimal)TimeSpan.MaxValue.Ticks / unitTicks)
            {
                return false;
            }

            ticks += number * unitTicks;
        }

        ticks = Math.Round(ticks, MidpointRounding.AwayFromZero);
        if (ticks > TimeSpan.MaxValue.Ticks)
        {
            return false;
        }

        duration = TimeSpan.FromTicks((long)ticks);
        return true;
    }

    /// <summary>
    /// Formats as the unit form, largest unit first and zero components omitted ("1h30m", "1w1d", "500ms", "0s");
    /// a remainder below one millisecond is written as decimal milliseconds so that parsing gives back the same value.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="duration"/> is negative.</exception>
    public static string Format(TimeSpan duration)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(duration, TimeSpan.Zero);
        if (duration == TimeSpan.Zero)
        {
            return "0s";
        }

        var builder = new StringBuilder();
        long remaining = duration.Ticks;
        for (int unit = 0; unit < Units.Length; unit++)
        {
            var (suffix, unitTicks) = Units[unit];
            long whole = remaining / unitTicks;
            remaining -= whole * unitTicks;
            if (unit == MillisecondsUnit && remaining != 0)
            {
                decimal milliseconds = whole + (remaining / (decimal)unitTicks);
                builder.Append(milliseconds.ToString(CultureInfo.InvariantCulture)).Append(suffix);
                break;
            }

            if (whole != 0)
            {
                builder.Append(whole.ToString(CultureInfo.InvariantCulture)).Append(suffix);
            }
        }

        return builder.ToString();
    }

    private static int IndexOfUnit(ReadOnlySpan<char> suffix)
    {
        for (int i = 0; i < Units.Length; i++)
        {
            if (suffix.SequenceEqual(Units[i].Suffix))
            {
                return i;
            }
        }

        return -1;
    }

    private static bool TryParseNumber(ReadOnlySpan<char> text, out decimal number)
    {
        number = 0;
        // Digits with an optional fraction that has digits on both sides: "1.5" yes, ".5", "1." and "1.2.3" no.
        int dot = text.IndexOf('.');
        if (text.IsEmpty || dot == 0 || dot == text.Length - 1 || (dot > 0 && text[(dot + 1)..].Contains('.')))
        {
            return false;
        }

        return decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out number);
    }
}

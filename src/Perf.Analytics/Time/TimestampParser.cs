using System.Globalization;

namespace Perf.Analytics.Time;

/// <summary>Timestamps as accepted by the API and the CLI, normalised to Unix epoch milliseconds.</summary>
public static class TimestampParser
{
    // The range DateTime can represent, so every accepted value can also be formatted.
    private static readonly long MinEpochMs = DateTimeOffset.MinValue.ToUnixTimeMilliseconds();
    private static readonly long MaxEpochMs = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds();

    /// <summary>
    /// Parses RFC 3339 / ISO 8601 extended date-time with a zone ("2024-03-20T10:00:00Z",
    /// "2024-03-20T12:00:00.5+02:00"), or a Unix number whose magnitude picks the unit: below 1e11 seconds,
    /// below 1e14 milliseconds, below 1e17 microseconds, otherwise nanoseconds. Sub-millisecond precision is
    /// floored. Local times without a zone and date-only values are rejected because their instant is ambiguous.
    /// </summary>
    public static bool TryParse(string? text, out long epochMs)
    {
        epochMs = 0;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        ReadOnlySpan<char> s = text.AsSpan().Trim();
        long result;
        bool parsed = decimal.TryParse(
                s,
                NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent,
                CultureInfo.InvariantCulture,
                out decimal number)
            ? TryFromUnixNumber(number, out result)
            : TryParseIso(s, out result);
        if (!parsed || result < MinEpochMs || result > MaxEpochMs)
        {
            return false;
        }

        epochMs = result;
        return true;
    }

    /// <summary>Formats as UTC "yyyy-MM-ddTHH:mm:ssZ", adding ".fff" only when the milliseconds are not zero.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Outside the years 0001 to 9999.</exception>
    public static string FormatIso(long epochMs)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(epochMs, MinEpochMs);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(epochMs, MaxEpochMs);
        var utc = DateTime.UnixEpoch.AddTicks(epochMs * TimeSpan.TicksPerMillisecond);
        string format = utc.Millisecond == 0 ? "yyyy-MM-dd'T'HH:mm:ss'Z'" : "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
        return utc.ToString(format, CultureInfo.InvariantCulture);
    }

    private static bool TryFromUnixNumber(decimal number, out long epochMs)
    {
        epochMs = 0;
        decimal magnitude = Math.Abs(number);
        decimal milliseconds = magnitude < 1e11m ? number * 1000m
            : magnitude < 1e14m ? number
            : magnitude < 1e17m ? number / 1000m
            : number / 1_000_000m;
        milliseconds = Math.Floor(milliseconds);
        if (milliseconds < long.MinValue || milliseconds > long.MaxValue)
        {
            return false;
        }

        epochMs = (long)milliseconds;
        return true;
    }

    // Hand-written rather than DateTimeOffset.TryParse, which also takes local times, date-only values and
    // culture-dependent forms that would make the accepted syntax depend on the machine.
    private static bool TryParseIso(ReadOnlySpan<char> s, out long epochMs)
    {
        epochMs = 0;
        int i = 0;
        if (!TryDigits(s, ref i, 4, out int year) || !TryChar(s, ref i, '-')
            || !TryDigits(s, ref i, 2, out int month) || !TryChar(s, ref i, '-')
            || !TryDigits(s, ref i, 2, out int day))
        {
            return false;
        }

        // RFC 3339 allows a space or lower-case 't' in place of 'T'.
        if (i >= s.Length || s[i] is not ('T' or 't' or ' '))
        {
            return false;
        }

        i++;
        if (!TryDigits(s, ref i, 2, out int hour) || !TryChar(s, ref i, ':') || !TryDigits(s, ref i, 2, out int minute))
        {
            return false;
        }

        int second = 0;
        int millisecond = 0;
        if (i < s.Length && s[i] == ':')
        {
            i++;
            if (!TryDigits(s, ref i, 2, out second))
            {
                return false;
            }

            if (i < s.Length && s[i] is '.' or ',')
            {
                i++;
                int fractionStart = i;
                while (i < s.Length && char.IsAsciiDigit(s[i]))
                {
                    // Only the first three digits matter; the rest are truncated, like the unix-number path.
                    if (i - fractionStart < 3)
                    {
                        millisecond = (millisecond * 10) + (s[i] - '0');
                    }

                    i++;
                }

                int digits = i - fractionStart;
                if (digits == 0)
                {
                    return false;
                }

                for (int d = digits; d < 3; d++)
                {
                    millisecond *= 10;
                }
            }
        }

        if (!TryParseOffset(s, ref i, out int offsetMinutes) || i != s.Length)
        {
            return false;
        }

        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)
            || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        long days = new DateOnly(year, month, day).DayNumber - DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber;
        long seconds = (days * 86_400) + (hour * 3_600) + (minute * 60) + second - (offsetMinutes * 60L);
        epochMs = (seconds * 1_000) + millisecond;
        return true;
    }

    private static bool TryParseOffset(ReadOnlySpan<char> s, ref int i, out int offsetMinutes)
    {
        offsetMinutes = 0;
        if (i >= s.Length)
        {
            return false;
        }

        char sign = s[i++];
        if (sign is 'Z' or 'z')
        {
            return true;
        }

        if (sign is not ('+' or '-') || !TryDigits(s, ref i, 2, out int hours) || hours > 23)
        {
            return false;
        }

        int minutes = 0;
        if (i < s.Length)
        {
            // "+02:00", "+0200" and "+02" are all ISO 8601 forms.
            if (s[i] == ':')
            {
                i++;
            }

            if (!TryDigits(s, ref i, 2, out minutes) || minutes > 59)
            {
                return false;
            }
        }

        offsetMinutes = (sign == '-' ? -1 : 1) * ((hours * 60) + minutes);
        return true;
    }

    private static bool TryChar(ReadOnlySpan<char> s, ref int i, char expected)
    {
        if (i < s.Length && s[i] == expected)
        {
            i++;
            return true;
        }

        return false;
    }

    private static bool TryDigits(ReadOnlySpan<char> s, ref int i, int count, out int value)
    {
        value = 0;
        if (i + count > s.Length)
        {
            return false;
        }

        for (int end = i + count; i < end; i++)
        {
            if (!char.IsAsciiDigit(s[i]))
            {
                return false;
            }

            value = (value * 10) + (s[i] - '0');
        }

        return true;
    }
}

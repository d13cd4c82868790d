using System.Globalization;

namespace Perf.Cli.Parsing;

/// <summary>
/// Parses human durations such as <c>30s</c>, <c>2m</c>, <c>1m30s</c>, <c>500ms</c>, <c>1.5h</c>.
/// A bare number means seconds, because that is what people type for a benchmark length.
/// </summary>
public static class DurationParser
{
    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var input = text.Trim().ToLowerInvariant();
        if (double.TryParse(input, NumberStyles.Float, CultureInfo.InvariantCulture, out var bareSeconds))
        {
            return TryFromTicks(bareSeconds * TimeSpan.TicksPerSecond, out duration);
        }

        double totalTicks = 0;
        var position = 0;
        while (position < input.Length)
        {
            var numberStart = position;
            while (position < input.Length && (char.IsAsciiDigit(input[position]) || input[position] == '.'))
            {
                position++;
            }

            if (position == numberStart ||
                !double.TryParse(input.AsSpan(numberStart, position - numberStart), NumberStyles.Float,
                    CultureInfo.InvariantCulture, out var amount))
            {
                return false;
            }

            var unitStart = position;
            while (position < input.Length && char.IsAsciiLetter(input[position]))
            {
                position++;
            }

            var ticksPerUnit = TicksPerUnit(input[unitStart..position]);
            if (ticksPerUnit is null)
            {
                return false;
            }

            totalTicks += amount * ticksPerUnit.Value;
        }

        return TryFromTicks(totalTicks, out duration);
    }

    public static TimeSpan Parse(string text) =>
        TryParse(text, out var duration)
            ? duration
            : throw new FormatException($"'{text}' is not a duration (examples: 30s, 2m, 1m30s, 500ms, 1h).");

    /// <summary>Formats a duration the way <see cref="TryParse"/> reads it, for help defaults and reports.</summary>
    public static string Format(TimeSpan duration)
    {
        if (duration.TotalMilliseconds < 1000 && duration.Ticks % TimeSpan.TicksPerMillisecond == 0)
        {
            return $"{(long)duration.TotalMilliseconds}ms";
        }

        if (duration.Ticks % TimeSpan.TicksPerHour == 0)
        {
            return $"{(long)duration.TotalHours}h";
        }

        if (duration.Ticks % TimeSpan.TicksPerMinute == 0)
        {
            return $"{(long)duration.TotalMinutes}m";
        }

        return duration.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + "s";
    }

    // Whole ticks per unit, so that "123ms" is exactly 123 ms and not 122.9999 after a detour through seconds.
    private static long? TicksPerUnit(string unit) => unit switch
    {
        "ms" => TimeSpan.TicksPerMillisecond,
        "s" or "sec" or "secs" => TimeSpan.TicksPerSecond,
        "m" or "min" or "mins" => TimeSpan.TicksPerMinute,
        "h" or "hr" or "hrs" => TimeSpan.TicksPerHour,
        "d" => TimeSpan.TicksPerDay,
        _ => null,
    };

    private static bool TryFromTicks(double ticks, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (double.IsNaN(ticks) || ticks < 0 || ticks >= TimeSpan.MaxValue.Ticks)
        {
            return false;
        }

        duration = TimeSpan.FromTicks((long)Math.Round(ticks));
        return true;
    }
}

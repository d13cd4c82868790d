using System.Globalization;
using Akka.Configuration;
using Perf.Analytics.Time;

namespace Perf.Actors.Configuration;

/// <summary>
/// Reads typed values from HOCON with the key in every error. Durations use Perf's own syntax ("500ms", "30s", "30d")
/// so the product document's values read as written; sizes accept "1024MB"-style suffixes.
/// </summary>
public sealed class ConfigReader(Config config)
{
    public bool Has(string key) => config.HasPath(key);

    public string String(string key)
    {
        var value = Raw(key);
        if (string.IsNullOrWhiteSpace(value)) throw new PerfConfigurationException(key, "a value is required");
        return value;
    }

    /// <summary>A string that may be left empty (""): null then.</summary>
    public string? OptionalString(string key)
    {
        var value = Raw(key);
        return string.IsNullOrWhiteSpace(value) ? null : value;
    }

    public bool Bool(string key) => Raw(key).ToLowerInvariant() switch
    {
        "true" or "on" or "yes" => true,
        "false" or "off" or "no" => false,
        var other => throw new PerfConfigurationException(key, $"'{other}' is not true or false"),
    };

    public int Int(string key, int min = int.MinValue, int max = int.MaxValue)
    {
        var raw = Raw(key);
        if (!int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
            throw new PerfConfigurationException(key, $"'{raw}' is not a whole number");
        if (value < min || value > max) throw new PerfConfigurationException(key, $"{value} is outside [{min}, {max}]");
        return value;
    }

    public double Double(string key, double min = double.MinValue, double max = double.MaxValue)
    {
        var raw = Raw(key);
        if (!double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
            throw new PerfConfigurationException(key, $"'{raw}' is not a number");
        if (value < min || value > max) throw new PerfConfigurationException(key, $"{value} is outside [{min}, {max}]");
        return value;
    }

    public TimeSpan Duration(string key, TimeSpan? min = null)
    {
        var raw = Raw(key);
        if (!DurationParser.TryParse(raw, out var value))
            throw new PerfConfigurationException(key, $"'{raw}' is not a duration (e.g. 500ms, 30s, 5m, 1h, 30d)");
        if (min is { } floor && value < floor) throw new PerfConfigurationException(key, $"{raw} is shorter than {DurationParser.Format(floor)}");
        return value;
    }

    /// <summary>A threshold that may be a plain number or a duration (response_time: 500ms); durations read as milliseconds.</summary>
    public double NumberOrMilliseconds(string key)
    {
        var raw = Raw(key);
        if (double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number)) return number;
        if (DurationParser.TryParse(raw, out var duration)) return duration.TotalMilliseconds;
        throw new PerfConfigurationException(key, $"'{raw}' is neither a number nor a duration");
    }

    public long Bytes(string key, long min = 0)
    {
        var raw = Raw(key).Trim();
        var digits = raw.TakeWhile(c => char.IsDigit(c) || c == '.').Count();
        var unit = raw[digits..].Trim().ToUpperInvariant();
        long multiplier = unit switch
        {
            "" or "B" => 1,
            "K" or "KB" or "KIB" => 1L << 10,
            "M" or "MB" or "MIB" => 1L << 20,
            "G" or "GB" or "GIB" => 1L << 30,
            _ => 0,
        };
        if (multiplier == 0 || !double.TryParse(raw[..digits], NumberStyles.Float, CultureInfo.InvariantCulture, out var amount))
            throw new PerfConfigurationException(key, $"'{raw}' is not a size (e.g. 512KB, 10MB, 1GB)");
        var bytes = (long)(amount * multiplier);
        if (bytes < min) throw new PerfConfigurationException(key, $"{raw} is smaller than {min} bytes");
        return bytes;
    }

    public string OneOf(string key, params string[] allowed)
    {
        var value = String(key);
        if (!allowed.Contains(value, StringComparer.OrdinalIgnoreCase))
            throw new PerfConfigurationException(key, $"'{value}' is not one of {string.Join(", ", allowed)}");
        return value.ToLowerInvariant();
    }

    public IReadOnlyList<string> StringList(string key)
    {
        if (!config.HasPath(key)) throw new PerfConfigurationException(key, "is missing");
        var value = config.GetValue(key);
        // An environment override arrives as a plain string ("email,slack"); HOCON would read it as an empty list.
        if (value.IsString())
            return value.GetString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        try { return config.GetStringList(key).ToArray(); }
        catch (Exception e) when (e is not PerfConfigurationException) { throw new PerfConfigurationException(key, "is not a list of names"); }
    }

    public IEnumerable<string> Children(string key)
    {
        if (!config.HasPath(key)) return [];
        return config.GetConfig(key).AsEnumerable().Select(pair => pair.Key.Split('.')[0]).Distinct();
    }

    private string Raw(string key)
    {
        if (!config.HasPath(key)) throw new PerfConfigurationException(key, "is missing");
        try { return config.GetString(key) ?? throw new PerfConfigurationException(key, "is empty"); }
        catch (Exception e) when (e is not PerfConfigurationException) { throw new PerfConfigurationException(key, $"cannot be read as a value ({e.Message})"); }
    }
}

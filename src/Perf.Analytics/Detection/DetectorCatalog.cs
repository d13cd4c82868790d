using System.Globalization;
using System.Reflection;

namespace Perf.Analytics.Detection;

/// <summary>
/// The detectors by name (<c>perf detect --detector</c>, the engine's <c>perf.detection</c> families), how
/// <c>name=value</c> pairs set their options, how the product document's sensitivity tunes them, and how each
/// detector's output row becomes one <c>anomaly_score</c> in [0, 1].
/// </summary>
/// <remarks>
/// anomaly_score per detector (monotone in the detector's own evidence, so NAB's threshold sweep ranks points the
/// way the detector does):
/// <list type="bullet">
/// <item>iid-spike, ssa-spike: 1 - P-Value (the p-value is two-sided unless side= says otherwise, so 0.5..1).</item>
/// <item>iid-changepoint, ssa-changepoint: the martingale squashed on a log scale, 1 / (1 + exp(-(ln M - ln T) / ln T))
/// with T = beta(1 - confidence / 100)^W the detector's own alert level, so the score is 0.5 exactly where the
/// detector raises a change point.</item>
/// <item>sr: the Score column clamped to [0, 1] (what the detector's Alert compares with its threshold).</item>
/// <item>ensemble: its Score column (already in [0, 1]).</item>
/// </list>
/// Rows without a score (missing values, warm-up of the SSA detectors) get 0.
/// </remarks>
public static class DetectorCatalog
{
    /// <summary>The default detector.</summary>
    public const string Default = "ensemble";

    /// <summary>Names accepted by <c>--detector</c>.</summary>
    public static IReadOnlyList<string> Names { get; } =
        ["ensemble", "iid-spike", "iid-changepoint", "ssa-spike", "ssa-changepoint", "sr"];

    /// <summary>
    /// Builds the detector <paramref name="name"/> with <paramref name="options"/> (k=v pairs, names matched without
    /// regard to case, '-' or '_'). Throws <see cref="ArgumentException"/> with a message naming the bad option.
    /// </summary>
    public static Func<IStreamingDetector> CreateFactory(string name, IReadOnlyList<string> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return name switch
        {
            "ensemble" => Bind(name, () => new EnsembleOptions(), options, o => new EnsembleDetector(o)),
            "iid-spike" => Bind(name, () => new IidSpikeOptions(), options, o => new IidSpikeDetector(o)),
            "iid-changepoint" => Bind(name, () => new IidChangePointOptions(), options, o => new IidChangePointDetector(o)),
            "ssa-spike" => Bind(name, () => new SsaSpikeOptions(), options, o => new SsaSpikeDetector(o)),
            "ssa-changepoint" => Bind(name, () => new SsaChangePointOptions(), options, o => new SsaChangePointDetector(o)),
            "sr" => Bind(name, () => new SrCnnOptions(), options, o => new SrCnnDetector(o)),
            _ => throw new ArgumentException(
                $"Unknown detector '{name}'; expected one of {string.Join(", ", Names)}.", nameof(name)),
        };
    }

    /// <summary>
    /// The options that carry the product document's <c>analysis.anomaly_detection.sensitivity</c> (in [0, 1], default
    /// 0.8) to detector <paramref name="name"/>, as <c>name=value</c> pairs to put before any explicit option (which then
    /// wins). ensemble: its own Sensitivity. Spike and change-point detectors: Confidence = 100 * (1 - alpha) with the
    /// false-alarm level alpha = alpha0 * 10^(5 * (sensitivity - 0.8)), capped at 0.5, where alpha0 is 0.001 for spikes
    /// (one false spike per 1,000 points of pure noise at the default) and 0.05 for change points (ML.NET's default
    /// confidence 95). sr: none (its threshold is a score, not a probability).
    /// </summary>
    public static IReadOnlyList<string> SensitivityOptions(string name, double sensitivity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sensitivity, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(sensitivity, 1);
        return name switch
        {
            "ensemble" => [Pair("sensitivity", sensitivity)],
            "iid-spike" or "ssa-spike" => [Pair("confidence", Confidence(0.001, sensitivity))],
            "iid-changepoint" or "ssa-changepoint" => [Pair("confidence", Confidence(0.05, sensitivity))],
            _ => [],
        };

        static double Confidence(double alpha0, double sensitivity) =>
            Math.Round(100 * (1 - Math.Min(0.5, alpha0 * Math.Pow(10, 5 * (sensitivity - 0.8)))), 10); // 99.9, not 99.89999999999999

        static string Pair(string key, double value) => key + "=" + value.ToString("R", CultureInfo.InvariantCulture);
    }

    /// <summary>What kind of finding an alert of detector <paramref name="name"/> is: spike, changepoint or anomaly.</summary>
    public static string AlertKind(string name) => name switch
    {
        "iid-spike" or "ssa-spike" or "sr" => "spike",
        "iid-changepoint" or "ssa-changepoint" => "changepoint",
        _ => "anomaly",
    };

    /// <summary>The anomaly score in [0, 1] of one output row of <paramref name="detector"/> (see the class remarks).</summary>
    public static double AnomalyScore(IStreamingDetector detector, ReadOnlySpan<double> row)
    {
        ArgumentNullException.ThrowIfNull(detector);
        double score = detector switch
        {
            IidSpikeDetector or SsaSpikeDetector => 1 - row[2],
            IidChangePointDetector d => SquashMartingale(row[3], d.Options.Confidence, d.Options.ChangeHistoryLength,
                d.Options.Martingale, d.Options.PowerMartingaleEpsilon),
            SsaChangePointDetector d => SquashMartingale(row[3], d.Options.Confidence, d.Options.ChangeHistoryLength,
                d.Options.Martingale, d.Options.PowerMartingaleEpsilon),
            _ => row[1],
        };
        return double.IsNaN(score) ? 0 : Math.Clamp(score, 0, 1);
    }

    /// <summary>1 / (1 + exp(-(ln M - ln T) / ln T)), T the change-point alert level; 0.5 at the alert level.</summary>
    public static double SquashMartingale(double martingale, double confidence, int window, MartingaleType type, double epsilon)
    {
        if (double.IsNaN(martingale))
        {
            return double.NaN;
        }

        double logThreshold = window * LogBettingFactor(type, epsilon, 1 - (confidence / 100));
        double scale = Math.Max(Math.Abs(logThreshold), 1);
        return 1 / (1 + Math.Exp(-(Math.Log(martingale) - logThreshold) / scale));
    }

    private static double LogBettingFactor(MartingaleType type, double epsilon, double p)
    {
        double lnP = Math.Log(p);
        return type == MartingaleType.Power
            ? Math.Log(epsilon) + ((epsilon - 1) * lnP)
            : Math.Log(((p * lnP) - p + 1) / (p * lnP * lnP));
    }

    private static Func<IStreamingDetector> Bind<TOptions>(
        string detector, Func<TOptions> defaults, IReadOnlyList<string> pairs, Func<TOptions, IStreamingDetector> create)
        where TOptions : class
    {
        // Bind once up front so that a bad option fails before any file is read, then hand out fresh detectors
        // built from a fresh copy of the options each time.
        _ = Build();
        return () => create(Build());

        TOptions Build()
        {
            TOptions options = defaults();
            foreach (string pair in pairs)
            {
                Apply(detector, options, pair);
            }

            // Cross-property checks (e.g. SSA's N > 2L) surface here, still naming the option.
            try
            {
                _ = create(options);
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"Invalid options for detector '{detector}': {e.Message}", e);
            }

            return options;
        }
    }

    private static void Apply(string detector, object options, string pair)
    {
        int eq = pair.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0)
        {
            throw new ArgumentException($"Option '{pair}' is not of the form name=value.");
        }

        string key = pair[..eq].Trim();
        string text = pair[(eq + 1)..].Trim();
        PropertyInfo? property = FindProperty(options.GetType(), key);
        if (property is null)
        {
            string known = string.Join(", ", SettableProperties(options.GetType()).Select(p => ToCamel(p.Name)));
            throw new ArgumentException($"Unknown option '{key}' for detector '{detector}'; known options: {known}.");
        }

        object value = Convert(property, key, text);
        try
        {
            property.SetValue(options, value);
        }
        catch (TargetInvocationException e) when (e.InnerException is ArgumentException inner)
        {
            throw new ArgumentException($"Invalid value '{text}' for option '{key}': {inner.Message}", inner);
        }
    }

    private static object Convert(PropertyInfo property, string key, string text)
    {
        Type type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        if (type == typeof(int) && int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int i))
        {
            return i;
        }

        if (type == typeof(double) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double d))
        {
            return d;
        }

        if (type == typeof(bool) && bool.TryParse(text, out bool b))
        {
            return b;
        }

        if (type.IsEnum && !int.TryParse(text, out _) && Enum.TryParse(type, text.Replace("-", "", StringComparison.Ordinal), ignoreCase: true, out object? e))
        {
            return e!;
        }

        string expected = type.IsEnum ? string.Join(", ", Enum.GetNames(type)) : type == typeof(int) ? "an integer" : type == typeof(double) ? "a number" : type.Name;
        throw new ArgumentException($"Invalid value '{text}' for option '{key}': expected {expected}.");
    }

    private static PropertyInfo? FindProperty(Type type, string key)
    {
        string wanted = Normalise(key);
        return SettableProperties(type).FirstOrDefault(p => Normalise(p.Name) == wanted);
    }

    private static IEnumerable<PropertyInfo> SettableProperties(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite && p.SetMethod is { IsPublic: true } && p.Name != "EqualityContract");

    private static string Normalise(string name) =>
        name.Replace("-", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal).ToUpperInvariant();

    private static string ToCamel(string name) => char.ToLowerInvariant(name[0]) + name[1..];
}

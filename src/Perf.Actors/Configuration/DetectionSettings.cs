using Perf.Analytics.Detection;

namespace Perf.Actors.Configuration;

/// <summary>
/// <c>perf.detection</c> with the document's <c>performance.analysis</c>: which detectors each series runs (by metric
/// family) and how many findings a series keeps.
/// </summary>
public sealed record DetectionSettings(bool Enabled, int MaxAnomaliesPerSeries, IReadOnlyList<DetectorFamily> Families)
{
    /// <summary>
    /// The detector set of <paramref name="metric"/>: the family with the most specific matching pattern (ties go to the
    /// family whose name sorts first); <see cref="DetectorSet.None"/> when analysis is off or no family matches.
    /// </summary>
    public DetectorSet For(string metric)
    {
        if (!Enabled) return DetectorSet.None;
        DetectorFamily? chosen = null;
        var best = -1;
        foreach (var family in Families)
        {
            var specificity = family.MatchSpecificity(metric);
            if (specificity > best) (chosen, best) = (family, specificity);
        }
        return chosen?.Detectors ?? DetectorSet.None;
    }

    public static DetectionSettings Read(ConfigReader config)
    {
        var defaultSensitivity = config.Double("performance.analysis.anomaly_detection.sensitivity", 0, 1);
        var defaultMinPoints = config.Int("performance.analysis.anomaly_detection.min_data_points", 0);
        foreach (var detector in config.Children("perf.detection.options"))
            if (!DetectorCatalog.Names.Contains(detector))
                throw new PerfConfigurationException($"perf.detection.options.{detector}", $"'{detector}' is not one of {string.Join(", ", DetectorCatalog.Names)}");
        var families = config.Children("perf.detection.families")
            .Order(StringComparer.Ordinal) // ties between equally specific patterns go to the first name
            .Select(name => ReadFamily(config, name, defaultSensitivity, defaultMinPoints))
            .ToArray();
        return new DetectionSettings(
            config.Bool("performance.analysis.enabled"),
            config.Int("perf.detection.max_anomalies_per_series", 0, 1_000_000),
            families);
    }

    private static DetectorFamily ReadFamily(ConfigReader config, string name, double defaultSensitivity, int defaultMinPoints)
    {
        var path = $"perf.detection.families.{name}";
        var match = config.StringList($"{path}.match").Select(text => new MetricPattern(text)).ToArray();
        if (match.Length == 0) throw new PerfConfigurationException($"{path}.match", "needs at least one metric pattern");
        var sensitivity = config.Has($"{path}.sensitivity") ? config.Double($"{path}.sensitivity", 0, 1) : defaultSensitivity;
        var minPoints = config.Has($"{path}.min_data_points") ? config.Int($"{path}.min_data_points", 0) : defaultMinPoints;
        var detectors = new List<DetectorSpec>();
        foreach (var detector in config.StringList($"{path}.detectors"))
        {
            if (!DetectorCatalog.Names.Contains(detector))
                throw new PerfConfigurationException($"{path}.detectors", $"'{detector}' is not one of {string.Join(", ", DetectorCatalog.Names)}");
            if (detectors.Any(d => d.Name == detector))
                throw new PerfConfigurationException($"{path}.detectors", $"'{detector}' is listed twice");
            var optionsPath = $"{path}.options.{detector}";
            // Engine-wide options first, so the family's own win.
            var options = Options(config, $"perf.detection.options.{detector}").Concat(Options(config, optionsPath)).ToArray();
            try { detectors.Add(Spec(detector, sensitivity, minPoints, options)); }
            catch (ArgumentException e) { throw new PerfConfigurationException(optionsPath, e.Message); }
        }
        foreach (var configured in config.Children($"{path}.options"))
            if (!detectors.Any(d => d.Name == configured))
                throw new PerfConfigurationException($"{path}.options.{configured}", $"'{configured}' is not in {path}.detectors");
        return new DetectorFamily(name, match, new DetectorSet(name, minPoints, detectors));
    }

    /// <summary>The <c>name=value</c> pairs under <paramref name="path"/> (none when it is absent).</summary>
    private static IEnumerable<string> Options(ConfigReader config, string path) =>
        config.Children(path).Order(StringComparer.Ordinal).Select(key => $"{key}={config.String($"{path}.{key}")}");

    /// <summary>
    /// Detector <paramref name="name"/> tuned by <paramref name="sensitivity"/> (<see cref="DetectorCatalog.SensitivityOptions"/>)
    /// and then by the explicit <paramref name="options"/> (<c>name=value</c>, which win). Throws
    /// <see cref="ArgumentException"/> naming a bad option.
    /// </summary>
    public static DetectorSpec Spec(string name, double sensitivity, int minDataPoints, IEnumerable<string> options)
    {
        var pairs = new List<string>(DetectorCatalog.SensitivityOptions(name, sensitivity));
        // The ensemble also gates its score on min_data_points; the set gates every detector's findings (DetectorSet).
        if (name == EnsembleDetector.TypeTag) pairs.Add($"min_data_points={minDataPoints}");
        pairs.AddRange(options);
        return new DetectorSpec(name, name + "(" + string.Join(",", pairs) + ")", DetectorCatalog.CreateFactory(name, pairs));
    }
}

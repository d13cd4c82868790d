namespace Perf.Analytics.Detection;

/// <summary>Argument checks shared by the detector option records (each names the offending option).</summary>
internal static class DetectorOptionChecks
{
    /// <summary>Largest window accepted by any option (a window is allocated up front).</summary>
    public const int MaxWindow = 1 << 20;

    /// <summary>
    /// Largest SSA window L: training (Jacobi eigen-decomposition of the L x L lag covariance, O(L^3) per sweep) runs
    /// once, at the N-th point, inside the series' actor; it takes ~10 ms at L = 100, ~0.35 s at L = 256 and ~7 s at
    /// L = 512.
    /// </summary>
    public const int MaxSeasonalityWindow = 512;

    public static void Confidence(double confidence, string name)
    {
        if (!(confidence > 0 && confidence < 100))
        {
            throw new ArgumentOutOfRangeException(name, confidence, "Confidence must be in (0, 100).");
        }
    }

    public static void Window(int length, int min, string name)
    {
        if (length < min || length > MaxWindow)
        {
            throw new ArgumentOutOfRangeException(name, length, $"Must be in [{min}, {MaxWindow}].");
        }
    }

    public static void Defined<T>(T value, string name)
        where T : struct, Enum
    {
        if (!Enum.IsDefined(value))
        {
            throw new ArgumentOutOfRangeException(name, value, $"Not a defined {typeof(T).Name}.");
        }
    }

    public static void Martingale(MartingaleType type, double epsilon, string typeName, string epsilonName)
    {
        Defined(type, typeName);
        if (!(epsilon > 0 && epsilon < 1))
        {
            throw new ArgumentOutOfRangeException(epsilonName, epsilon, "The power martingale's epsilon must be in (0, 1) (checked for either martingale type, as ML.NET does).");
        }
    }

    public static void Ssa(int trainingWindowSize, int seasonalityWindowSize, string trainingName, string seasonalityName)
    {
        if (seasonalityWindowSize < 2 || seasonalityWindowSize > MaxSeasonalityWindow)
        {
            throw new ArgumentOutOfRangeException(
                seasonalityName, seasonalityWindowSize, $"The seasonality window L must be in [2, {MaxSeasonalityWindow}].");
        }

        if (trainingWindowSize <= 2 * seasonalityWindowSize || trainingWindowSize > MaxWindow)
        {
            throw new ArgumentOutOfRangeException(
                trainingName,
                trainingWindowSize,
                $"The training window N must exceed 2 * seasonalityWindowSize = {2 * seasonalityWindowSize} (and be at most {MaxWindow}).");
        }
    }
}

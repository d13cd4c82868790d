namespace Perf.Analytics.Detection;

/// <summary>
/// erf by Abramowitz and Stegun 7.1.26 (|error| &lt;= 1.5e-7), the approximation ML.NET's p-values use; note that it
/// gives erf(0) = 1e-9, so a score equal to every score in the history has p = 0.5 - 0.5e-9, not 0.5.
/// </summary>
internal static class ErfApproximation
{
    private const double P = 0.3275911;
    private const double A1 = 0.254829592;
    private const double A2 = -0.284496736;
    private const double A3 = 1.421413741;
    private const double A4 = -1.453152027;
    private const double A5 = 1.061405429;

    public static double Erf(double x)
    {
        // Odd extension; zero counts as positive (erf(0) = +1e-9 as in the reference).
        double sign = x < 0 ? -1.0 : 1.0;
        double a = Math.Abs(x);
        double t = 1.0 / (1.0 + (P * a));
        double poly = ((((((((A5 * t) + A4) * t) + A3) * t) + A2) * t) + A1) * t;
        return sign * (1.0 - (poly * Math.Exp(-a * a)));
    }
}

using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Perf.Analytics.Detection;

/// <summary>
/// erf by Abramowitz and Stegun 7.1.26 (|error| &lt;= 1.5e-7), the approximation ML.NET's p-values use; note that it
/// gives erf(0) = 1e-9, so a score equal to every score in the history has p = 0.5 - 0.5e-9, not 0.5.
/// </summary>
/// <remarks>
/// The vector form computes the same formula in double precision, four lanes at a time, with its own e^-y (a degree-12
/// polynomial after reduction by powers of 2, within 3 ulp of <see cref="Math.Exp"/> over 2 million arguments) and
/// fused multiply-adds where the hardware has them. It agrees with the scalar form to 2e-15 absolute, not bit for bit;
/// a caller that needs reproducible sums must always take the same path for the same inputs (<see cref="ScoreHistory"/>
/// does).
/// </remarks>
internal static class ErfApproximation
{
    private const double P = 0.3275911;
    private const double A1 = 0.254829592;
    private const double A2 = -0.284496736;
    private const double A3 = 1.421413741;
    private const double A4 = -1.453152027;
    private const double A5 = 1.061405429;

    /// <summary>
    /// Beyond this a^2, e^-(a^2) is below 1.6e-28, so 1 - poly * e^-(a^2) rounds to exactly 1 either way; clamping there
    /// keeps the exponent reduction small and every intermediate a normal number.
    /// </summary>
    private const double MaxSquare = 64;

    // e^z = 2^k * e^r with k = round(z / ln 2) and r = z - k ln 2, ln 2 split so that k * Ln2High is exact for |k| < 2^20.
    private const double Log2E = 1.4426950408889634;
    private const double Ln2High = 0.6931471803691238;
    private const double Ln2Low = 1.9082149292705877e-10;

    /// <summary>1.5 * 2^52: adding it rounds a double of magnitude below 2^51 to an integer held in the low mantissa bits.</summary>
    private const double RoundingShift = 6755399441055744.0;

    public static double Erf(double x)
    {
        // Odd extension; zero counts as positive (erf(0) = +1e-9 as in the reference).
        double sign = x < 0 ? -1.0 : 1.0;
        double a = Math.Abs(x);
        double t = 1.0 / (1.0 + (P * a));
        double poly = ((((((((A5 * t) + A4) * t) + A3) * t) + A2) * t) + A1) * t;
        return sign * (1.0 - (poly * Math.Exp(-a * a)));
    }

    /// <summary>
    /// <see cref="Erf(double)"/> of each lane, to 2e-15 absolute (and -0 counts as positive, as there). NaN stays
    /// NaN; +-infinity give +-1.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Erf(Vector256<double> x)
    {
        var one = Vector256<double>.One;
        var a = Vector256.Abs(x);
        var t = one / MultiplyAdd(Vector256.Create(P), a, one);
        var poly = MultiplyAdd(Vector256.Create(A5), t, Vector256.Create(A4));
        poly = MultiplyAdd(poly, t, Vector256.Create(A3));
        poly = MultiplyAdd(poly, t, Vector256.Create(A2));
        poly = MultiplyAdd(poly, t, Vector256.Create(A1));
        poly *= t;
        var magnitude = MultiplyAdd(-poly, ExpOfNegative(a * a), one);

        // A compare, not x's sign bit: -0 must count as positive like in the scalar form.
        var negative = Vector256.LessThan(x, Vector256<double>.Zero) & Vector256.Create(-0.0);
        return magnitude ^ negative;
    }

    /// <summary>e^-y for y &gt;= 0 (or NaN), within 3 ulp of Math.Exp(-y) (measured) for y below <see cref="MaxSquare"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> ExpOfNegative(Vector256<double> y)
    {
        // MinNative: a NaN y gives a finite result here; the NaN still reaches erf through t.
        var z = -Vector256.MinNative(y, Vector256.Create(MaxSquare));
        var shifted = MultiplyAdd(z, Vector256.Create(Log2E), Vector256.Create(RoundingShift));
        var k = shifted - Vector256.Create(RoundingShift);
        var r = MultiplyAdd(k, Vector256.Create(-Ln2High), z);
        r = MultiplyAdd(k, Vector256.Create(-Ln2Low), r);

        // Taylor series of e^r to r^12 (|r| <= ln 2 / 2: truncation below 2e-16), summed by Estrin's scheme so that
        // consecutive lanes' polynomials overlap instead of waiting on one long Horner chain.
        var r2 = r * r;
        var r4 = r2 * r2;
        var r8 = r4 * r4;
        var c01 = r + Vector256<double>.One;
        var c23 = MultiplyAdd(r, Vector256.Create(1.0 / 6), Vector256.Create(1.0 / 2));
        var c45 = MultiplyAdd(r, Vector256.Create(1.0 / 120), Vector256.Create(1.0 / 24));
        var c67 = MultiplyAdd(r, Vector256.Create(1.0 / 5040), Vector256.Create(1.0 / 720));
        var c89 = MultiplyAdd(r, Vector256.Create(1.0 / 362880), Vector256.Create(1.0 / 40320));
        var c1011 = MultiplyAdd(r, Vector256.Create(1.0 / 39916800), Vector256.Create(1.0 / 3628800));
        var c12 = Vector256.Create(1.0 / 479001600);
        var c03 = MultiplyAdd(c23, r2, c01);
        var c47 = MultiplyAdd(c67, r2, c45);
        var c811 = MultiplyAdd(c1011, r2, c89);
        var c812 = MultiplyAdd(c12, r4, c811);
        var c07 = MultiplyAdd(c47, r4, c03);
        var polynomial = MultiplyAdd(c812, r8, c07);

        // 2^k from k's bits: the shifted double holds RoundingShift + k in its mantissa.
        var scale = (shifted.AsInt64() - Vector256.Create(BitConverter.DoubleToInt64Bits(RoundingShift) - 1023)) << 52;
        return polynomial * scale.AsDouble();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> MultiplyAdd(Vector256<double> a, Vector256<double> b, Vector256<double> c) =>
        Fma.IsSupported ? Fma.MultiplyAdd(a, b, c) : (a * b) + c;
}

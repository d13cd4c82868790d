using System.Globalization;
using Xunit;
using Xunit.Sdk;

namespace Perf.Analytics.Tests.Detection;

/// <summary>
/// One expected output row of an ML.NET vector, with the literal text of each value (for its printed precision).
/// Serializable so that every row is its own test case.
/// </summary>
public sealed class VectorRow : IXunitSerializable
{
    public VectorRow()
    {
    }

    public VectorRow(int index, double input, string[] expected)
    {
        Index = index;
        Input = input;
        Expected = expected;
    }

    public int Index { get; private set; }

    public double Input { get; private set; }

    public string[] Expected { get; private set; } = [];

    public void Deserialize(IXunitSerializationInfo info)
    {
        Index = info.GetValue<int>(nameof(Index));
        Input = info.GetValue<double>(nameof(Input));
        Expected = info.GetValue<string[]>(nameof(Expected)) ?? [];
    }

    public void Serialize(IXunitSerializationInfo info)
    {
        info.AddValue(nameof(Index), Index);
        info.AddValue(nameof(Input), Input);
        info.AddValue(nameof(Expected), Expected);
    }

    public override string ToString() =>
        $"row {Index + 1}: x={Input.ToString(CultureInfo.InvariantCulture)} -> [{string.Join(", ", Expected)}]";
}

/// <summary>Parses the tab/space separated tables copied verbatim from mlnet-vectors.md.</summary>
public static class VectorTable
{
    /// <summary>Rows "Data Alert Score PValue [Martingale]" (the first column is the input).</summary>
    public static VectorRow[] WithInput(string table) =>
        [.. Lines(table).Select((fields, i) => new VectorRow(i, Parse(fields[0]), fields[1..]))];

    /// <summary>Rows without an input column; inputs are supplied separately.</summary>
    public static VectorRow[] WithoutInput(double[] inputs, string table)
    {
        string[][] lines = Lines(table);
        Assert.Equal(inputs.Length, lines.Length);
        return [.. lines.Select((fields, i) => new VectorRow(i, inputs[i], fields))];
    }

    public static double Parse(string text) => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);

    /// <summary>Half a unit of the last printed digit of <paramref name="text"/> (0.00121257325 -> 5e-12).</summary>
    public static double HalfUnitOfLastDigit(string text)
    {
        string mantissa = text;
        int exponent = 0;
        int e = text.IndexOfAny(['e', 'E']);
        if (e >= 0)
        {
            mantissa = text[..e];
            exponent = int.Parse(text[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        }

        int dot = mantissa.IndexOf('.');
        int decimals = dot < 0 ? 0 : mantissa.Length - dot - 1;
        return 0.5 * Math.Pow(10, exponent - decimals);
    }

    private static string[][] Lines(string table) =>
        [.. table.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries))];
}

/// <summary>Tolerant comparisons for detector outputs.</summary>
public static class DetectorAssert
{
    /// <summary>
    /// |actual - expected| &lt;= max(absolute + relative * |expected|, half a unit of the expected value's last printed
    /// digit): the vectors print 6-12 significant digits.
    /// </summary>
    public static void Close(string expectedText, double actual, double absolute, double relative, string what, bool printedPrecision = true)
    {
        double expected = VectorTable.Parse(expectedText);
        double tolerance = absolute + (relative * Math.Abs(expected));
        if (printedPrecision)
        {
            tolerance = Math.Max(tolerance, 1.0001 * VectorTable.HalfUnitOfLastDigit(expectedText));
        }

        Assert.True(
            Math.Abs(actual - expected) <= tolerance,
            $"{what}: expected {expectedText}, got {actual:R} (|diff| {Math.Abs(actual - expected):G3} > tolerance {tolerance:G3})");
    }

    public static void Close(double expected, double actual, double absolute, double relative, string what)
    {
        double tolerance = absolute + (relative * Math.Abs(expected));
        Assert.True(
            Math.Abs(actual - expected) <= tolerance,
            $"{what}: expected {expected:R}, got {actual:R} (|diff| {Math.Abs(actual - expected):G3} > tolerance {tolerance:G3})");
    }

    /// <summary>Compares a row of [Alert, Score, P-Value(, Martingale)] with the default vector tolerances.</summary>
    public static void Row(
        VectorRow expected,
        ReadOnlySpan<double> actual,
        double scoreRelative = 1e-6,
        double pValueAbsolute = 1e-6,
        double martingaleRelative = 1e-6,
        bool printedPrecision = true,
        double martingaleAbsolute = 1e-300)
    {
        Assert.True(expected.Expected.Length == actual.Length, $"{expected}: expected {expected.Expected.Length} columns");
        Assert.True(VectorTable.Parse(expected.Expected[0]) == actual[0], $"{expected}: Alert expected {expected.Expected[0]}, got {actual[0]}");
        Close(expected.Expected[1], actual[1], scoreRelative, scoreRelative, $"{expected}: Score", printedPrecision);
        Close(expected.Expected[2], actual[2], pValueAbsolute, 0, $"{expected}: P-Value", printedPrecision);
        if (actual.Length > 3)
        {
            Close(expected.Expected[3], actual[3], martingaleAbsolute, martingaleRelative, $"{expected}: Martingale", printedPrecision);
        }
    }
}

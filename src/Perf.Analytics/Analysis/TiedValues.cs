namespace Perf.Analytics.Analysis;

/// <summary>The tie corrections of rank statistics all start from how many values share each value.</summary>
internal static class TiedValues
{
    /// <summary>The size of every group of two or more equal values.</summary>
    public static List<int> GroupSizes(ReadOnlySpan<double> values)
    {
        var sorted = values.ToArray();
        Array.Sort(sorted);
        var sizes = new List<int>();
        for (var start = 0; start < sorted.Length;)
        {
            var end = start + 1;
            while (end < sorted.Length && sorted[end] == sorted[start]) end++;
            if (end - start > 1) sizes.Add(end - start);
            start = end;
        }
        return sizes;
    }
}

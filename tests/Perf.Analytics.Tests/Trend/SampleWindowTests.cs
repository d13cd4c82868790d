using Perf.Analytics.Trend;
using Xunit;

namespace Perf.Analytics.Tests.Trend;

public sealed class SampleWindowTests
{
    private const long Start = 1_790_000_000_000;

    private static long S(int seconds) => Start + seconds * 1000L;

    [Fact]
    public void Keeps_only_the_window_ending_at_the_newest_sample()
    {
        var window = new SampleWindow(TimeSpan.FromMinutes(10), 512);
        for (var s = 0; s <= 1200; s += 30) window.Add(S(s), s);

        Assert.Equal(S(600), window.Timestamps[0]);
        Assert.Equal(S(1200), window.Timestamps[^1]);
        Assert.Equal(21, window.Count);
        Assert.Equal(600_000, window.SpanMs);
    }

    [Fact]
    public void A_fast_series_is_thinned_evenly_across_the_whole_window_and_stays_bounded()
    {
        var window = new SampleWindow(TimeSpan.FromHours(1), 32);
        for (var s = 0; s <= 7200; s++) window.Add(S(s), s); // one sample a second for two hours

        Assert.InRange(window.Count, 30, 32);
        Assert.Equal(S(7200), window.Timestamps[^1]); // the newest is always kept
        Assert.True(window.SpanMs >= 3_500_000, $"span {window.SpanMs}");
        var gaps = new List<long>();
        for (var i = 1; i < window.Count - 1; i++) gaps.Add(window.Timestamps[i] - window.Timestamps[i - 1]);
        Assert.All(gaps, g => Assert.InRange(g, 3600_000 / 30, 3600_000 / 30 + 1000));
    }

    [Fact]
    public void Older_samples_and_non_finite_values_are_ignored()
    {
        var window = new SampleWindow(TimeSpan.FromHours(1), 64);
        window.Add(S(60), 1);
        window.Add(S(30), 2);
        window.Add(S(60), 3);
        window.Add(S(90), double.NaN);
        window.Add(S(120), double.PositiveInfinity);

        Assert.Equal([S(60)], window.Timestamps.ToArray());
        Assert.Equal([1.0], window.Values.ToArray());
    }

    [Fact]
    public void Restored_from_its_arrays_it_continues_like_the_original()
    {
        var original = new SampleWindow(TimeSpan.FromMinutes(30), 16);
        for (var s = 0; s < 3000; s += 7) original.Add(S(s), s % 13);
        var (t, v) = original.ToArrays();
        var restored = SampleWindow.From(TimeSpan.FromMinutes(30), 16, t, v);

        for (var s = 3000; s < 4000; s += 7)
        {
            original.Add(S(s), s % 13);
            restored.Add(S(s), s % 13);
        }

        Assert.Equal(original.Timestamps.ToArray(), restored.Timestamps.ToArray());
        Assert.Equal(original.Values.ToArray(), restored.Values.ToArray());
    }

    [Fact]
    public void Resizing_keeps_what_fits_the_new_window()
    {
        var window = new SampleWindow(TimeSpan.FromHours(1), 512);
        for (var s = 0; s <= 3600; s += 60) window.Add(S(s), s);

        var smaller = window.Resized(TimeSpan.FromMinutes(10));

        Assert.Equal(S(3000), smaller.Timestamps[0]);
        Assert.Equal(11, smaller.Count);
    }
}

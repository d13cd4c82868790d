using Perf.Actors.Hosts;

namespace Perf.Actors.Tests.Hosts;

public sealed class HostVectorsTests
{
    [Fact]
    public void Each_new_timestamp_makes_a_vector_of_the_latest_values_of_the_watched_series()
    {
        var vectors = new HostVectors(capacity: 10);

        Assert.Null(vectors.Observe(["cpu.usage", "m.other"], [1, 1], [50, 7])); // one watched series: no vector yet
        var first = vectors.Observe(["memory.usage"], [2], [60]);
        var second = vectors.Observe(["cpu.usage"], [3], [55]);

        Assert.Equal(["cpu.usage", "memory.usage"], vectors.Features);
        Assert.Equal(2L, first!.Value.TimestampMs);
        Assert.Equal([50.0, 60], first.Value.Vector);
        Assert.Equal(3L, second!.Value.TimestampMs);
        Assert.Equal([55.0, 60], second.Value.Vector);
        Assert.Null(vectors.Observe(["cpu.usage"], [3], [56])); // same timestamp again: no new vector
    }

    [Fact]
    public void A_new_watched_series_starts_the_window_again_and_the_window_is_bounded()
    {
        var vectors = new HostVectors(capacity: 3);
        vectors.Observe(["cpu.usage", "memory.usage"], [0, 0], [1, 1]);
        for (var t = 1; t <= 5; t++) vectors.Observe(["cpu.usage"], [t], [t]);
        Assert.Equal(3, vectors.Count);

        var first = vectors.Observe(["disk.usage"], [6], [70]);

        Assert.Equal(["cpu.usage", "disk.usage", "memory.usage"], vectors.Features);
        Assert.Equal([5.0, 70, 1], first!.Value.Vector); // the only vector of the new shape
        Assert.Equal(1, vectors.Count);
        Assert.Equal(1, vectors.AddedSinceTraining);
    }
}

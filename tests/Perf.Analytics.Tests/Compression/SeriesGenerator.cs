using Perf.Analytics.Compression;

namespace Perf.Analytics.Tests.Compression;

/// <summary>Seeded random series mixing the timestamp and value shapes the codec must survive.</summary>
internal static class SeriesGenerator
{
    private static readonly double[] Specials =
    [
        0.0, -0.0, double.NaN, double.PositiveInfinity, double.NegativeInfinity, double.Epsilon, -double.Epsilon,
        double.MaxValue, double.MinValue, BitConverter.Int64BitsToDouble(0x000F_FFFF_FFFF_FFFF),
        BitConverter.Int64BitsToDouble(0x7FF0_0000_0000_0001), BitConverter.Int64BitsToDouble(unchecked((long)0xFFF8_0000_DEAD_BEEF)),
    ];

    public static DataPoint[] Next(Random random)
    {
        int count = random.Next(4) == 0 ? random.Next(1, 4) : random.Next(1, 400);
        var points = new DataPoint[count];
        long timestamp = random.Next(3) switch
        {
            0 => 1_700_000_000_000 + random.NextInt64(100_000_000_000),
            1 => random.NextInt64(-1_000_000_000_000, 1_000_000_000_000),
            _ => random.NextInt64(1L << 40),
        };
        int timeShape = random.Next(5);
        int valueShape = random.Next(6);
        long interval = random.Next(4) switch { 0 => 1, 1 => 1_000, 2 => 30_000, _ => random.Next(1, 10_000_000) };
        double level = random.NextDouble() * 100;

        for (int i = 0; i < count; i++)
        {
            if (i > 0)
            {
                timestamp += NextDelta(random, timeShape, interval);
            }

            level = NextValue(random, valueShape, level, i);
            points[i] = new DataPoint(timestamp, level);
        }

        return points;
    }

    private static long NextDelta(Random random, int shape, long interval) => shape switch
    {
        0 => interval,
        1 => Math.Max(0, interval + random.Next(-50, 51)),
        2 => random.Next(10) == 0 ? 0 : interval,
        3 => random.Next(20) == 0 ? random.NextInt64(1L << 32, 1L << 42) : interval,
        _ => random.Next(5) switch
        {
            0 => 0,
            1 => random.Next(0, 64),
            2 => random.Next(0, 1 << 21),
            3 => random.NextInt64(0, 1L << 34),
            _ => random.NextInt64(1L << 40, 1L << 45),
        },
    };

    private static double NextValue(Random random, int shape, double previous, int index) => shape switch
    {
        0 => BitConverter.Int64BitsToDouble(random.NextInt64(long.MinValue, long.MaxValue)),
        1 => random.Next(3) == 0 ? previous : Math.Round(previous + random.Next(-2, 3)),
        2 => previous + ((random.NextDouble() - 0.5) * 0.1),
        3 => Specials[random.Next(Specials.Length)],
        4 => index % 7 == 0 ? random.NextDouble() * 1e300 : previous,
        _ => random.Next(4) switch
        {
            0 => BitConverter.Int64BitsToDouble(random.NextInt64(long.MinValue, long.MaxValue)),
            1 => Specials[random.Next(Specials.Length)],
            2 => previous,
            _ => random.Next(-1000, 1000) / 10.0,
        },
    };
}

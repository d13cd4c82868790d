namespace Perf.Protocols.Tests;

public sealed class GzipTests
{
    private static readonly byte[] Data = System.Text.Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("cpu usage=1 123\n", 100)));

    [Fact]
    public void A_whole_body_inflates()
    {
        Assert.Equal(Data, Gzip.Inflate(Gzip.Compress(Data), 1 << 20));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(8)]
    [InlineData(12)]
    [InlineData(30)]
    public void A_truncated_body_is_refused(int cut)
    {
        var body = Gzip.Compress(Data);
        Assert.Throws<ProtocolFormatException>(() => Gzip.Inflate(body[..^cut], 1 << 20));
    }

    [Fact]
    public void A_body_inflating_past_the_limit_is_refused_as_too_large()
    {
        var bomb = Gzip.Compress(new byte[1 << 20]);
        Assert.True(Assert.Throws<ProtocolFormatException>(() => Gzip.Inflate(bomb, 64 * 1024)).TooLarge);
    }

    [Fact]
    public void The_crc_is_the_standard_one()
    {
        Assert.Equal(0xCBF43926u, Gzip.Crc32("123456789"u8));
    }
}

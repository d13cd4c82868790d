using System.Text;
using Perf.Api.Http;

namespace Perf.Api.Tests.Http;

public sealed class JsonTextTests
{
    [Theory]
    [InlineData("""{"a": "plain"}""")]
    [InlineData("""{"a": "é, 日本, 😀 as UTF-8"}""")]
    [InlineData("""{"a": "\ud83d\ude00 an escaped pair"}""")]
    [InlineData("""{"a": "\u0041\n\"\\ud800 is an escaped backslash and text"}""")]
    [InlineData("""{"a": "ends in an escape \\"}""")]
    [InlineData("""{"a": "\uD83D\uDE00 upper case"}""")]
    public void Text_that_reads_as_strings_has_no_problem(string json) =>
        Assert.Null(JsonText.Problem(Encoding.UTF8.GetBytes(json)));

    [Theory]
    [InlineData("""{"a": "\ud800"}""", "unpaired surrogate escape at byte 8 (\\ud800)")]
    [InlineData("""{"a": "\ud800\u0041"}""", "unpaired surrogate")]
    [InlineData("""{"a": "\udc00"}""", "unpaired surrogate")]
    [InlineData("""{"a": "\ud83d\ud83d"}""", "unpaired surrogate")]
    [InlineData("""{"a": "ok", "b": "\ud800"}""", "unpaired surrogate")]
    [InlineData("""{"a": "cut \ud8""", null)] // not a whole escape: the parser's to refuse
    public void Escaped_surrogates_must_pair(string json, string? problem)
    {
        if (problem is null) Assert.Null(JsonText.Problem(Encoding.UTF8.GetBytes(json)));
        else Assert.Contains(problem, JsonText.Problem(Encoding.UTF8.GetBytes(json)));
    }

    [Theory]
    [InlineData(new byte[] { (byte)'"', 0xFF, (byte)'"' })]
    [InlineData(new byte[] { (byte)'"', 0xC3, (byte)'"' })] // a lead byte without its continuation
    [InlineData(new byte[] { (byte)'"', 0xED, 0xA0, 0x80, (byte)'"' })] // a surrogate encoded as UTF-8
    public void Bytes_that_are_not_utf8_are_named(byte[] json) =>
        Assert.Equal("is not valid UTF-8", JsonText.Problem(json));
}

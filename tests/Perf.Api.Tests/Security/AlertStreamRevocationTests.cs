using System.Net;
using Perf.Api.Tests.Infrastructure;

namespace Perf.Api.Tests.Security;

/// <summary>A stream outlives the checks made when it opened: revoking its key must still end it.</summary>
public sealed class AlertStreamRevocationTests(SecuredNode fixture) : IClassFixture<SecuredNode>
{
    [Fact]
    public async Task An_open_alert_stream_ends_soon_after_its_key_is_revoked()
    {
        var ct = TestContext.Current.CancellationToken;
        var key = await Keys.CreateAsync(fixture.Client, "read");
        using var client = fixture.Node.ClientWithKey(key.Token);
        using var response = await client.GetAsync("/api/v1/alerts/stream?host=revocation-*", HttpCompletionOption.ResponseHeadersRead, ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
        Assert.Equal(": connected", await reader.ReadLineAsync(ct));

        await Keys.RevokeAsync(fixture.Client, key.Id);

        // The node ends the response (the reader sees its end) instead of keeping it open with keep-alives.
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(TimeSpan.FromSeconds(30));
        while (await reader.ReadLineAsync(limit.Token) is not null)
        {
        }
    }
}

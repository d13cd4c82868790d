using System.Net;
using System.Security.Cryptography;
using Perf.Api.Tests.Infrastructure;

namespace Perf.Api.Tests.Security;

/// <summary>RS256: the node checks tokens with the identity provider's public key (a PEM file), never its private one.</summary>
public sealed class Rs256TokenTests
{
    [Fact]
    public async Task A_token_signed_by_the_configured_issuers_key_gets_in_and_one_signed_by_another_key_does_not()
    {
        using var issuer = RSA.Create(2048);
        using var stranger = RSA.Create(2048);
        var pem = Path.Combine(Path.GetTempPath(), $"perf-issuer-{Guid.NewGuid():N}.pem");
        await File.WriteAllTextAsync(pem, issuer.ExportSubjectPublicKeyInfoPem(), TestContext.Current.CancellationToken);
        await using var node = new PerfNodeProcess(new Dictionary<string, string>
        {
            ["PERF_PERF__SECURITY__JWT__ENABLED"] = "true",
            ["PERF_PERF__SECURITY__JWT__ALGORITHM"] = "RS256",
            ["PERF_PERF__SECURITY__JWT__PUBLIC_KEY_FILE"] = pem,
            ["PERF_PERF__SECURITY__JWT__ISSUER"] = "https://idp.example",
            ["PERF_PERF__SECURITY__JWT__AUDIENCE"] = "perf",
        });
        await node.StartAsync();
        var claims = TestTokens.Claims("bob", "read", "https://idp.example", "perf");
        claims["perf_hosts"] = "rs-*";

        using var signed = node.ClientWithKey(TestTokens.Rs256(issuer, claims));
        using var forged = node.ClientWithKey(TestTokens.Rs256(stranger, claims));
        using var hosts = await signed.GetAsync("/api/v1/hosts");
        using var outside = await signed.GetAsync("/api/v1/hosts/db-1"); // the token's host scope applies
        using var refused = await forged.GetAsync("/api/v1/hosts");

        Assert.Equal(HttpStatusCode.OK, hosts.StatusCode);
        await outside.ExpectProblemAsync(HttpStatusCode.Forbidden, "host");
        await refused.ExpectProblemAsync(HttpStatusCode.Unauthorized, "Authorization");
        File.Delete(pem);
    }
}

using System.Text;
using Perf.Api.Tests.Infrastructure;

namespace Perf.Api.Tests.Security;

/// <summary>Keys are stored only as salted hashes and never logged: the database files and the node's log are searched
/// for every key used, after the keys were created, used and revoked.</summary>
public sealed class KeySecrecyTests(SecuredNode fixture) : IClassFixture<SecuredNode>
{
    [Fact]
    public async Task No_key_appears_in_the_database_files_or_the_log()
    {
        var used = await Keys.CreateAsync(fixture.Client, "admin");
        var revoked = await Keys.CreateAsync(fixture.Client, "read", ["secret-*"]);
        using (var client = fixture.Node.ClientWithKey(used.Token)) await client.GetJsonAsync("/api/v1/admin/keys");
        using (var client = fixture.Node.ClientWithKey(revoked.Token)) await client.GetJsonAsync("/api/v1/hosts");
        await Keys.RevokeAsync(fixture.Client, revoked.Id);
        using (var client = fixture.Node.ClientWithKey(revoked.Token)) (await client.GetAsync("/api/v1/hosts")).Dispose();
        using (var basic = fixture.Node.ClientWithKey(null))
        {
            basic.DefaultRequestHeaders.Authorization = new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("prometheus:" + used.Token)));
            await basic.GetJsonAsync("/api/v1/hosts");
        }

        var listing = (await fixture.Client.GetJsonAsync("/api/v1/admin/keys")).ToJsonString();
        // The database and its write-ahead log, where a key would land if it were stored (perf.lock is held open, empty).
        var files = Directory.GetFiles(fixture.Node.DataDirectory, "*.db*", SearchOption.AllDirectories);
        Assert.Contains(files, f => f.EndsWith("perf.db", StringComparison.Ordinal));
        var stored = files.Select(f => (File: f, Bytes: ReadShared(f))).ToArray();
        var log = fixture.Node.Output;
        Assert.Contains("GET /api/v1/hosts 200", log); // the access log is on: there is something to search

        foreach (var secret in new[] { used.Token, revoked.Token, PerfNodeProcess.AdminKey, SecretPart(used.Token), SecretPart(revoked.Token) })
        {
            var needle = Encoding.UTF8.GetBytes(secret);
            Assert.DoesNotContain(stored, s => s.Bytes.AsSpan().IndexOf(needle) >= 0);
            Assert.DoesNotContain(secret, log);
            Assert.DoesNotContain(secret, listing);
        }
        // ...while the public id, which finds the key, is shown.
        Assert.Contains(used.Id, listing);
    }

    private static string SecretPart(string token) => token[("perf_".Length + 12 + 1)..]; // perf_{id}_{secret}

    private static byte[] ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}

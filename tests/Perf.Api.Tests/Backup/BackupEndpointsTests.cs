using System.Net;
using System.Text;
using Perf.Api.Tests.Infrastructure;

namespace Perf.Api.Tests.Backup;

/// <summary>Bad backup requests get problem+json naming the field; names never leave the backups directory.</summary>
public sealed class BackupEndpointsTests(DefaultNode fixture) : IClassFixture<DefaultNode>
{
    private const string Path = "/api/v1/admin/backup";

    private HttpClient Client => fixture.Client;

    [Theory]
    [InlineData("""{"name": "../perf"}""", "name")]
    [InlineData("""{"name": "/tmp/x.db"}""", "name")]
    [InlineData("""{"name": ".hidden"}""", "name")]
    [InlineData("""{"name": ""}""", "name")]
    [InlineData("""{"name": 5}""", "name")]
    [InlineData("""{"nmae": "x"}""", "nmae")]
    public async Task Invalid_requests_are_422_naming_the_field(string body, string field)
    {
        await (await Client.PostJsonAsync(body, Path)).ExpectProblemAsync(HttpStatusCode.UnprocessableEntity, field);
    }

    [Fact]
    public async Task A_body_that_is_not_a_JSON_object_is_refused()
    {
        await (await Client.PostJsonAsync("[1]", Path)).ExpectProblemAsync(HttpStatusCode.BadRequest, "body");
        await (await Client.PostJsonAsync("{", Path)).ExpectProblemAsync(HttpStatusCode.BadRequest, "body");
        await (await Client.PostAsync(Path, new StringContent("name=x", Encoding.UTF8, "text/plain")))
            .ExpectProblemAsync(HttpStatusCode.UnsupportedMediaType, "Content-Type");
    }

    [Fact]
    public async Task A_name_is_used_once_and_gets_the_db_extension()
    {
        using var created = await Client.PostJsonAsync("""{"name": "nightly_2026-11-27"}""", Path);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("nightly_2026-11-27.db", (await created.ReadJsonAsync())["name"]!.GetValue<string>());

        await (await Client.PostJsonAsync("""{"name": "nightly_2026-11-27.db"}""", Path)).ExpectProblemAsync(HttpStatusCode.Conflict, "name");
        var listed = await Client.GetJsonAsync("/api/v1/admin/backups");
        Assert.Single(listed["backups"]!.AsArray(), b => b!["name"]!.GetValue<string>() == "nightly_2026-11-27.db");
    }

    [Fact]
    public async Task An_unknown_backup_is_404()
    {
        using var response = await Client.GetAsync("/api/v1/admin/backups/none.db");
        await response.ExpectProblemAsync(HttpStatusCode.NotFound, "name");
    }
}

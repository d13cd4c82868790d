using Perf.Storage.Backup;
using System.Text.Json;
using Perf.Actors.Security;
using Perf.Api.Http;
using Perf.Api.Ingest;
using Perf.Api.Security;
using Perf.Host.Backup;

namespace Perf.Api.Endpoints;

/// <summary>
/// Online backups of the node's database (<see cref="DatabaseBackups"/>): <c>POST /api/v1/admin/backup</c> writes and
/// verifies one in <c>{data-dir}/backups</c>, <c>GET /api/v1/admin/backups</c> lists them. Restoring is
/// <c>perf restore</c>, with the node stopped.
/// </summary>
public static class BackupEndpoints
{
    private static readonly string[] Fields = ["name"];

    public static IEndpointRouteBuilder MapBackupEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/admin/backup", CreateAsync).RequireArea(Area.Admin);
        app.MapGet("/api/v1/admin/backups", (DatabaseBackups backups) =>
        {
            var files = backups.List().Select(Json).ToArray();
            return Results.Json(new { directory = backups.Directory, backups = files, count = files.Length });
        }).RequireArea(Area.Admin);
        app.MapGet("/api/v1/admin/backups/{name}", (string name, DatabaseBackups backups) =>
            backups.Find(name) is { } file ? Results.Json(Json(file)) : Problems.NotFound("name", $"there is no backup '{name}'")).RequireArea(Area.Admin);
        return app;
    }

    private static async Task<IResult> CreateAsync(HttpRequest request, DatabaseBackups backups)
    {
        if (!backups.IsSupported)
            return Problems.Invalid("perf.storage.provider", "is postgresql: this node's data is in PostgreSQL, whose own tools take the backup " +
                "(pg_dump, or a base backup with WAL archiving; README, \"Backup and restore\")", StatusCodes.Status501NotImplemented, "Not implemented");
        string? name = null;
        var (body, problem) = await JsonBody.ReadObjectAsync(request, optional: true);
        if (problem is not null) return problem;
        if (body is not null)
        {
            using (body)
            {
                var root = body.RootElement;
                var errors = new List<FieldError>();
                RequestFields.Unknown(root, Fields, "a backup request", errors);
                if (root.TryGetProperty("name", out var value) && value.ValueKind != JsonValueKind.Null)
                {
                    if (value.ValueKind != JsonValueKind.String) errors.Add(new FieldError("name", "must be a string: a file name inside the backups directory"));
                    else if (BackupName.TryNormalize(value.GetString(), out var fileName, out var why)) name = fileName;
                    else errors.Add(new FieldError("name", why));
                }
                if (errors.Count > 0) return Problems.Invalid(errors, StatusCodes.Status422UnprocessableEntity, "Invalid backup request");
            }
        }
        try
        {
            // Not cancelled with the request: a backup that has begun finishes and is listed, even if its client gave up.
            var result = await backups.CreateAsync(name, CancellationToken.None);
            return Results.Created($"/api/v1/admin/backups/{result.File.Name}", Json(result));
        }
        catch (BackupExistsException e)
        {
            return Problems.Invalid("name", $"a backup named {e.Name} already exists (backups are never overwritten)", StatusCodes.Status409Conflict, "Backup exists");
        }
    }

    private static object Json(BackupFile file) => new
    {
        name = file.Name,
        file = file.Path,
        size_bytes = file.SizeBytes,
        modified_at = ApiJson.Time(file.ModifiedAt.ToUnixTimeMilliseconds()),
    };

    private static object Json(BackupResult result)
    {
        var v = result.Verification;
        return new
        {
            name = result.File.Name,
            file = result.File.Path,
            size_bytes = result.File.SizeBytes,
            taken_at = ApiJson.Time(result.TakenAt.ToUnixTimeMilliseconds()),
            duration_ms = Math.Round(result.Duration.TotalMilliseconds, 1),
            series = v.Series,
            points = v.Points,
            verification = new
            {
                ok = v.Ok,
                integrity = v.Integrity,
                hosts = v.Hosts,
                hosts_failed = v.HostsFailed,
                series = v.Series,
                series_failed = v.SeriesFailed,
                points = v.Points,
                snapshots = v.Snapshots,
                records = v.Events,
                chunks = v.Chunks,
                chunks_failed = v.ChunksFailed,
                other_events = v.OtherEvents,
                failure_count = v.FailureCount,
                failures = v.Failures.Select(f => new { persistence_id = f.PersistenceId, reason = f.Reason }).ToArray(),
            },
        };
    }
}

namespace Perf.Storage.Reports;

/// <summary>
/// Where finished reports are kept: the <c>report_files</c> table of the node's database, so that any api node of a
/// cluster serves a report whichever worker made it, and a report outlives the worker. Written once per report,
/// as a whole: the content endpoint never sees half a file.
/// </summary>
public sealed class ReportStore(StorageDatabase database)
{
    public async Task SaveAsync(string id, string format, byte[] content, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO report_files (id, format, content) VALUES (@id, @format, @content)
            ON CONFLICT (id) DO UPDATE SET format = excluded.format, content = excluded.content
            """;
        command.AddParameter("@id", id);
        command.AddParameter("@format", format);
        command.AddParameter("@content", content);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The content of a finished report; null when there is none.</summary>
    public async Task<byte[]?> ReadAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT content FROM report_files WHERE id = @id";
        command.AddParameter("@id", id);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as byte[];
    }
}

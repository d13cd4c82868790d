namespace Perf.Actors.Ingestion;

/// <summary>Where a batch came from, for the collection rate per protocol and source (<c>perf.points.ingested</c>).</summary>
/// <param name="Protocol">json, remote_write, line_protocol, otlp, loadtest or self.</param>
/// <param name="Source">who sent it: the API key's id (or the token's subject), "anonymous", or the engine itself.</param>
public sealed record IngestOrigin(string Protocol, string Source)
{
    public static readonly IngestOrigin Unknown = new("unknown", "unknown");
}

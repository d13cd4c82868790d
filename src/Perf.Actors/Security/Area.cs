namespace Perf.Actors.Security;

/// <summary>The product document's access areas; every endpoint belongs to exactly one (or is public).</summary>
public enum Area
{
    Ingest,
    Read,
    Analyze,
    Operate,
    Admin,
}

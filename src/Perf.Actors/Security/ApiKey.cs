namespace Perf.Actors.Security;

/// <summary>
/// One API key as the key book keeps it: never the key itself, only a salted SHA-256 of its secret part. The public
/// part (<see cref="Id"/>) is what listings, audit entries and logs show.
/// </summary>
/// <param name="Hosts">Host patterns ('*' wildcards) the key is limited to; empty: every host.</param>
/// <param name="RateLimit">Requests per second for this key; null: the configured default.</param>
public sealed record ApiKey(
    string Id,
    string Name,
    Role Role,
    string[] Hosts,
    KeyRateLimit? RateLimit,
    byte[] Salt,
    byte[] Hash,
    long CreatedMs,
    string CreatedBy,
    long? RevokedMs = null,
    string? RevokedBy = null)
{
    public bool Revoked => RevokedMs is not null;

    /// <summary>The start of the key as handed out, enough to recognise it: <c>perf_{id}</c>.</summary>
    public string Prefix => ApiKeySecret.TokenPrefix + Id;
}

namespace Perf.Actors.Security;

/// <summary>
/// One change on record: who (the key id, or the token's subject), with which role, did what (method and route) to
/// which target (the path), when, from where, and how it ended (the HTTP status).
/// </summary>
public sealed record AuditEntry(
    long AtMs,
    string Actor,
    string Role,
    string Action,
    string Target,
    int Status,
    string RemoteAddress) : IPerfMessage;

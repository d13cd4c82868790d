namespace Perf.Actors.Security;

/// <summary>Which areas each role reaches: the one table the API's authorisation policies are built from.</summary>
public static class RoleGrants
{
    public static bool Grants(this Role role, Area area) => area switch
    {
        Area.Ingest => role is Role.Ingest or Role.Admin,
        Area.Read => role is Role.Read or Role.Analyst or Role.Operator or Role.Admin,
        Area.Analyze => role is Role.Analyst or Role.Operator or Role.Admin,
        Area.Operate => role is Role.Operator or Role.Admin,
        Area.Admin => role is Role.Admin,
        _ => false,
    };

    /// <summary>The role named in an API body or a token claim ("ingest", "read", ...), or null.</summary>
    public static Role? Parse(string? name) => name?.ToLowerInvariant() switch
    {
        "ingest" => Role.Ingest,
        "read" => Role.Read,
        "analyst" => Role.Analyst,
        "operator" => Role.Operator,
        "admin" => Role.Admin,
        _ => null,
    };

    public static string Name(this Role role) => role.ToString().ToLowerInvariant();
}

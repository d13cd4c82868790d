using Microsoft.AspNetCore.Authorization;
using Perf.Actors.Security;

namespace Perf.Api.Security;

/// <summary>One authorisation policy per <see cref="Area"/>: the caller's role must grant it (<see cref="RoleGrants"/>).</summary>
public static class Policies
{
    public static string Name(Area area) => "area:" + area.ToString().ToLowerInvariant();

    public static void AddAreaPolicies(this AuthorizationOptions options)
    {
        foreach (var area in Enum.GetValues<Area>())
            options.AddPolicy(Name(area), policy => policy.RequireAuthenticatedUser()
                .RequireAssertion(context => Caller.From(context.User)?.Role.Grants(area) == true));
    }

    /// <summary>Puts the endpoint in <paramref name="area"/>: only callers whose role grants it reach it, and a change
    /// made through it (any method but GET/HEAD) is recorded in the audit trail before it is answered (<see cref="AuditRecorder"/>).</summary>
    public static TBuilder RequireArea<TBuilder>(this TBuilder builder, Area area) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(Name(area)).WithMetadata(new AreaMetadata(area));

    /// <summary>A read that is still recorded in the audit trail (report downloads).</summary>
    public static TBuilder Audited<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(AuditedRead.Instance);
}

/// <summary>Endpoint metadata: the area an endpoint belongs to (listed by <c>GET /api/v1/admin/endpoints</c>).</summary>
public sealed record AreaMetadata(Area Area);

/// <summary>Endpoint metadata: audit this endpoint's GETs too.</summary>
public sealed class AuditedRead
{
    public static readonly AuditedRead Instance = new();
}

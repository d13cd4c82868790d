using System.Security.Claims;
using Perf.Actors.Configuration;
using Perf.Actors.Security;

namespace Perf.Api.Security;

/// <summary>The authenticated caller of a request: who, with which role, limited to which hosts.</summary>
public sealed record Caller(string Actor, Role Role, MetricPattern[] Hosts, KeyRateLimit? RateLimit)
{
    public bool IsHostScoped => Hosts.Length > 0;

    /// <summary>Whether the caller may read or write the series of <paramref name="host"/>.</summary>
    public bool CanAccess(string host) => Hosts.Length == 0 || Hosts.Any(p => p.Matches(host));

    /// <summary>
    /// Whether the caller may set what applies to the hosts <paramref name="hostPattern"/> matches (an alert rule's or a
    /// silence's host): a host-scoped key only to one host of its scope, or to exactly one of its own patterns, since a
    /// wider pattern would reach hosts outside it.
    /// </summary>
    public bool CanManage(string hostPattern) =>
        Hosts.Length == 0
        || (!hostPattern.Contains('*') && CanAccess(hostPattern))
        || Hosts.Any(p => string.Equals(p.Text, hostPattern, StringComparison.OrdinalIgnoreCase));

    /// <summary>Whether the caller may see what applies to the hosts <paramref name="hostPattern"/> matches (an alert rule):
    /// what applies to every host, and what it could set itself; not another host's or another team's pattern.</summary>
    public bool CanSee(string hostPattern) => hostPattern == "*" || CanManage(hostPattern);

    public static ClaimsPrincipal Principal(string actor, Role role, IEnumerable<string> hosts, KeyRateLimit? rateLimit, string scheme)
    {
        var claims = new List<Claim> { new(PerfClaims.Actor, actor), new(PerfClaims.Role, role.Name()) };
        claims.AddRange(hosts.Select(h => new Claim(PerfClaims.Host, h)));
        if (rateLimit is not null) claims.Add(new Claim(PerfClaims.RateLimit, $"{rateLimit.RequestsPerSecond}/{rateLimit.Burst}"));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, scheme, PerfClaims.Actor, PerfClaims.Role));
    }

    /// <summary>The caller of an authenticated principal; null when it carries no Perf identity.</summary>
    public static Caller? From(ClaimsPrincipal user)
    {
        if (user.Identity?.IsAuthenticated != true || user.FindFirst(PerfClaims.Actor)?.Value is not { } actor
            || RoleGrants.Parse(user.FindFirst(PerfClaims.Role)?.Value) is not { } role)
            return null;
        KeyRateLimit? limit = null;
        if (user.FindFirst(PerfClaims.RateLimit)?.Value.Split('/') is [var perSecond, var burst])
            limit = new KeyRateLimit(int.Parse(perSecond, System.Globalization.CultureInfo.InvariantCulture), int.Parse(burst, System.Globalization.CultureInfo.InvariantCulture));
        return new Caller(actor, role, [.. user.FindAll(PerfClaims.Host).Select(c => new MetricPattern(c.Value))], limit);
    }

    /// <summary>The request's caller, read from its claims once and kept with the request: the rate limiter, the guards,
    /// the audit filter, the endpoint and the access log all ask, on every request (ingestion's hot path included).</summary>
    public static Caller? From(HttpContext context)
    {
        if (context.Items.TryGetValue(ItemKey, out var cached)) return (Caller?)cached;
        if (context.User.Identity?.IsAuthenticated != true) return null; // not yet authenticated: nothing to keep
        var caller = From(context.User);
        context.Items[ItemKey] = caller;
        return caller;
    }

    private static readonly object ItemKey = new();
}

using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Perf.Actors.Configuration;
using Perf.Actors.Security;
using Perf.Api.Http;

namespace Perf.Api.Security;

/// <summary>
/// Authenticates Perf API keys from wherever senders put them: <c>X-Api-Key</c>, <c>Authorization: Bearer</c>, the
/// InfluxDB-style <c>Authorization: Token</c>, and the password of basic auth (Prometheus remote_write, Telegraf).
/// The configured admin key is compared by hash in constant time; every other key is looked up by its public id in
/// this node's <see cref="ApiKeyRegistry"/> and its secret checked against the salted hash.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiKeyRegistry keys,
    SecuritySettings settings)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string ConfiguredAdminActor = "admin-key";
    private readonly byte[]? _adminKeyHash = settings.AdminKey is { } admin ? SHA256.HashData(Encoding.UTF8.GetBytes(admin)) : null;

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (PresentedKey(Request) is not { } token) return Task.FromResult(AuthenticateResult.NoResult());
        if (_adminKeyHash is not null && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(token)), _adminKeyHash))
            return Task.FromResult(Success(ConfiguredAdminActor, Role.Admin, [], null));
        if (!ApiKeySecret.TryParse(token, out var id, out var secret) || keys.Find(id) is not { } key || !ApiKeySecret.Verify(key, secret))
            return Task.FromResult(AuthenticateResult.Fail("unknown API key"));
        if (key.Revoked) return Task.FromResult(AuthenticateResult.Fail("revoked API key"));
        return Task.FromResult(Success(key.Id, key.Role, key.Hosts, key.RateLimit));
    }

    private AuthenticateResult Success(string actor, Role role, IEnumerable<string> hosts, KeyRateLimit? rateLimit) =>
        AuthenticateResult.Success(new AuthenticationTicket(Caller.Principal(actor, role, hosts, rateLimit, SchemeName), SchemeName));

    /// <summary>The key a request carries, from the first place that has one; null when it has none.</summary>
    public static string? PresentedKey(HttpRequest request)
    {
        if (request.Headers["X-Api-Key"].ToString() is { Length: > 0 } header) return header.Trim();
        var authorization = request.Headers.Authorization.ToString();
        var space = authorization.IndexOf(' ');
        if (space <= 0) return null;
        var (scheme, value) = (authorization[..space], authorization[(space + 1)..].Trim());
        if (value.Length == 0) return null;
        if (scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase) || scheme.Equals("Token", StringComparison.OrdinalIgnoreCase)) return value;
        if (!scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase)) return null;
        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(value));
            var colon = decoded.IndexOf(':');
            return colon >= 0 && colon < decoded.Length - 1 ? decoded[(colon + 1)..] : null;
        }
        catch (FormatException) { return null; }
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) => Refuse(Context, StatusCodes.Status401Unauthorized);

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) => Refuse(Context, StatusCodes.Status403Forbidden);

    /// <summary>401 or 403 as problem+json naming what is wrong: the credentials or the caller's role.</summary>
    public static async Task Refuse(HttpContext context, int status)
    {
        if (context.Response.HasStarted) return;
        context.Response.StatusCode = status;
        IResult problem;
        if (status == StatusCodes.Status401Unauthorized)
        {
            context.Response.Headers[HeaderNames.WWWAuthenticate] = "Bearer realm=\"perf\"";
            var why = context.Features.Get<IAuthenticateResultFeature>()?.AuthenticateResult?.Failure?.Message
                      ?? (PresentedKey(context.Request) is null ? "an API key or token is required" : "the credentials were not accepted");
            problem = Problems.Invalid("Authorization", why, status, "Unauthorized");
        }
        else
        {
            var caller = Caller.From(context);
            problem = Problems.Invalid("role", $"role {caller?.Role.Name() ?? "(none)"} may not use {context.Request.Method} {context.Request.Path}", status, "Forbidden");
        }
        await problem.ExecuteAsync(context);
    }
}

using System.Security.Cryptography;
using System.Text;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.IdentityModel.Tokens;
using Perf.Actors.Configuration;
using Perf.Actors.Security;
using Perf.Api.Http;

namespace Perf.Api.Security;

/// <summary>Authentication (API keys, JWT), authorisation by area, per-caller rate limits, request timeouts and guards.</summary>
public static class SecurityExtensions
{
    private const string SchemeName = "Perf";

    public static IServiceCollection AddPerfSecurity(this IServiceCollection services, SecuritySettings settings)
    {
        services.AddSingleton(settings);
        services.AddSingleton<AuthenticationThrottle>();
        var authentication = services
            .AddAuthentication(SchemeName)
            .AddPolicyScheme(SchemeName, "API key or JWT", options => options.ForwardDefaultSelector = context =>
                settings.Jwt.Enabled && IsJwt(context.Request) ? JwtBearerDefaults.AuthenticationScheme : ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        if (settings.Jwt.Enabled) authentication.AddJwtBearer(options => ConfigureJwt(options, settings.Jwt));
        services.AddAuthorization(options => options.AddAreaPolicies());
        services.AddRateLimiter(options =>
        {
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context => Partition(context, settings));
            options.OnRejected = (rejected, _) =>
            {
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
                return new ValueTask(Problems.RetryLater(rejected.HttpContext, StatusCodes.Status429TooManyRequests, retryAfter,
                    "this key's request rate is over its limit (perf.security.rate_limit, or the key's own rate_limit)").ExecuteAsync(rejected.HttpContext));
            };
        });
        services.AddRequestTimeouts(options => options.DefaultPolicy = new RequestTimeoutPolicy
        {
            Timeout = settings.RequestTimeout,
            TimeoutStatusCode = StatusCodes.Status504GatewayTimeout,
        });
        return services;
    }

    /// <summary>The middleware, in order: access log around everything, then routing, the audit trail (around every
    /// refusal that follows), the address throttle (before any key is checked), who (authentication), how often (the
    /// caller's rate limit), may they (authorisation), how long (timeouts), and the per-request guards.</summary>
    public static WebApplication UsePerfSecurity(this WebApplication app)
    {
        app.UseMiddleware<AccessLog>();
        app.UseRouting();
        app.UseMiddleware<AuditRecorder>();
        app.UseMiddleware<AuthenticationThrottle>();
        app.UseAuthentication();
        app.UseRateLimiter();
        app.UseAuthorization();
        app.UseRequestTimeouts();
        app.UseMiddleware<RequestGuards>();
        return app;
    }

    /// <summary>Stops start-up when an endpoint is neither in an area nor explicitly public: forgetting a guard must not
    /// open a door.</summary>
    public static void VerifyEveryEndpointIsGuarded(this IEndpointRouteBuilder app)
    {
        var open = app.DataSources.SelectMany(d => d.Endpoints)
            .Where(e => e.Metadata.GetMetadata<AreaMetadata>() is null && e.Metadata.GetMetadata<IAllowAnonymous>() is null)
            .Select(e => e.DisplayName)
            .ToArray();
        if (open.Length > 0) throw new InvalidOperationException($"Endpoints without an area or AllowAnonymous: {string.Join(", ", open)}");
    }

    private static RateLimitPartition<string> Partition(HttpContext context, SecuritySettings settings)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<IAllowAnonymous>() is not null) return RateLimitPartition.GetNoLimiter("public");
        // Requests without valid credentials are answered 401 and held to their address's limit by AuthenticationThrottle.
        if (Caller.From(context) is not { } caller) return RateLimitPartition.GetNoLimiter("unauthenticated");
        var limit = caller.RateLimit ?? settings.RateLimit;
        return RateLimitPartition.GetTokenBucketLimiter(caller.Actor, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = limit.Burst,
            TokensPerPeriod = limit.RequestsPerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        });
    }

    private static bool IsJwt(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (!authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return false;
        var token = authorization.AsSpan(7).Trim();
        return !token.StartsWith(ApiKeySecret.TokenPrefix, StringComparison.Ordinal) && token.Count('.') == 2;
    }

    private static void ConfigureJwt(JwtBearerOptions options, JwtSettings jwt)
    {
        options.MapInboundClaims = false;
        options.TokenValidationParameters = new TokenValidationParameters
        {
            ValidIssuer = jwt.Issuer,
            ValidAudience = jwt.Audience,
            ValidAlgorithms = [jwt.Algorithm == "RS256" ? SecurityAlgorithms.RsaSha256 : SecurityAlgorithms.HmacSha256],
            IssuerSigningKey = jwt.Algorithm == "RS256" ? RsaKey(jwt.PublicKeyFile!) : new SymmetricSecurityKey(Encoding.UTF8.GetBytes(jwt.Secret!)),
            ClockSkew = TimeSpan.FromSeconds(30),
        };
        options.Events = new JwtBearerEvents
        {
            OnTokenValidated = context =>
            {
                var principal = context.Principal!;
                if (RoleGrants.Parse(principal.FindFirst(jwt.RoleClaim)?.Value) is not { } role)
                {
                    context.Fail($"the token's '{jwt.RoleClaim}' claim names no Perf role");
                    return Task.CompletedTask;
                }
                var subject = principal.FindFirst("sub")?.Value ?? "unknown";
                var hosts = principal.FindAll(jwt.HostsClaim).SelectMany(c => c.Value.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries));
                context.Principal = Caller.Principal("jwt:" + subject, role, hosts, null, JwtBearerDefaults.AuthenticationScheme);
                return Task.CompletedTask;
            },
            OnChallenge = context =>
            {
                context.HandleResponse();
                return ApiKeyAuthenticationHandler.Refuse(context.HttpContext, StatusCodes.Status401Unauthorized);
            },
            OnForbidden = context => ApiKeyAuthenticationHandler.Refuse(context.HttpContext, StatusCodes.Status403Forbidden),
        };
    }

    private static RsaSecurityKey RsaKey(string pemFile)
    {
        var rsa = RSA.Create();
        rsa.ImportFromPem(File.ReadAllText(pemFile));
        return new RsaSecurityKey(rsa);
    }

}

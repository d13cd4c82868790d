namespace Perf.Actors.Configuration;

/// <summary>
/// <c>perf.security.jwt</c>: bearer tokens from an identity provider, accepted beside API keys when enabled. HS256 checks
/// the signature with a shared secret, RS256 with the provider's public key (PEM file); the issuer and audience must
/// match. The token's <see cref="RoleClaim"/> names a Perf role; <see cref="HostsClaim"/> (optional) limits it to hosts.
/// </summary>
public sealed record JwtSettings(
    bool Enabled,
    string Algorithm,
    string? Secret,
    string? PublicKeyFile,
    string Issuer,
    string Audience,
    string RoleClaim,
    string HostsClaim)
{
    public static JwtSettings Read(ConfigReader config)
    {
        var enabled = config.Bool("perf.security.jwt.enabled");
        var algorithm = config.OneOf("perf.security.jwt.algorithm", "HS256", "RS256").ToUpperInvariant();
        var secret = config.OptionalString("perf.security.jwt.secret");
        var publicKeyFile = config.OptionalString("perf.security.jwt.public_key_file");
        var settings = new JwtSettings(enabled, algorithm, secret, publicKeyFile,
            enabled ? config.String("perf.security.jwt.issuer") : config.OptionalString("perf.security.jwt.issuer") ?? "",
            enabled ? config.String("perf.security.jwt.audience") : config.OptionalString("perf.security.jwt.audience") ?? "",
            config.String("perf.security.jwt.role_claim"),
            config.String("perf.security.jwt.hosts_claim"));
        if (!enabled) return settings;
        if (algorithm == "HS256" && (secret is null || secret.Length < 32))
            throw new PerfConfigurationException("perf.security.jwt.secret", "HS256 needs a secret of at least 32 characters");
        if (algorithm == "RS256" && (publicKeyFile is null || !File.Exists(publicKeyFile)))
            throw new PerfConfigurationException("perf.security.jwt.public_key_file", "RS256 needs the path of the issuer's public key (PEM)");
        return settings;
    }
}

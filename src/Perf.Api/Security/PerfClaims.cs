namespace Perf.Api.Security;

/// <summary>The claims every authenticated caller carries, whichever way it signed in (API key or JWT).</summary>
public static class PerfClaims
{
    /// <summary>Who acts: the key id, <c>admin-key</c> for the configured admin key, or <c>jwt:{subject}</c>.</summary>
    public const string Actor = "perf:actor";
    public const string Role = "perf:role";
    /// <summary>One claim per host pattern the caller is limited to; none: every host.</summary>
    public const string Host = "perf:host";
    /// <summary>The caller's own requests per second and burst ("10/20"), when it has its own limit.</summary>
    public const string RateLimit = "perf:rate";
}

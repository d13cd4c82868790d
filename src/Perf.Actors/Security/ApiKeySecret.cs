using System.Security.Cryptography;
using System.Text;

namespace Perf.Actors.Security;

/// <summary>
/// The shape of a Perf API key, <c>perf_{id}_{secret}</c>: a 12-character public id to find the key by and a 256-bit
/// random secret. The stored hash is SHA-256 over a per-key salt and the secret; a fast hash is enough because the
/// secret is random and long, not a password a person chose, so guessing it from the hash is out of reach.
/// </summary>
public static class ApiKeySecret
{
    public const string TokenPrefix = "perf_";
    private const int IdLength = 12;

    /// <summary>A new key: its id, the full token to hand out once, and the salt and hash to keep.</summary>
    public static (string Id, string Token, byte[] Salt, byte[] Hash) Generate()
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(IdLength / 2));
        var secret = Base64Url(RandomNumberGenerator.GetBytes(32));
        var salt = RandomNumberGenerator.GetBytes(16);
        return (id, $"{TokenPrefix}{id}_{secret}", salt, Hash(salt, secret));
    }

    /// <summary>The id and secret of a token in Perf's format, or false for anything else.</summary>
    public static bool TryParse(string token, out string id, out string secret)
    {
        id = secret = "";
        if (!token.StartsWith(TokenPrefix, StringComparison.Ordinal) || token.Length <= TokenPrefix.Length + IdLength + 1
            || token[TokenPrefix.Length + IdLength] != '_')
            return false;
        id = token.Substring(TokenPrefix.Length, IdLength);
        secret = token[(TokenPrefix.Length + IdLength + 1)..];
        return true;
    }

    public static byte[] Hash(byte[] salt, string secret)
    {
        var text = Encoding.UTF8.GetBytes(secret);
        var input = new byte[salt.Length + text.Length];
        salt.CopyTo(input, 0);
        text.CopyTo(input, salt.Length);
        return SHA256.HashData(input);
    }

    /// <summary>Whether <paramref name="secret"/> is the key's, in time independent of where they differ.</summary>
    public static bool Verify(ApiKey key, string secret) => CryptographicOperations.FixedTimeEquals(Hash(key.Salt, secret), key.Hash);

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

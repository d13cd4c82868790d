namespace Perf.Actors.Security;

/// <summary>Changes to the key book (cluster singleton <c>api-keys</c>), from any node's admin endpoints.</summary>
public static class KeyBookCommands
{
    /// <summary>Adds a key (its hash, never the key). Answered with <see cref="KeyBookQueries.KeyBookView"/>.</summary>
    public sealed record CreateKey(ApiKey Key) : IPerfMessage;

    /// <summary>Revokes a key for good. Answered with <see cref="KeyBookQueries.KeyBookView"/> or <see cref="KeyBookQueries.KeyNotFound"/>.</summary>
    public sealed record RevokeKey(string KeyId, string RevokedBy, long AtMs) : IPerfMessage;
}

public static class KeyBookQueries
{
    public sealed record GetKeys : IPerfMessage
    {
        public static readonly GetKeys Instance = new();
    }

    /// <summary>Every key ever created, revoked ones included, with the book's version; also what it publishes on change.</summary>
    public sealed record KeyBookView(long Version, ApiKey[] Keys) : IPerfMessage;

    public sealed record KeyNotFound(string KeyId) : IPerfMessage;
}

public static class KeyBookEvents
{
    public sealed record KeyCreated(ApiKey Key) : IPerfMessage;

    public sealed record KeyRevoked(string KeyId, string RevokedBy, long AtMs) : IPerfMessage;
}

using static Perf.Actors.Security.KeyBookEvents;

namespace Perf.Actors.Security;

/// <summary>The keys created so far, in creation order; a revoked key stays, marked, so listings and audits can name it. Pure.</summary>
public sealed class KeyBookState
{
    private readonly List<ApiKey> _keys = [];

    public long Version { get; private set; }
    public IReadOnlyList<ApiKey> Keys => _keys;

    public ApiKey? Find(string keyId) => _keys.Find(k => k.Id == keyId);

    public void Apply(object @event)
    {
        switch (@event)
        {
            case KeyCreated created:
                _keys.Add(created.Key);
                break;
            case KeyRevoked revoked:
                var index = _keys.FindIndex(k => k.Id == revoked.KeyId);
                if (index >= 0 && !_keys[index].Revoked) _keys[index] = _keys[index] with { RevokedMs = revoked.AtMs, RevokedBy = revoked.RevokedBy };
                break;
            default:
                throw new ArgumentException($"Unknown key book event {@event.GetType().Name}", nameof(@event));
        }
        Version++;
    }
}

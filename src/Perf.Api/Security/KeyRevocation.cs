using Perf.Actors.Security;

namespace Perf.Api.Security;

/// <summary>
/// Streams outlive the checks made when their request came in: each one watches its caller's key and ends when the key is
/// revoked (within <see cref="CheckEvery"/>), however quiet the stream is.
/// </summary>
public static class KeyRevocation
{
    public static readonly TimeSpan CheckEvery = TimeSpan.FromSeconds(1);

    /// <summary>Cancels <paramref name="ending"/> once the caller's key is revoked; returns when it is cancelled either way.</summary>
    public static async Task EndWhenRevokedAsync(ApiKeyRegistry keys, Caller caller, CancellationTokenSource ending)
    {
        using var timer = new PeriodicTimer(CheckEvery);
        try
        {
            while (await timer.WaitForNextTickAsync(ending.Token))
            {
                if (keys.Find(caller.Actor) is not { Revoked: true }) continue;
                await ending.CancelAsync();
                return;
            }
        }
        catch (OperationCanceledException)
        {
            // The stream ended first.
        }
    }
}

using Perf.Analytics.Time;

namespace Perf.Host.Notifications;

/// <summary>
/// Bounds one delivery attempt. A receiver that never answers must not hold up the dispatcher, which retries; and a
/// timeout must read as one (<see cref="TimeoutException"/>), not as the caller having cancelled.
/// </summary>
internal static class ChannelDeadline
{
    public static async Task RunAsync(string channel, TimeSpan timeout, CancellationToken cancellationToken, Func<CancellationToken, Task> attempt)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await attempt(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"{channel} did not answer within {DurationParser.Format(timeout)}", e);
        }
    }
}

namespace Perf.Host.Tests.Infrastructure;

/// <summary>
/// Waits for a condition that no event announces (a file appearing, another process getting ready) by asking again,
/// briefly at first and then less often, and fails with what it was waiting for.
/// </summary>
public static class Poll
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan FirstInterval = TimeSpan.FromMilliseconds(25);
    private static readonly TimeSpan MaxInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>Asks <paramref name="probe"/> until it returns a value, and returns that value.</summary>
    /// <exception cref="TimeoutException">Still nothing after <paramref name="timeout"/> (default <see cref="DefaultTimeout"/>).</exception>
    public static async Task<T> UntilAsync<T>(string waitingFor, Func<CancellationToken, Task<T?>> probe, CancellationToken cancellationToken, TimeSpan? timeout = null)
        where T : class
    {
        var limit = timeout ?? DefaultTimeout;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(limit);
        var interval = FirstInterval;
        try
        {
            while (true)
            {
                if (await probe(deadline.Token) is { } found) return found;
                await Task.Delay(interval, deadline.Token);
                interval = TimeSpan.FromTicks(Math.Min(interval.Ticks * 2, MaxInterval.Ticks));
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"Waited {limit.TotalSeconds:0}s for {waitingFor}");
        }
    }

    /// <summary>Asks <paramref name="condition"/> until it holds.</summary>
    public static Task UntilAsync(string waitingFor, Func<CancellationToken, Task<bool>> condition, CancellationToken cancellationToken, TimeSpan? timeout = null) =>
        UntilAsync<object>(waitingFor, async token => await condition(token) ? true : null, cancellationToken, timeout);
}

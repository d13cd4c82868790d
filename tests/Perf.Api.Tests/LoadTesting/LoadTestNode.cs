using Perf.Api.Tests.Infrastructure;

namespace Perf.Api.Tests.LoadTesting;

/// <summary>A node and the saturating target, shared by the load test class.</summary>
public sealed class LoadTestNode : IAsyncLifetime
{
    public PerfNodeProcess Node { get; } = new();
    public SaturatingServer Target { get; } = new();
    public HttpClient Client => Node.Client;

    public async ValueTask InitializeAsync()
    {
        await Target.StartAsync();
        await Node.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await Node.DisposeAsync();
        await Target.DisposeAsync();
    }
}

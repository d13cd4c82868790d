namespace Perf.Bench.Memory;

public static class Orchestrator
{
    public static Task<int> RunAsync(string[] args) => Task.FromResult(0);
}

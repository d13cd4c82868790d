namespace Perf.Actors.Optimization;

/// <summary>One value a recommendation rests on, e.g. <c>cpu.usage.min = 85</c> or <c>weight.b = 0.25</c>.</summary>
public sealed record Evidence(string Name, double Value);

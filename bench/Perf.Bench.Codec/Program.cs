using BenchmarkDotNet.Running;
using Perf.Bench.Codec;

// e.g. dotnet run -c Release -- --job short --filter *Encode*
BenchmarkSwitcher.FromAssembly(typeof(GorillaCodecBenchmarks).Assembly).Run(args);

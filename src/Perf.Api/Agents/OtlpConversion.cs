using Perf.Api.Ingest;

namespace Perf.Api.Agents;

/// <summary>What one OTLP request became: the samples to store, and the data points refused with the first reasons.</summary>
public sealed record OtlpConversion(SampleBatchBuilder Batch, int Rejected, IReadOnlyList<string> Reasons);

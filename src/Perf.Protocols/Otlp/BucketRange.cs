namespace Perf.Protocols.Otlp;

/// <summary>One bucket of a histogram: <paramref name="Count"/> values between <paramref name="Lower"/> and <paramref name="Upper"/>.</summary>
public readonly record struct BucketRange(double Lower, double Upper, double Count);

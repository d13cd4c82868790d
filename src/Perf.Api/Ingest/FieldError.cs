namespace Perf.Api.Ingest;

/// <summary>One problem with a request, located by a path such as <c>[2].metrics.cpu.usage</c> or <c>start_time</c>.</summary>
public sealed record FieldError(string Field, string Message);

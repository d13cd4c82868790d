using System.Runtime.CompilerServices;

// The detection tests exercise the eigen solver and the erf approximation directly.
[assembly: InternalsVisibleTo("Perf.Analytics.Tests")]

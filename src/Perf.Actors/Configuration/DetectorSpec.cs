using Perf.Analytics.Detection;

namespace Perf.Actors.Configuration;

/// <summary>
/// One detector a series runs: its name (<see cref="DetectorCatalog.Names"/>), a key that changes whenever its options
/// change (a stored detector state is reused only under the same key), and how to build a fresh one.
/// </summary>
public sealed record DetectorSpec(string Name, string Key, Func<IStreamingDetector> Create);

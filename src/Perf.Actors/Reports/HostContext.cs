using Perf.Actors.Optimization;
using static Perf.Actors.Alerts.AlertEvents;

namespace Perf.Actors.Reports;

/// <summary>What a report says about a host besides its metrics: the alert transitions in range and the optimizer's
/// current recommendations.</summary>
public sealed record HostContext(IReadOnlyList<AlertTransitioned> Alerts, IReadOnlyList<Recommendation> Recommendations);

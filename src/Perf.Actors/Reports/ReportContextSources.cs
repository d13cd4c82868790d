using Akka.Actor;
using static Perf.Actors.Alerts.AlertEvents;

namespace Perf.Actors.Reports;

/// <summary>Where a report worker finds each host's context: the host region (recommendations) and the alert log.</summary>
public sealed record ReportContextSources(IActorRef HostRegion, Func<CancellationToken, Task<IReadOnlyList<AlertTransitioned>>> ReadAlerts);

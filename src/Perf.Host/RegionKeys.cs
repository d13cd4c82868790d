namespace Perf.Host;

/// <summary>Keys of the node's actors in the Akka.Hosting registry (<c>IRequiredActor&lt;T&gt;</c>).</summary>
public sealed class SeriesRegion;

public sealed class HostRegion;

public sealed class HostDirectory;

public sealed class AlertRuleBookKey;

public sealed class NotificationDispatcherKey;

public sealed class SilenceBookKey;

public sealed class AnalysisKey;

public sealed class ReportJobsKey;

public sealed class KeyBookKey;

public sealed class AuditTrailKey;

public sealed class LoadTestsKey;

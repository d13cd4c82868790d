namespace Perf.Host;

/// <summary>Keys of the node's actors in the Akka.Hosting registry (<c>IRequiredActor&lt;T&gt;</c>).</summary>
/// <summary>The host shard region: host messages, and series messages (<c>{host}/{metric}</c>), which go to the series' host.</summary>
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

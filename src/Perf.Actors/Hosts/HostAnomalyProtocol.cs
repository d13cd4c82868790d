namespace Perf.Actors.Hosts;

/// <summary>The host model of a <see cref="HostActor"/> (its child <see cref="HostAnomalyActor"/>).</summary>
public static class HostAnomalyProtocol
{
    /// <summary>Findings with <c>FromMs &lt;= t &lt;= ToMs</c> and the model's state; answered with <see cref="HostAnomalyList"/>.</summary>
    public sealed record GetHostAnomalies(string Host, long FromMs, long ToMs) : IHostMessage;

    /// <param name="TrainedOn">vectors the current model learned from; 0 while there is none.</param>
    public sealed record HostAnomalyList(HostAnomaly[] Anomalies, string[] Features, int TrainedOn) : IPerfMessage;

    /// <summary>One request's newest samples of the host (from the host actor; local).</summary>
    public sealed record ObserveHostSamples(string[] Metrics, long[] Timestamps, double[] Values);
}

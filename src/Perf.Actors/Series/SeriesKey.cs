namespace Perf.Actors.Series;

/// <summary>Identity of one time series: the host that reported it and the metric name (e.g. <c>cpu.usage</c>).</summary>
public readonly record struct SeriesKey(string Host, string Metric)
{
    /// <summary>Sharding entity id, <c>{host}/{metric}</c>. Host names never contain '/', so the split is unambiguous.</summary>
    public string EntityId => $"{Host}/{Metric}";

    public static SeriesKey FromEntityId(string entityId)
    {
        var slash = entityId.IndexOf('/');
        if (slash <= 0 || slash == entityId.Length - 1)
            throw new ArgumentException($"'{entityId}' is not a series entity id of the form host/metric", nameof(entityId));
        return new SeriesKey(entityId[..slash], entityId[(slash + 1)..]);
    }

    public override string ToString() => EntityId;
}

namespace Perf.Actors.Security;

/// <summary>What a key (or a token's role claim) may do, from least to most. See <see cref="Area"/> for what each reaches.</summary>
public enum Role
{
    /// <summary>Writes metrics, nothing else: what an agent needs.</summary>
    Ingest,
    /// <summary>Reads metrics, series, hosts, alerts and the alert stream.</summary>
    Read,
    /// <summary>Read, plus analyses and reports.</summary>
    Analyst,
    /// <summary>Analyst, plus alert rules, silences, acknowledgements, optimisation and cluster status.</summary>
    Operator,
    /// <summary>Everything: keys, audit, configuration, cluster membership, backups, and ingestion.</summary>
    Admin,
}

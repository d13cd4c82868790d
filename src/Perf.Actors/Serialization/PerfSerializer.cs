using Akka.Actor;
using Akka.Serialization;
using Perf.Actors.Alerts;
using Perf.Actors.Hosts;
using Perf.Actors.Notifications;
using Perf.Actors.Optimization;
using Perf.Actors.Reports;
using Perf.Actors.Series;
using Perf.Analytics.Aggregation;
using static Perf.Actors.Alerts.AlertEvents;
using static Perf.Actors.Analysis.AnalysisProtocol;
using static Perf.Actors.Alerts.AlertRuleBookCommands;
using static Perf.Actors.Alerts.AlertRuleBookEvents;
using static Perf.Actors.Alerts.AlertRuleBookQueries;
using static Perf.Actors.Alerts.SilenceBookCommands;
using static Perf.Actors.Alerts.SilenceBookEvents;
using static Perf.Actors.Alerts.SilenceBookQueries;
using static Perf.Actors.Hosts.HostCommands;
using static Perf.Actors.Hosts.HostDirectoryCommands;
using static Perf.Actors.Hosts.HostDirectoryEvents;
using static Perf.Actors.Hosts.HostDirectoryQueries;
using static Perf.Actors.Hosts.HostQueries;
using static Perf.Actors.Notifications.NotificationProtocol;
using static Perf.Actors.Optimization.OptimizerCommands;
using static Perf.Actors.Optimization.OptimizerEvents;
using static Perf.Actors.Optimization.OptimizerQueries;
using static Perf.Actors.Reports.ReportJobsCommands;
using static Perf.Actors.Reports.ReportJobsEvents;
using static Perf.Actors.Reports.ReportJobsQueries;
using static Perf.Actors.Series.SeriesCommands;
using static Perf.Actors.Series.SeriesQueries;
using Perf.Actors.Security;
using static Perf.Actors.Security.KeyBookCommands;
using static Perf.Actors.Security.KeyBookEvents;
using static Perf.Actors.Security.KeyBookQueries;

namespace Perf.Actors.Serialization;

/// <summary>
/// Compact binary format of every <see cref="IPerfMessage"/>: persisted events, snapshots and cluster messages.
/// Manifests are short and frozen: a persisted manifest must never change meaning, so add new codes, never reuse one.
/// An unknown type or manifest throws; nothing falls back to another serializer.
/// A persisted layout grows only at its end: fields added later follow the old ones, and a reader takes them only when
/// the bytes go on (<see cref="HasMore"/>), so rows written before them still read, with the new fields' defaults.
/// </summary>
public sealed partial class PerfSerializer : SerializerWithStringManifest
{
    public const int Id = 4717;
    private readonly Dictionary<Type, (string Manifest, Action<BinaryWriter, object> Write)> _writers = [];
    private readonly Dictionary<string, Func<BinaryReader, object>> _readers = [];

    public PerfSerializer(ExtendedActorSystem system) : base(system)
    {
        // Series
        Register<ReadRange>("SQ", (w, m) => { w.Write(m.EntityId); w.Write(m.FromMs); w.Write(m.ToMs); w.Write(m.StepMs); w.Write((byte)m.Aggregation); },
            r => new ReadRange(r.ReadString(), r.ReadInt64(), r.ReadInt64(), r.ReadInt64(), (AggregationKind)r.ReadByte()));
        Register<RangeResult>("SQR", (w, m) => { w.WriteLongs(m.Timestamps); w.WriteDoubles(m.Values); },
            r => new RangeResult(r.ReadLongs(), r.ReadDoubles()));
        Register<GetState>("SG", (w, m) => w.Write(m.EntityId), r => new GetState(r.ReadString()));
        Register<StateView>("SGR", (w, m) =>
        {
            w.Write(m.Host); w.Write(m.Metric); w.Write(m.PointCount); w.Write(m.FirstTimestampMs); w.Write(m.LastTimestampMs);
            w.Write(m.LastValue); w.Write(m.HeadPoints); w.Write(m.HeadBytes); w.Write(m.ChunkCount); w.Write(m.ChunkBytes); w.Write(m.LastSequenceNr);
            w.WriteArray(m.Detectors, WriteDetectorView);
        }, r => new StateView(r.ReadString(), r.ReadString(), r.ReadInt64(), r.ReadInt64(), r.ReadInt64(), r.ReadDouble(),
            r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), r.ReadInt64(), r.ReadInt64(), r.ReadArray(ReadDetectorView)));
        Register<RecordFinding>("SF", (w, m) => { w.Write(m.EntityId); WriteAnomaly(w, m.Finding); }, r => new RecordFinding(r.ReadString(), ReadAnomaly(r)));
        Register<GetAnomalies>("SD", (w, m) => { w.Write(m.EntityId); w.Write(m.FromMs); w.Write(m.ToMs); },
            r => new GetAnomalies(r.ReadString(), r.ReadInt64(), r.ReadInt64()));
        Register<AnomalyList>("SDR", (w, m) => { w.WriteArray(m.Anomalies, WriteAnomaly); w.Write(m.DetectorSet); w.WriteStrings(m.Detectors); },
            r => new AnomalyList(r.ReadArray(ReadAnomaly), r.ReadString(), r.ReadStrings()));
        Register<SeriesNotFound>("SNF", (w, m) => w.Write(m.EntityId), r => new SeriesNotFound(r.ReadString()));
        Register<KeepAlive>("SK", (w, m) => w.Write(m.EntityId), r => new KeepAlive(r.ReadString()));
        Register<ReapplyAlertRules>("SRA", (w, m) => { w.Write(m.EntityId); w.Write(m.BookVersion); w.Write(m.Attempt); },
            r => new ReapplyAlertRules(r.ReadString(), r.ReadInt64(), r.ReadInt32()));
        // Retired manifests, never to be reused: SA, SAR, SAF (appends to a series actor), SE1-SE5, SS, SS2 (series events and
        // snapshots, layout 1: read only by Perf.Storage's migration), HL, HE1, HS (a host's latest values, series list and
        // snapshot of layout 1).

        // Alerts
        Register<AlertTransitioned>("AT", WriteTransition, ReadTransition);
        Register<AlertActorSnapshot>("AS", (w, m) =>
        {
            w.Write(m.EvaluatedUpToMs);
            w.WriteArray(m.Rules, static (w, s) =>
            {
                w.Write(s.RuleId); w.Write((byte)s.Condition); w.Write((byte)s.Severity); w.Write(s.EpisodeStartMs); w.Write(s.LastFindingMs);
                w.Write(s.Flapping); w.WriteLongs(s.Changes);
            });
            // Added with trend and no-data rules: one extension per rule, in the same order, after the frozen part.
            w.WriteArray(m.Rules, static (w, s) => WriteExtension(w, s, static (w, s) =>
            {
                w.WritePoints(s.TrendTimestampsMs, s.TrendValues); w.Write(s.LastArrivalMs);
                // Added later, at the extension's end: the rule the state was made under.
                w.Write(s.Rule is not null);
                if (s.Rule is not null) WriteRule(w, s.Rule);
            }));
        }, r =>
        {
            var evaluatedUpToMs = r.ReadInt64();
            var rules = r.ReadArray(static r => new RuleEvaluatorState(
                r.ReadString(), (AlertState)r.ReadByte(), (AlertSeverity)r.ReadByte(), r.ReadInt64(), r.ReadInt64(), r.ReadBoolean(), r.ReadLongs()));
            if (HasMore(r))
            {
                var extended = r.ReadArray(static r => ReadExtension<RuleEvaluatorState>(r, static (r, s) =>
                {
                    var (timestamps, values) = r.ReadPoints();
                    return s with
                    {
                        TrendTimestampsMs = timestamps, TrendValues = values, LastArrivalMs = r.ReadInt64(),
                        Rule = HasMore(r) && r.ReadBoolean() ? ReadRule(r) : null,
                    };
                }));
                for (var i = 0; i < rules.Length; i++) rules[i] = extended[i](rules[i]);
            }
            return new AlertActorSnapshot(evaluatedUpToMs, rules);
        });

        // Alert rule book
        Register<SaveRule>("RS", (w, m) => WriteRule(w, m.Rule), r => new SaveRule(ReadRule(r)));
        Register<DeleteRule>("RD", (w, m) => w.Write(m.RuleId), r => new DeleteRule(r.ReadString()));
        Register<GetRules>("RG", (_, _) => { }, _ => GetRules.Instance);
        Register<RuleBookView>("RV", (w, m) => { w.Write(m.Version); WriteRules(w, m.Rules); }, r => new RuleBookView(r.ReadInt64(), ReadRules(r)));
        Register<RuleNotFound>("RNF", (w, m) => w.Write(m.RuleId), r => new RuleNotFound(r.ReadString()));
        Register<RuleSaved>("RE1", (w, m) => WriteRule(w, m.Rule), r => new RuleSaved(ReadRule(r)));
        Register<RuleDeleted>("RE2", (w, m) => w.Write(m.RuleId), r => new RuleDeleted(r.ReadString()));

        // Silences and acknowledgements
        Register<CreateSilence>("LC", (w, m) => WriteSilence(w, m.Silence), r => new CreateSilence(ReadSilence(r)));
        Register<ExpireSilence>("LX", (w, m) => { w.Write(m.SilenceId); w.Write(m.AtMs); }, r => new ExpireSilence(r.ReadString(), r.ReadInt64()));
        Register<Acknowledge>("LK", (w, m) => WriteAcknowledgement(w, m.Acknowledgement), r => new Acknowledge(ReadAcknowledgement(r)));
        Register<GetSilences>("LG", (_, _) => { }, _ => GetSilences.Instance);
        Register<SilencesView>("LV", (w, m) => { w.Write(m.Version); w.WriteArray(m.Silences, WriteSilence); w.WriteArray(m.Acknowledgements, WriteAcknowledgement); },
            r => new SilencesView(r.ReadInt64(), r.ReadArray(ReadSilence), r.ReadArray(ReadAcknowledgement)));
        Register<SilenceNotFound>("LNF", (w, m) => w.Write(m.SilenceId), r => new SilenceNotFound(r.ReadString()));
        Register<SilenceCreated>("LE1", (w, m) => WriteSilence(w, m.Silence), r => new SilenceCreated(ReadSilence(r)));
        Register<SilenceExpired>("LE2", (w, m) => { w.Write(m.SilenceId); w.Write(m.AtMs); }, r => new SilenceExpired(r.ReadString(), r.ReadInt64()));
        Register<AlertAcknowledged>("LE3", (w, m) => WriteAcknowledgement(w, m.Acknowledgement), r => new AlertAcknowledged(ReadAcknowledgement(r)));

        // API keys (hashes only) and the audit trail
        Register<CreateKey>("KC", (w, m) => WriteKey(w, m.Key), r => new CreateKey(ReadKey(r)));
        Register<RevokeKey>("KR", (w, m) => { w.Write(m.KeyId); w.Write(m.RevokedBy); w.Write(m.AtMs); }, r => new RevokeKey(r.ReadString(), r.ReadString(), r.ReadInt64()));
        Register<GetKeys>("KG", (_, _) => { }, _ => GetKeys.Instance);
        Register<KeyBookView>("KV", (w, m) => { w.Write(m.Version); w.WriteArray(m.Keys, WriteKey); }, r => new KeyBookView(r.ReadInt64(), r.ReadArray(ReadKey)));
        Register<KeyNotFound>("KNF", (w, m) => w.Write(m.KeyId), r => new KeyNotFound(r.ReadString()));
        Register<KeyCreated>("KE1", (w, m) => WriteKey(w, m.Key), r => new KeyCreated(ReadKey(r)));
        Register<KeyRevoked>("KE2", (w, m) => { w.Write(m.KeyId); w.Write(m.RevokedBy); w.Write(m.AtMs); }, r => new KeyRevoked(r.ReadString(), r.ReadString(), r.ReadInt64()));
        Register<AuditEntry>("UE", (w, m) => { w.Write(m.AtMs); w.Write(m.Actor); w.Write(m.Role); w.Write(m.Action); w.Write(m.Target); w.Write(m.Status); w.Write(m.RemoteAddress); },
            r => new AuditEntry(r.ReadInt64(), r.ReadString(), r.ReadString(), r.ReadString(), r.ReadString(), r.ReadInt32(), r.ReadString()));
        Register<AuditTrail.Recorded>("UR", (_, _) => { }, _ => AuditTrail.Recorded.Instance);

        // Analysis
        Register<Analyze>("YA", (w, m) =>
        {
            w.Write(m.Host); w.Write(m.AnalysisType); w.WriteStrings(m.Metrics); w.Write(m.FromMs); w.Write(m.ToMs);
            w.Write(m.DetectAnomalies); w.Write(m.IdentifyPatterns); w.Write(m.CalculateCorrelations);
        }, r => new Analyze(r.ReadString(), r.ReadString(), r.ReadStrings(), r.ReadInt64(), r.ReadInt64(), r.ReadBoolean(), r.ReadBoolean(), r.ReadBoolean()));
        Register<AnalysisDocument>("YD", (w, m) => w.Write(m.Json), r => new AnalysisDocument(r.ReadString()));
        Register<AnalysisFailed>("YF", (w, m) => { w.Write(m.Field); w.Write(m.Message); w.Write(m.Status); },
            r => new AnalysisFailed(r.ReadString(), r.ReadString(), r.ReadInt32()));

        // Report jobs
        Register<CreateReport>("PC", (w, m) => { w.Write(m.Id); WriteReportSpec(w, m.Spec); w.Write(m.AtMs); },
            r => new CreateReport(r.ReadString(), ReadReportSpec(r), r.ReadInt64()));
        Register<GetReport>("PG", (w, m) => w.Write(m.Id), r => new GetReport(r.ReadString()));
        Register<ReportView>("PV", (w, m) => WriteReportJob(w, m.Job), r => new ReportView(ReadReportJob(r)));
        Register<ListReports>("PL", (w, m) => { w.Write(m.Limit); w.WriteStrings(m.HostPatterns); }, r => new ListReports(r.ReadInt32(), r.ReadStrings()));
        Register<ReportList>("PLR", (w, m) => { w.WriteArray(m.Jobs, WriteReportJob); w.Write(m.Total); }, r => new ReportList(r.ReadArray(ReadReportJob), r.ReadInt32()));
        Register<ReportNotFound>("PNF", (w, m) => w.Write(m.Id), r => new ReportNotFound(r.ReadString()));
        Register<ReportQueued>("PE1", (w, m) => { w.Write(m.Id); WriteReportSpec(w, m.Spec); w.Write(m.AtMs); },
            r => new ReportQueued(r.ReadString(), ReadReportSpec(r), r.ReadInt64()));
        Register<ReportStarted>("PE2", (w, m) => { w.Write(m.Id); w.Write(m.AtMs); }, r => new ReportStarted(r.ReadString(), r.ReadInt64()));
        Register<ReportDone>("PE3", (w, m) => { w.Write(m.Id); w.Write(m.AtMs); w.Write(m.Bytes); }, r => new ReportDone(r.ReadString(), r.ReadInt64(), r.ReadInt64()));
        Register<ReportFailed>("PE4", (w, m) => { w.Write(m.Id); w.Write(m.AtMs); w.Write(m.Error); }, r => new ReportFailed(r.ReadString(), r.ReadInt64(), r.ReadString()));
        Register<ReportInterrupted>("PE5", (w, m) => { w.Write(m.Id); w.Write(m.AtMs); }, r => new ReportInterrupted(r.ReadString(), r.ReadInt64()));
        RegisterLoadTests(); // PerfSerializer.LoadTests.cs: manifests T*

        // Notifications
        Register<DispatcherSnapshot>("NS", (w, m) =>
        {
            w.Write(m.Offset);
            w.WriteArray(m.Groups, static (w, g) =>
            {
                w.Write(g.Key); w.WriteArray(g.Alerts.Values.ToArray(), WriteTransition); w.Write(g.FiringSinceMs); w.Write(g.LastSentMs);
                w.WriteStrings([.. g.Announced]); w.Write(g.Sequence);
            });
            w.WriteArray(m.Deliveries, WriteDelivery);
        }, r => new DispatcherSnapshot(r.ReadInt64(),
            r.ReadArray(static r => new NotificationGroup(r.ReadString(), r.ReadArray(ReadTransition).ToDictionary(a => a.AlertId), r.ReadInt64(), r.ReadInt64(),
                r.ReadStrings().ToHashSet(), r.ReadInt64())),
            r.ReadArray(ReadDelivery)));
        Register<GetNotifications>("NG", (_, _) => { }, _ => GetNotifications.Instance);
        Register<NotificationsView>("NGR", (w, m) => { w.WriteArray(m.Deliveries, WriteDelivery); w.WriteStrings(m.Channels); w.Write(m.Offset); },
            r => new NotificationsView(r.ReadArray(ReadDelivery), r.ReadStrings(), r.ReadInt64()));

        // Hosts
        Register<RegisterSeries>("HR", (w, m) => { w.Write(m.Host); w.WriteStrings(m.Metrics); }, r => new RegisterSeries(r.ReadString(), r.ReadStrings()));
        Register<CheckSeries>("HC", (w, m) => { w.Write(m.Host); w.WriteStrings(m.Metrics); }, r => new CheckSeries(r.ReadString(), r.ReadStrings()));
        Register<SeriesRegistration>("HRR", (w, m) =>
        {
            w.Write(m.Accepted); w.Write(m.SeriesCount); w.Write(m.Limit); w.Write(m.Requested); w.Write(m.New);
            w.Write(m.Indexes is not null); if (m.Indexes is not null) w.WriteInts(m.Indexes);
            w.Write(m.Failure is not null); if (m.Failure is not null) w.Write(m.Failure);
        }, r => new SeriesRegistration(r.ReadBoolean(), r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), r.ReadBoolean() ? r.ReadInts() : null,
            r.ReadBoolean() ? r.ReadString() : null));
        Register<AppendSamples>("HSA", WriteSamples, ReadSamples);
        Register<AppendResult>("HSR", (w, m) =>
        {
            w.Write7BitEncodedInt(m.Accepted); w.Write7BitEncodedInt(m.RejectedTooOld); w.Write(m.Correlation);
            w.Write(m.RejectedSeries is not null); if (m.RejectedSeries is not null) { w.WriteInts(m.RejectedSeries); w.WriteInts(m.RejectedCounts!); }
        }, r =>
        {
            var (accepted, rejected, correlation) = (r.Read7BitEncodedInt(), r.Read7BitEncodedInt(), r.ReadInt64());
            return r.ReadBoolean() ? new AppendResult(accepted, rejected, correlation, r.ReadInts(), r.ReadInts()) : new AppendResult(accepted, rejected, correlation);
        });
        Register<AppendFailed>("HSF", (w, m) => { w.Write(m.Reason); w.Write(m.Correlation); w.Write(m.UnknownSeries); },
            r => new AppendFailed(r.ReadString(), r.ReadInt64(), r.ReadBoolean()));
        Register<GetHost>("HG", (w, m) => w.Write(m.Host), r => new GetHost(r.ReadString()));
        Register<HostView>("HGR", (w, m) =>
        {
            w.Write(m.Host);
            w.Write7BitEncodedInt(m.Series.Length);
            foreach (var s in m.Series) { w.Write(s.Metric); w.Write(s.TimestampMs); w.Write(s.Value); }
        }, r =>
        {
            var host = r.ReadString();
            var series = new SeriesLatest[r.Read7BitEncodedInt()];
            for (var i = 0; i < series.Length; i++) series[i] = new SeriesLatest(r.ReadString(), r.ReadInt64(), r.ReadDouble());
            return new HostView(host, series);
        });
        Register<HostNotFound>("HNF", (w, m) => w.Write(m.Host), r => new HostNotFound(r.ReadString()));
        Register<HostAnomalyProtocol.GetHostAnomalies>("HA", (w, m) => { w.Write(m.Host); w.Write(m.FromMs); w.Write(m.ToMs); },
            r => new HostAnomalyProtocol.GetHostAnomalies(r.ReadString(), r.ReadInt64(), r.ReadInt64()));
        Register<HostAnomalyProtocol.HostAnomalyList>("HAR", (w, m) =>
        {
            w.WriteArray(m.Anomalies, static (w, a) =>
            {
                w.Write(a.TimestampMs); w.Write(a.Score); w.Write(a.Threshold); w.WriteStrings(a.Features); w.WriteDoubles(a.Values); w.Write(a.MostUnusual);
            });
            w.WriteStrings(m.Features); w.Write(m.TrainedOn);
        }, r => new HostAnomalyProtocol.HostAnomalyList(
            r.ReadArray(static r => new HostAnomaly(r.ReadInt64(), r.ReadDouble(), r.ReadDouble(), r.ReadStrings(), r.ReadDoubles(), r.ReadString())),
            r.ReadStrings(), r.ReadInt32()));

        // Node
        Register<Telemetry.GetNodeStats>("NST", (_, _) => { }, _ => Telemetry.GetNodeStats.Instance);
        Register<Telemetry.NodeStats>("NSR", (w, m) => w.Write(m.Series), r => new Telemetry.NodeStats(r.ReadInt64()));

        // Optimizer
        Register<SetPolicy>("OP", (w, m) => { w.Write(m.Host); w.Write(m.OptimizationType); WritePolicyChange(w, m.Change); },
            r => new SetPolicy(r.ReadString(), r.ReadString(), ReadPolicyChange(r)));
        Register<GetRecommendations>("OG", (w, m) => w.Write(m.Host), r => new GetRecommendations(r.ReadString()));
        Register<RecommendationsView>("OV", (w, m) =>
        {
            w.Write(m.Host); WritePolicy(w, m.Policy); w.Write(m.PolicyOverridden); w.Write(m.Instances); w.WriteArray(m.Current, WriteRecommendation);
        }, r => new RecommendationsView(r.ReadString(), ReadPolicy(r), r.ReadBoolean(), r.ReadInt32(), r.ReadArray(ReadRecommendation)));
        Register<PolicyAccepted>("OPA", (w, m) => { WritePolicy(w, m.Policy); w.WriteStrings(m.Reasons); }, r => new PolicyAccepted(ReadPolicy(r), r.ReadStrings()));
        Register<PolicyRejected>("OPR", (w, m) => { w.Write(m.Field); w.Write(m.Message); }, r => new PolicyRejected(r.ReadString(), r.ReadString()));
        Register<RecommendationMade>("OE1", (w, m) => WriteRecommendation(w, m.Recommendation), r => new RecommendationMade(ReadRecommendation(r)));
        Register<PolicySet>("OE2", (w, m) => { WritePolicy(w, m.Policy); w.Write(m.OptimizationType); w.Write(m.AtMs); },
            r => new PolicySet(ReadPolicy(r), r.ReadString(), r.ReadInt64()));
        Register<OptimizerSnapshot>("OS", (w, m) =>
        {
            w.Write(m.Policy is not null); if (m.Policy is not null) WritePolicy(w, m.Policy);
            w.Write(m.Instances); w.WriteArray(m.Current, WriteRecommendation);
        }, r => new OptimizerSnapshot(r.ReadBoolean() ? ReadPolicy(r) : null, r.ReadInt32(), r.ReadArray(ReadRecommendation)));

        // Host directory
        Register<AddHost>("DA", (w, m) => w.Write(m.Host), r => new AddHost(r.ReadString()));
        Register<HostListed>("DAR", (w, m) => w.Write(m.Host), r => new HostListed(r.ReadString()));
        Register<ListHosts>("DL", (_, _) => { }, _ => ListHosts.Instance);
        Register<HostList>("DLR", (w, m) => w.WriteStrings(m.Hosts), r => new HostList(r.ReadStrings()));
        Register<HostAdded>("DE1", (w, m) => w.Write(m.Host), r => new HostAdded(r.ReadString()));
        Register<HostDirectorySnapshot>("DS", (w, m) => w.WriteStrings(m.Hosts), r => new HostDirectorySnapshot(r.ReadStrings()));
    }

    public override int Identifier => Id;

    /// <summary>Every registered type, for the round-trip tests.</summary>
    public IReadOnlyCollection<Type> RegisteredTypes => _writers.Keys;

    public override string Manifest(object o) => Writer(o).Manifest;

    public override byte[] ToBinary(object obj)
    {
        var (_, write) = Writer(obj);
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream)) write(writer, obj);
        return stream.ToArray();
    }

    public override object FromBinary(byte[] bytes, string manifest)
    {
        if (!_readers.TryGetValue(manifest, out var read))
            throw new System.Runtime.Serialization.SerializationException($"PerfSerializer has no type for manifest '{manifest}'");
        using var reader = new BinaryReader(new MemoryStream(bytes));
        return read(reader);
    }

    /// <summary>A rule: its first layout, then its extension (<see cref="WriteRuleExtension"/>).</summary>
    private static void WriteRule(BinaryWriter w, AlertRule rule)
    {
        WriteRuleBase(w, rule);
        WriteRuleExtension(w, rule);
    }

    /// <summary>A rule; one written before the extension existed has its fields' defaults. Only for a rule that ends its
    /// message (<see cref="ReadRules"/> reads lists).</summary>
    private static AlertRule ReadRule(BinaryReader r)
    {
        var rule = ReadRuleBase(r);
        return HasMore(r) ? ReadRuleExtension(r)(rule) : rule;
    }

    /// <summary>Rules: their first layouts, then their extensions in the same order. A rule's extension cannot follow it
    /// inside a list: a reader of an old list could not tell it from the next rule.</summary>
    private static void WriteRules(BinaryWriter w, AlertRule[] rules)
    {
        w.WriteArray(rules, WriteRuleBase);
        w.WriteArray(rules, WriteRuleExtension);
    }

    private static AlertRule[] ReadRules(BinaryReader r)
    {
        var rules = r.ReadArray(ReadRuleBase);
        if (!HasMore(r)) return rules;
        var extensions = r.ReadArray(ReadRuleExtension);
        for (var i = 0; i < rules.Length; i++) rules[i] = extensions[i](rules[i]);
        return rules;
    }

    private static void WriteRuleBase(BinaryWriter w, AlertRule rule)
    {
        w.Write(rule.Id); w.Write(rule.Name); w.Write((byte)rule.Kind); w.Write(rule.Host); w.Write(rule.Metric);
        w.Write(rule.Warning.HasValue); w.Write(rule.Warning ?? 0); w.Write(rule.Critical.HasValue); w.Write(rule.Critical ?? 0);
        w.Write(rule.Below); w.Write(rule.For.Ticks); w.Write(rule.ResolveMargin); w.WriteStrings([.. rule.AnomalyKinds]); w.Write(rule.MinScore);
        w.Write((byte)rule.Severity);
    }

    private static AlertRule ReadRuleBase(BinaryReader r)
    {
        var (id, name, kind, host, metric) = (r.ReadString(), r.ReadString(), (AlertRuleKind)r.ReadByte(), r.ReadString(), r.ReadString());
        var (hasWarning, warning, hasCritical, critical) = (r.ReadBoolean(), r.ReadDouble(), r.ReadBoolean(), r.ReadDouble());
        return new AlertRule
        {
            Id = id, Name = name, Kind = kind, Host = host, Metric = metric,
            Warning = hasWarning ? warning : null, Critical = hasCritical ? critical : null,
            Below = r.ReadBoolean(), For = TimeSpan.FromTicks(r.ReadInt64()), ResolveMargin = r.ReadDouble(), AnomalyKinds = r.ReadStrings(),
            MinScore = r.ReadDouble(), Severity = (AlertSeverity)r.ReadByte(),
        };
    }

    private static void WriteKey(BinaryWriter w, ApiKey k)
    {
        w.Write(k.Id); w.Write(k.Name); w.Write((byte)k.Role); w.WriteStrings(k.Hosts);
        w.Write(k.RateLimit is not null); w.Write(k.RateLimit?.RequestsPerSecond ?? 0); w.Write(k.RateLimit?.Burst ?? 0);
        w.WriteBytes(k.Salt); w.WriteBytes(k.Hash); w.Write(k.CreatedMs); w.Write(k.CreatedBy);
        w.Write(k.RevokedMs ?? -1); w.Write(k.RevokedBy ?? "");
    }

    private static ApiKey ReadKey(BinaryReader r)
    {
        var (id, name, role, hosts) = (r.ReadString(), r.ReadString(), (Role)r.ReadByte(), r.ReadStrings());
        var (hasLimit, perSecond, burst) = (r.ReadBoolean(), r.ReadInt32(), r.ReadInt32());
        var (salt, hash, createdMs, createdBy) = (r.ReadBytes(), r.ReadBytes(), r.ReadInt64(), r.ReadString());
        var (revokedMs, revokedBy) = (r.ReadInt64(), r.ReadString());
        return new ApiKey(id, name, role, hosts, hasLimit ? new KeyRateLimit(perSecond, burst) : null, salt, hash, createdMs, createdBy,
            revokedMs < 0 ? null : revokedMs, revokedMs < 0 ? null : revokedBy);
    }

    private static void WriteSilence(BinaryWriter w, Silence s)
    {
        w.Write(s.Id); w.Write(s.Host); w.Write(s.Metric); w.Write(s.Rule); w.Write(s.StartsMs); w.Write(s.EndsMs); w.Write(s.Comment); w.Write(s.CreatedBy);
        w.Write(s.CreatedMs);
    }

    private static Silence ReadSilence(BinaryReader r) =>
        new(r.ReadString(), r.ReadString(), r.ReadString(), r.ReadString(), r.ReadInt64(), r.ReadInt64(), r.ReadString(), r.ReadString(), r.ReadInt64());

    private static void WriteAcknowledgement(BinaryWriter w, Acknowledgement a)
    {
        w.Write(a.AlertId); w.Write(a.By); w.Write(a.Comment); w.Write(a.AtMs);
    }

    private static Acknowledgement ReadAcknowledgement(BinaryReader r) => new(r.ReadString(), r.ReadString(), r.ReadString(), r.ReadInt64());

    /// <summary>The fields of trend and no-data rules. Later fields go at its end, read when its bytes go on.</summary>
    private static void WriteRuleExtension(BinaryWriter w, AlertRule rule) =>
        WriteExtension(w, rule, static (w, rule) => { w.Write(rule.Horizon.Ticks); w.Write(rule.TrendWindow.Ticks); w.Write(rule.Intervals); });

    private static Func<AlertRule, AlertRule> ReadRuleExtension(BinaryReader r) => ReadExtension<AlertRule>(r, static (r, rule) =>
        rule with { Horizon = TimeSpan.FromTicks(r.ReadInt64()), TrendWindow = TimeSpan.FromTicks(r.ReadInt64()), Intervals = r.ReadInt32() });

    /// <summary>Fields added to a layout, length-prefixed so that a list of extensions can grow too.</summary>
    private static void WriteExtension<T>(BinaryWriter w, T value, Action<BinaryWriter, T> write)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream)) write(writer, value);
        w.WriteBytes(stream.ToArray());
    }

    /// <summary>Reads an extension now; applying it to the value read from the first layout comes later.</summary>
    private static Func<T, T> ReadExtension<T>(BinaryReader r, Func<BinaryReader, T, T> read)
    {
        var bytes = r.ReadBytes();
        return value =>
        {
            using var reader = new BinaryReader(new MemoryStream(bytes));
            return read(reader, value);
        };
    }

    /// <summary>Whether the message goes on after what has been read: the fields a newer writer appended.</summary>
    private static bool HasMore(BinaryReader r) => r.BaseStream.Position < r.BaseStream.Length;

    private static void WritePolicy(BinaryWriter w, OptimizationPolicy p)
    {
        w.Write(p.CacheMaxSizeBytes); w.Write(p.EvictionPolicy); w.Write(p.CacheTtl.Ticks); w.Write(p.Algorithm);
        w.Write(p.MinInstances); w.Write(p.MaxInstances); w.Write(p.ScaleUpThreshold); w.Write(p.ScaleDownThreshold);
    }

    private static OptimizationPolicy ReadPolicy(BinaryReader r) => new(r.ReadInt64(), r.ReadString(), TimeSpan.FromTicks(r.ReadInt64()), r.ReadString(),
        r.ReadInt32(), r.ReadInt32(), r.ReadDouble(), r.ReadDouble());

    /// <summary>Each value with a presence flag; absent ones keep the host's value.</summary>
    private static void WritePolicyChange(BinaryWriter w, PolicyChange c)
    {
        w.Write(c.CacheMaxSizeBytes.HasValue); if (c.CacheMaxSizeBytes is { } size) w.Write(size);
        w.Write(c.EvictionPolicy is not null); if (c.EvictionPolicy is { } eviction) w.Write(eviction);
        w.Write(c.CacheTtl.HasValue); if (c.CacheTtl is { } ttl) w.Write(ttl.Ticks);
        w.Write(c.Algorithm is not null); if (c.Algorithm is { } algorithm) w.Write(algorithm);
        w.Write(c.MinInstances.HasValue); if (c.MinInstances is { } min) w.Write(min);
        w.Write(c.MaxInstances.HasValue); if (c.MaxInstances is { } max) w.Write(max);
        w.Write(c.ScaleUpThreshold.HasValue); if (c.ScaleUpThreshold is { } up) w.Write(up);
        w.Write(c.ScaleDownThreshold.HasValue); if (c.ScaleDownThreshold is { } down) w.Write(down);
    }

    private static PolicyChange ReadPolicyChange(BinaryReader r) => new(
        r.ReadBoolean() ? r.ReadInt64() : null, r.ReadBoolean() ? r.ReadString() : null, r.ReadBoolean() ? TimeSpan.FromTicks(r.ReadInt64()) : null,
        r.ReadBoolean() ? r.ReadString() : null, r.ReadBoolean() ? r.ReadInt32() : null, r.ReadBoolean() ? r.ReadInt32() : null,
        r.ReadBoolean() ? r.ReadDouble() : null, r.ReadBoolean() ? r.ReadDouble() : null);

    private static void WriteRecommendation(BinaryWriter w, Recommendation m)
    {
        w.Write(m.Kind); w.Write(m.Action); w.Write(m.Reason); w.Write(m.AtMs); w.Write(m.WindowStartMs);
        w.WriteArray(m.Evidence, static (w, e) => { w.Write(e.Name); w.Write(e.Value); });
    }

    private static Recommendation ReadRecommendation(BinaryReader r) => new(r.ReadString(), r.ReadString(), r.ReadString(), r.ReadInt64(), r.ReadInt64(),
        r.ReadArray(static r => new Evidence(r.ReadString(), r.ReadDouble())));

    private static void WriteTransition(BinaryWriter w, AlertTransitioned m)
    {
        w.Write(m.AlertId); w.Write(m.RuleId); w.Write(m.RuleName); w.Write(m.Host); w.Write(m.Metric); w.Write((byte)m.From); w.Write((byte)m.To);
        w.Write((byte)m.Severity); w.Write(m.TimestampMs); w.Write(m.Value); w.Write(m.Threshold); w.Write(m.RecordedMs);
    }

    private static AlertTransitioned ReadTransition(BinaryReader r) => new(r.ReadString(), r.ReadString(), r.ReadString(), r.ReadString(), r.ReadString(),
        (AlertState)r.ReadByte(), (AlertState)r.ReadByte(), (AlertSeverity)r.ReadByte(), r.ReadInt64(), r.ReadDouble(), r.ReadDouble(), r.ReadInt64());

    private static void WriteDelivery(BinaryWriter w, Delivery d)
    {
        var n = d.Notification;
        w.Write(n.Id); w.Write(n.GroupKey); w.Write((byte)n.Kind); w.WriteArray([.. n.Alerts], WriteTransition); w.Write(n.CreatedMs);
        w.Write(d.Channel); w.Write((byte)d.Status); w.Write(d.Attempts); w.Write(d.LastError is not null); w.Write(d.LastError ?? ""); w.Write(d.UpdatedMs);
    }

    private static Delivery ReadDelivery(BinaryReader r)
    {
        var notification = new Notification(r.ReadString(), r.ReadString(), (NotificationKind)r.ReadByte(), r.ReadArray(ReadTransition), r.ReadInt64());
        var (channel, status, attempts, hasError, error, updated) = (r.ReadString(), (DeliveryStatus)r.ReadByte(), r.ReadInt32(), r.ReadBoolean(), r.ReadString(), r.ReadInt64());
        return new Delivery(notification, channel, status, attempts, hasError ? error : null, updated);
    }

    private static void WriteReportSpec(BinaryWriter w, ReportSpec s)
    {
        w.Write(s.ReportType); w.Write(s.TimeRange); w.Write(s.FromMs); w.Write(s.ToMs); w.WriteStrings(s.Metrics); w.WriteStrings(s.Hosts);
        w.Write(s.Format); w.Write(s.IncludeGraphs);
    }

    private static ReportSpec ReadReportSpec(BinaryReader r) =>
        new(r.ReadString(), r.ReadString(), r.ReadInt64(), r.ReadInt64(), r.ReadStrings(), r.ReadStrings(), r.ReadString(), r.ReadBoolean());

    private static void WriteReportJob(BinaryWriter w, ReportJob j)
    {
        w.Write(j.Id); WriteReportSpec(w, j.Spec); w.Write((byte)j.Status); w.Write(j.Progress); w.Write(j.Error is not null); w.Write(j.Error ?? "");
        w.Write(j.CreatedMs); w.Write(j.StartedMs); w.Write(j.FinishedMs); w.Write(j.Bytes);
    }

    private static ReportJob ReadReportJob(BinaryReader r)
    {
        var (id, spec, status, progress, hasError, error) = (r.ReadString(), ReadReportSpec(r), (ReportStatus)r.ReadByte(), r.ReadDouble(), r.ReadBoolean(), r.ReadString());
        return new ReportJob(id, spec, status, progress, hasError ? error : null, r.ReadInt64(), r.ReadInt64(), r.ReadInt64(), r.ReadInt64());
    }

    /// <summary>Only the message's slice of the shared columns goes over the wire.</summary>
    private static void WriteSamples(BinaryWriter w, AppendSamples m)
    {
        w.Write(m.Host); w.Write(m.Correlation); w.Write7BitEncodedInt(m.Count);
        for (var i = m.Offset; i < m.Offset + m.Count; i++) { w.Write7BitEncodedInt(m.Series[i]); w.Write(m.Timestamps[i]); w.Write(m.Values[i]); }
    }

    private static AppendSamples ReadSamples(BinaryReader r)
    {
        var (host, correlation, count) = (r.ReadString(), r.ReadInt64(), r.Read7BitEncodedInt());
        var (series, timestamps, values) = (new int[count], new long[count], new double[count]);
        for (var i = 0; i < count; i++) (series[i], timestamps[i], values[i]) = (r.Read7BitEncodedInt(), r.ReadInt64(), r.ReadDouble());
        return new AppendSamples(host, series, timestamps, values, 0, count, correlation);
    }

    private static void WriteAnomaly(BinaryWriter w, Anomaly a)
    {
        w.Write(a.TimestampMs); w.Write(a.Value); w.Write(a.Detector); w.Write(a.Kind); w.Write(a.Score); w.Write(a.PValue); w.Write(a.Martingale);
    }

    private static Anomaly ReadAnomaly(BinaryReader r) =>
        new(r.ReadInt64(), r.ReadDouble(), r.ReadString(), r.ReadString(), r.ReadDouble(), r.ReadDouble(), r.ReadDouble());

    private static void WriteDetectorView(BinaryWriter w, DetectorView v)
    {
        w.Write(v.Name); w.Write(v.Kind); w.Write(v.PointsObserved); w.Write(v.Alerts); w.Write(v.LastAlertMs);
        w.WriteStrings(v.Columns); w.WriteDoubles(v.LastOutput); w.Write(v.StateBytes);
    }

    private static DetectorView ReadDetectorView(BinaryReader r) =>
        new(r.ReadString(), r.ReadString(), r.ReadInt64(), r.ReadInt64(), r.ReadInt64(), r.ReadStrings(), r.ReadDoubles(), r.ReadInt32());

    private (string Manifest, Action<BinaryWriter, object> Write) Writer(object o) =>
        _writers.TryGetValue(o.GetType(), out var writer)
            ? writer
            : throw new ArgumentException($"PerfSerializer cannot serialize {o.GetType().FullName}: register it with a new manifest");

    private void Register<T>(string manifest, Action<BinaryWriter, T> write, Func<BinaryReader, T> read) where T : class, IPerfMessage
    {
        if (!_readers.TryAdd(manifest, r => read(r)))
            throw new InvalidOperationException($"Manifest '{manifest}' is registered twice");
        _writers.Add(typeof(T), (manifest, (w, o) => write(w, (T)o)));
    }
}

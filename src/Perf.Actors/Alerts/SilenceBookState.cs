using static Perf.Actors.Alerts.SilenceBookEvents;
using static Perf.Actors.Alerts.SilenceBookQueries;

namespace Perf.Actors.Alerts;

/// <summary>Silences and acknowledgements, pure. Ended silences and old acknowledgements are kept up to a bound for the record.</summary>
public sealed class SilenceBookState
{
    /// <summary>Most silences and acknowledgements kept each (oldest ended ones go first).</summary>
    public const int Kept = 1000;

    private readonly List<Silence> _silences = [];
    private readonly Dictionary<string, Acknowledgement> _acknowledgements = [];

    public long Version { get; private set; }

    public bool Contains(string silenceId) => _silences.Any(s => s.Id == silenceId);

    public void Apply(object @event)
    {
        switch (@event)
        {
            case SilenceCreated created:
                _silences.Add(created.Silence);
                if (_silences.Count > Kept) _silences.Remove(_silences.OrderBy(s => s.EndsMs).First());
                break;
            case SilenceExpired expired:
                var index = _silences.FindIndex(s => s.Id == expired.SilenceId);
                if (index >= 0) _silences[index] = _silences[index] with { EndsMs = Math.Min(_silences[index].EndsMs, expired.AtMs) };
                break;
            case AlertAcknowledged acknowledged:
                _acknowledgements[acknowledged.Acknowledgement.AlertId] = acknowledged.Acknowledgement;
                if (_acknowledgements.Count > Kept) _acknowledgements.Remove(_acknowledgements.Values.MinBy(a => a.AtMs)!.AlertId);
                break;
            default:
                throw new ArgumentException($"Unknown silence book event {@event.GetType().Name}", nameof(@event));
        }
        Version++;
    }

    public SilencesView View() => new(Version, [.. _silences], [.. _acknowledgements.Values]);
}

namespace Perf.Actors.Alerts;

/// <summary>Silences and acknowledgements (cluster singleton <c>silences</c>), from any node.</summary>
public static class SilenceBookCommands
{
    /// <summary>Answered with <see cref="SilenceBookQueries.SilencesView"/>.</summary>
    public sealed record CreateSilence(Silence Silence) : IPerfMessage;

    /// <summary>Ends a silence now. Answered with <see cref="SilenceBookQueries.SilencesView"/>, or <see cref="SilenceBookQueries.SilenceNotFound"/>.</summary>
    public sealed record ExpireSilence(string SilenceId, long AtMs) : IPerfMessage;

    /// <summary>Answered with <see cref="SilenceBookQueries.SilencesView"/>.</summary>
    public sealed record Acknowledge(Acknowledgement Acknowledgement) : IPerfMessage;
}

public static class SilenceBookQueries
{
    public sealed record GetSilences : IPerfMessage
    {
        public static readonly GetSilences Instance = new();
    }

    /// <summary>Every silence (active, pending and ended) and every acknowledgement; also what the book publishes when it changes.</summary>
    public sealed record SilencesView(long Version, Silence[] Silences, Acknowledgement[] Acknowledgements) : IPerfMessage;

    public sealed record SilenceNotFound(string SilenceId) : IPerfMessage;
}

public static class SilenceBookEvents
{
    public sealed record SilenceCreated(Silence Silence) : IPerfMessage;

    public sealed record SilenceExpired(string SilenceId, long AtMs) : IPerfMessage;

    public sealed record AlertAcknowledged(Acknowledgement Acknowledgement) : IPerfMessage;
}

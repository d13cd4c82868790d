namespace Perf.Actors.Alerts;

/// <summary>An alert that fires or resolves <paramref name="Changes"/> times within <paramref name="Window"/> (sample time) is
/// flapping: it notifies once, then stays quiet until it has not changed for a whole window.</summary>
public sealed record FlappingSettings(TimeSpan Window, int Changes)
{
    public long WindowMs => (long)Window.TotalMilliseconds;
}

namespace Perf.Actors.Configuration;

/// <summary><c>perf.dashboard</c>: how often the dashboard's live stream sends the latest values.</summary>
public sealed record DashboardSettings(TimeSpan RefreshInterval)
{
    public static DashboardSettings Read(ConfigReader config) =>
        new(config.Duration("perf.dashboard.refresh_interval", TimeSpan.FromMilliseconds(100)));
}

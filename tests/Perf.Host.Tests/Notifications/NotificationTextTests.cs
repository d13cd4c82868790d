using Perf.Actors.Alerts;
using Perf.Actors.Notifications;
using Perf.Host.Notifications;

namespace Perf.Host.Tests.Notifications;

public sealed class NotificationTextTests
{
    [Theory]
    [InlineData(NotificationKind.Firing, "web-1", "cpu_usage", "[FIRING:1] cpu_usage on web-1")]
    [InlineData(NotificationKind.Firing, "web-1,web-2", "cpu_usage,cpu_usage", "[FIRING:2] cpu_usage on web-1, web-2")]
    [InlineData(NotificationKind.Resolved, "a,b,c,d", "cpu_usage,cpu_usage,cpu_usage,cpu_usage", "[RESOLVED:4] cpu_usage on 4 hosts")]
    [InlineData(NotificationKind.Flapping, "web-1,web-1", "cpu_usage,memory_usage", "[FLAPPING:2] cpu_usage, memory_usage on web-1")]
    public void Subject_names_the_kind_the_count_the_rules_and_the_hosts(NotificationKind kind, string hosts, string rules, string expected)
    {
        var alerts = hosts.Split(',').Zip(rules.Split(','), (host, rule) => Sample.Firing(host, rule)).ToArray();

        Assert.Equal(expected, NotificationText.Subject(Sample.Notification(kind, alerts)));
    }

    [Theory]
    [InlineData(97.5, "97.5")]
    [InlineData(90, "90")]
    [InlineData(-2.25, "-2.25")]
    [InlineData(1234567.891234, "1234567.891")]
    [InlineData(0.000123, "1.23E-4")]
    [InlineData(0, "0")]
    [InlineData(double.NaN, "n/a")]
    public void Number_reads_well(double value, string expected) => Assert.Equal(expected, NotificationText.Number(value));

    [Fact]
    public void Alert_line_has_metric_host_value_threshold_severity_and_since()
    {
        var firing = Sample.Firing();
        var resolved = Sample.Resolved(firing, Sample.T0 + 300_000, value: 42);

        Assert.Equal($"cpu.usage on web-1: 97.5 (threshold 90), critical, firing since {Sample.T0Iso}", NotificationText.AlertLine(firing));
        Assert.Equal("cpu.usage on web-1: 42 (threshold 90), critical, resolved at 2026-01-01T10:05:00Z", NotificationText.AlertLine(resolved));
        Assert.Equal("cpu.usage on web-1: 97.5 (threshold 90), firing since " + Sample.T0Iso,
            NotificationText.AlertLine(firing with { Severity = AlertSeverity.None }));
    }

    [Fact]
    public void Alert_summary_is_a_headline() =>
        Assert.Equal("cpu_usage on web-1 is firing (critical)", NotificationText.AlertSummary(Sample.Firing()));
}

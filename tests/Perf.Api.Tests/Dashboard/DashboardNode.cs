using Microsoft.Playwright;
using Perf.Api.Tests.Infrastructure;

namespace Perf.Api.Tests.Dashboard;

/// <summary>
/// A real node with a few hosts' worth of history (web-1's cpu spikes near the end), and Debian's Chromium driven by
/// Playwright. The dashboard's stream ticks every second here so that "live" is quick to observe.
/// </summary>
public sealed class DashboardNode : IAsyncLifetime
{
    public const string Chromium = "/usr/bin/chromium";
    public static readonly string[] Hosts = ["db-1", "web-1", "web-2"];
    public const int PointsPerHost = 150;
    public const int SpikeIndex = 140;

    private IPlaywright? _playwright;

    public PerfNodeProcess Node { get; } = new(new Dictionary<string, string> { ["PERF_PERF__DASHBOARD__REFRESH_INTERVAL"] = "1s" });
    public HttpClient Client => Node.Client;
    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Test artifacts: the test binaries' folder, or PERF_SCREENSHOTS_DIR (docs/screenshots, see the README).</summary>
    public static string ScreenshotDirectory =>
        Environment.GetEnvironmentVariable("PERF_SCREENSHOTS_DIR") is { Length: > 0 } dir ? dir : Path.Combine(AppContext.BaseDirectory, "screenshots");

    public async ValueTask InitializeAsync()
    {
        await Node.StartAsync();
        var end = NodeApi.RecentSecond(1);
        foreach (var host in Hosts)
        {
            var documents = Enumerable.Range(0, PointsPerHost).Select(i =>
            {
                var cpu = host == "web-1" && i == SpikeIndex ? 99.0 : 40 + 8 * Math.Sin(i / 9.0) + (host == "db-1" ? 15 : 0);
                var t = end.AddSeconds(30 * (i - PointsPerHost + 1));
                return $$"""
                    {"host": "{{host}}", "timestamp": "{{NodeApi.Iso(t)}}", "metrics": {
                      "cpu": {"usage": {{cpu:R}}, "load": 1.5},
                      "memory": {"total": 16384, "used": {{8000 + i * 4}}},
                      "disk": {"total": 1000, "used": {{400 + i}}},
                      "network": {"bytes_in": {{1000 + i * 10}}, "bytes_out": 500, "connections": 100} } }
                    """;
            });
            await (await Client.PostJsonAsync("[" + string.Join(",", documents) + "]")).ExpectAcceptedAsync();
        }
        Directory.CreateDirectory(ScreenshotDirectory);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        });
        Assertions.SetDefaultExpectTimeout(20_000);
    }

    /// <summary>A fresh tab, signed in with the admin key, on the overview.</summary>
    public async Task<IPage> SignedInPageAsync(string? hash = null)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Node.BaseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = 1360, Height = 900 },
            AcceptDownloads = true,
        });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/");
        await page.FillAsync("#api-key", PerfNodeProcess.AdminKey);
        await page.ClickAsync("form.signin button[type=submit]");
        await Assertions.Expect(page.Locator("#hosts")).ToBeVisibleAsync();
        if (hash is not null) await page.GotoAsync("/" + hash);
        return page;
    }

    public static Task ScreenshotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, name + ".png"), FullPage = true });

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        _playwright?.Dispose();
        await Node.DisposeAsync();
    }
}

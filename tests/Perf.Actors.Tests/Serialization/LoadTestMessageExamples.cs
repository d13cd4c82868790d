using Perf.Actors.LoadTesting;
using Perf.Analytics.LoadTesting;
using static Perf.Actors.LoadTesting.LoadTestsCommands;
using static Perf.Actors.LoadTesting.LoadTestsEvents;
using static Perf.Actors.LoadTesting.LoadTestsQueries;

namespace Perf.Actors.Tests.Serialization;

/// <summary>One example of every load test message, for <see cref="PerfSerializerTests"/> (kept apart so that file's examples merge cleanly).</summary>
public static class LoadTestMessageExamples
{
    private static readonly LoadTestSpec Spec = new("http://127.0.0.1:8080/api?q=1", "POST", ["Content-Type", "X-Test"], ["application/json", "a"], "{\"a\":1}",
        200, 0, 60_000, 10_000, "web-1", "key:0123456789ab");

    private static readonly LoadTestSummary Summary = new(1200, 1190, 12, ["200", "503", "timeout"], [1178, 10, 2], [5, 130, 400], [100, 1000, 90], 900, 250_000,
        110, 1_700_000_000_000, 1_700_000_059_000, new KneeResult(104.5, 1_700_000_005_000, "latency", 21.3, 98));

    private static readonly LoadTestJob Job = new("0123456789ab", Spec, LoadTestStatus.Running, 1_700_000_000_000, 0, 0, Summary, null,
        new LoadTestLive(1_700_000_010_000, 150, 150, 149, 1, 20, 40, 60, 80));

    public static IPerfMessage[] All =>
    [
        new StartLoadTest("0123456789ab", Spec, 1_700_000_000_000),
        new CancelLoadTest("0123456789ab", 1_700_000_001_000),
        new LoadTestRefused("2 load tests are running already", 429),
        new GetLoadTest("0123456789ab"),
        new ListLoadTests(100),
        new GetLoadTestProfile("0123456789ab"),
        new LoadTestView(Job, 1_700_000_011_000),
        new LoadTestList([Job, Job with { Id = "ba9876543210", Status = LoadTestStatus.Interrupted, Error = "stopped", Live = null,
            Summary = Summary with { Knee = null } }], 1_700_000_012_000),
        new LoadTestNotFound("nope"),
        new LoadTestProfile("{\"id\":\"0123456789ab\"}"),
        new LoadTestStarted("0123456789ab", Spec, 1_700_000_000_000),
        new LoadTestCheckpointed("0123456789ab", Summary),
        new LoadTestCancelRequested("0123456789ab", 1_700_000_001_000),
        new LoadTestEnded("0123456789ab", 1_700_000_002_000, LoadTestStatus.Cancelled, Summary, null),
        new LoadTestInterrupted("0123456789ab", 1_700_000_003_000),
    ];
}

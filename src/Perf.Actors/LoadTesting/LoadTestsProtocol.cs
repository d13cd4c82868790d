namespace Perf.Actors.LoadTesting;

/// <summary>Load tests (cluster singleton <c>loadtests</c>), from any node.</summary>
public static class LoadTestsCommands
{
    /// <summary>Starts a test. Answered with <see cref="LoadTestsQueries.LoadTestView"/> (running) or <see cref="LoadTestRefused"/>.</summary>
    public sealed record StartLoadTest(string Id, LoadTestSpec Spec, long AtMs) : IPerfMessage;

    /// <summary>Stops a running test. Answered with <see cref="LoadTestsQueries.LoadTestView"/> or <see cref="LoadTestsQueries.LoadTestNotFound"/>.</summary>
    public sealed record CancelLoadTest(string Id, long AtMs) : IPerfMessage;

    /// <summary>The test was not started: <paramref name="Status"/> is the HTTP status the API answers with.</summary>
    public sealed record LoadTestRefused(string Reason, int Status) : IPerfMessage;
}

public static class LoadTestsQueries
{
    /// <summary>Answered with <see cref="LoadTestView"/> or <see cref="LoadTestNotFound"/>.</summary>
    public sealed record GetLoadTest(string Id) : IPerfMessage;

    /// <summary>Answered with <see cref="LoadTestList"/>, newest first.</summary>
    public sealed record ListLoadTests(int Limit) : IPerfMessage;

    /// <summary>Answered with <see cref="LoadTestProfile"/> or <see cref="LoadTestNotFound"/>.</summary>
    public sealed record GetLoadTestProfile(string Id) : IPerfMessage;

    /// <param name="NowMs">the singleton's clock when it answered, for progress.</param>
    public sealed record LoadTestView(LoadTestJob Job, long NowMs) : IPerfMessage;

    public sealed record LoadTestList(LoadTestJob[] Jobs, long NowMs) : IPerfMessage;

    public sealed record LoadTestNotFound(string Id) : IPerfMessage;

    /// <summary>The profile as JSON (the API passes it on as it is).</summary>
    public sealed record LoadTestProfile(string Json) : IPerfMessage;
}

public static class LoadTestsEvents
{
    public sealed record LoadTestStarted(string Id, LoadTestSpec Spec, long AtMs) : IPerfMessage;

    /// <summary>What the test measured so far; recorded every few seconds so a restart keeps it.</summary>
    public sealed record LoadTestCheckpointed(string Id, LoadTestSummary Summary) : IPerfMessage;

    public sealed record LoadTestCancelRequested(string Id, long AtMs) : IPerfMessage;

    /// <param name="Status">completed, cancelled or failed.</param>
    public sealed record LoadTestEnded(string Id, long AtMs, LoadTestStatus Status, LoadTestSummary Summary, string? Error) : IPerfMessage;

    /// <summary>Recorded on recovery for a test that was running when the node stopped.</summary>
    public sealed record LoadTestInterrupted(string Id, long AtMs) : IPerfMessage;
}

/// <summary>Between a test's runner and the singleton, on one node (never serialized).</summary>
public static class LoadTestRunnerMessages
{
    public sealed record Measured(string Id, LoadTestSummary Summary, LoadTestLive? Live, bool Checkpoint);

    public sealed record Stopped(string Id, long AtMs, LoadTestSummary Summary, string? Error);

    /// <summary>To the runner: stop sending and end the requests in flight.</summary>
    public sealed record Stop;

    /// <summary>The runner's own: a request is about to go out.</summary>
    public sealed record Sent(long AtMs);

    /// <summary>The runner's own: close the seconds that are over and report.</summary>
    public sealed record Tick;

    /// <summary>The runner's own: the stream ended (the last request has ended); with its failure, if any.</summary>
    public sealed record StreamEnded(long AtMs, string? Error);

    /// <summary>The runner's own: how the last batch of series points fared.</summary>
    public sealed record Ingested(bool Stored, string? Problem);
}

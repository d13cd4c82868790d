using System.Net;
using Akka.Configuration;
using Perf.Actors.Configuration;
using Perf.Actors.Notifications;
using Perf.Host.Notifications;
using Perf.Host.Tests.Infrastructure;

namespace Perf.Host.Tests.Notifications;

/// <summary>What the dispatcher relies on from every HTTP channel: SendAsync throws unless the receiver accepted.</summary>
public sealed class HttpChannelFailureTests : IDisposable
{
    private readonly HttpClient _http = new();

    public void Dispose() => _http.Dispose();

    /// <summary>The channel as configuration makes it, posting to <paramref name="url"/>.</summary>
    private INotificationChannel Channel(string type, Uri url, string timeout = "10s")
    {
        var config = new ConfigReader(ConfigurationFactory.ParseString(
            $"perf.notifications.channels.out {{ type = {type}, url = \"{url}\", timeout = {timeout} }}"));
        return Assert.Single(NotificationChannels.Create(NotificationChannelSettings.ReadAll(config), _http));
    }

    [Theory]
    [InlineData("webhook", 500)]
    [InlineData("webhook", 404)]
    [InlineData("slack", 400)]
    [InlineData("slack", 500)]
    [InlineData("alertmanager", 400)]
    [InlineData("alertmanager", 503)]
    public async Task A_receiver_that_refuses_makes_SendAsync_throw_with_the_status_and_reason(string type, int status)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var receiver = await HttpReceiver.StartAsync(ct);
        receiver.AnswerWith(status, "invalid_payload");
        var channel = Channel(type, receiver.Url("secret-token/"));

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => channel.SendAsync(Sample.Notification(NotificationKind.Firing, Sample.Firing()), ct));

        Assert.Equal((HttpStatusCode)status, error.StatusCode);
        Assert.Contains($"{type} channel 'out' answered {status}", error.Message);
        Assert.Contains("invalid_payload", error.Message);
        Assert.DoesNotContain("secret-token", error.Message); // webhook URLs are credentials
        Assert.Single(receiver.Requests);
    }

    [Theory]
    [InlineData("webhook")]
    [InlineData("slack")]
    [InlineData("alertmanager")]
    public async Task A_receiver_that_never_answers_times_out(string type)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var receiver = await HttpReceiver.StartAsync(ct);
        receiver.NeverAnswer();
        var channel = Channel(type, receiver.BaseUrl, timeout: "200ms");

        var error = await Assert.ThrowsAsync<TimeoutException>(() => channel.SendAsync(Sample.Notification(NotificationKind.Firing, Sample.Firing()), ct));

        Assert.Equal($"{type} channel 'out' did not answer within 200ms", error.Message);
    }

    [Fact]
    public async Task Cancelling_is_not_a_timeout()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var receiver = await HttpReceiver.StartAsync(ct);
        receiver.NeverAnswer();
        var channel = Channel("webhook", receiver.BaseUrl);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(ct);

        var sending = channel.SendAsync(Sample.Notification(NotificationKind.Firing, Sample.Firing()), cancel.Token);
        await Poll.UntilAsync("the request to arrive", _ => Task.FromResult(receiver.Requests.Count == 1), ct);
        await cancel.CancelAsync();

        // The caller's own cancellation, not dressed up as a timeout.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sending);
    }

    [Fact]
    public async Task Nothing_listening_makes_SendAsync_throw()
    {
        var channel = Channel("webhook", new Uri($"http://127.0.0.1:{LoopbackPort.Free()}/hook"));

        await Assert.ThrowsAsync<HttpRequestException>(() =>
            channel.SendAsync(Sample.Notification(NotificationKind.Firing, Sample.Firing()), TestContext.Current.CancellationToken));
    }
}

using System.Text.Json;

namespace Perf.Host.Tests.Infrastructure;

/// <summary>A request as an <see cref="HttpReceiver"/> received it.</summary>
public sealed record ReceivedRequest(string Method, string PathAndQuery, string? ContentType, string Body)
{
    public JsonElement Json()
    {
        using var document = JsonDocument.Parse(Body);
        return document.RootElement.Clone();
    }
}

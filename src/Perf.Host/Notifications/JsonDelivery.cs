using System.Net.Http.Headers;
using System.Text;

namespace Perf.Host.Notifications;

/// <summary>POSTs a JSON document for the HTTP channels; anything but a 2xx answer throws, with the receiver's reason.</summary>
internal static class JsonDelivery
{
    /// <summary>Enough of an error body to carry the receiver's reason (Slack answers e.g. <c>invalid_blocks</c>).</summary>
    private const int MaxReasonLength = 300;

    public static Task PostAsync(HttpClient http, Uri url, string json, string channel, TimeSpan timeout, CancellationToken cancellationToken) =>
        ChannelDeadline.RunAsync(channel, timeout, cancellationToken, async deadline =>
        {
            using var content = new StringContent(json, Encoding.UTF8);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
            using var response = await http.PostAsync(url, content, deadline).ConfigureAwait(false);
            if (response.IsSuccessStatusCode) return;
            var reason = await response.Content.ReadAsStringAsync(deadline).ConfigureAwait(false);
            if (reason.Length > MaxReasonLength) reason = reason[..MaxReasonLength] + "…";
            throw new HttpRequestException(
                // Only the authority: webhook paths and queries often hold the secret token (Slack's do).
                $"{channel} answered {(int)response.StatusCode} ({response.ReasonPhrase}) from {url.GetLeftPart(UriPartial.Authority)}: {reason.Trim()}",
                inner: null,
                response.StatusCode);
        });
}

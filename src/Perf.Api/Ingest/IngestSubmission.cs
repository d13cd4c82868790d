using Perf.Actors.Ingestion;
using Perf.Api.Http;
using Perf.Host;

namespace Perf.Api.Ingest;

/// <summary>
/// What every ingestion endpoint shares after decoding (and after <see cref="IngestHosts.Check"/>): the ingestion
/// pipeline, whose answers become the protocol-neutral refusals here (each protocol formats success itself).
/// </summary>
public static class IngestSubmission
{
    /// <summary>Writes the batch; the outcome, or the answer for a batch that was not stored.</summary>
    /// <param name="overloadStatus">429 for senders that retry it, 503 for those that retry only server errors (Prometheus 2.x).</param>
    public static async Task<(IngestOutcome Outcome, IResult? Refusal)> SubmitAsync(HttpContext context, PerfEngine engine, SampleBatch batch,
        int overloadStatus, CancellationToken cancellationToken)
    {
        var outcome = await engine.Ingestion.SubmitAsync(batch, IngestAccounting.Submitting(context), cancellationToken);
        IngestAccounting.Submitted(context);
        var retryAfter = engine.Settings.Engine.Ingest.RetryAfter;
        var refusal = outcome.Status switch
        {
            IngestStatus.Stored => null,
            IngestStatus.Overloaded => Problems.RetryLater(context, overloadStatus, retryAfter,
                "The engine is not keeping up; nothing of this request was stored. Send it again after Retry-After seconds."),
            IngestStatus.InsufficientStorage => Problems.RetryLater(context, StatusCodes.Status507InsufficientStorage, retryAfter,
                $"Nothing of this request was stored: {outcome.Reason}. Writes resume once space is freed (reads, deletes and retention go on); " +
                "sending the same request again then is safe."),
            IngestStatus.CardinalityExceeded => Problems.Invalid("host",
                $"host '{outcome.Host}' would exceed its limit of {outcome.SeriesLimit} series (perf.ingest.max_series_per_host); nothing of this request was stored",
                StatusCodes.Status422UnprocessableEntity, "Too many series"),
            _ => Problems.RetryLater(context, StatusCodes.Status503ServiceUnavailable, retryAfter,
                (outcome.Reason is { } reason ? $"The write failed ({reason})." : "The writes did not confirm in time.") +
                " Sending the same request again is safe: points with the same timestamps overwrite."),
        };
        return (outcome, refusal);
    }
}

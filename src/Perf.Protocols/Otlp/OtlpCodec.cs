using System.Text;
using System.Text.Unicode;
using Google.Protobuf;
using Perf.Protocols.Otlp.Wire;

namespace Perf.Protocols.Otlp;

/// <summary>
/// OTLP/HTTP metrics bodies in their two encodings: binary protobuf (<c>application/x-protobuf</c>) and the protobuf
/// JSON mapping (<c>application/json</c>: lowerCamelCase names, 64-bit integers as strings or numbers, enums as
/// integers). Fields Perf does not read (exemplars, metadata) are skipped in both.
/// </summary>
public static class OtlpCodec
{
    public const string ProtobufContentType = "application/x-protobuf";
    public const string JsonContentType = "application/json";

    private static readonly JsonParser Json = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default);

    public static ExportMetricsServiceRequest ParseProtobuf(ReadOnlySpan<byte> body)
    {
        try
        {
            return ExportMetricsServiceRequest.Parser.ParseFrom(body);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new ProtocolFormatException("body", "is not an OTLP ExportMetricsServiceRequest protobuf: " + e.Message);
        }
    }

    public static ExportMetricsServiceRequest ParseJson(ReadOnlySpan<byte> body)
    {
        if (!Utf8.IsValid(body)) throw new ProtocolFormatException("body", "is not valid UTF-8");
        try
        {
            return Json.Parse<ExportMetricsServiceRequest>(Encoding.UTF8.GetString(body));
        }
        catch (Exception e) when (e is InvalidProtocolBufferException or InvalidJsonException or FormatException)
        {
            throw new ProtocolFormatException("body", "is not an OTLP ExportMetricsServiceRequest in JSON: " + e.Message);
        }
    }

    public static string ToJson(IMessage message) => Formatter.Format(message);
}

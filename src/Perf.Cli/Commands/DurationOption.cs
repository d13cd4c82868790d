using System.CommandLine;
using System.CommandLine.Parsing;
using Perf.Cli.Parsing;

namespace Perf.Cli.Commands;

/// <summary>
/// An option that reads durations the way people type them (30s, 2m, 1m30s, 500ms, bare seconds).
/// The default lives here rather than in a DefaultValueFactory because help would print a TimeSpan
/// default as 00:00:30, which this very option would not accept back.
/// </summary>
public sealed class DurationOption : Option<TimeSpan?>
{
    public DurationOption(string name, TimeSpan defaultDuration, string description, bool allowZero = false)
        : base(name)
    {
        DefaultDuration = defaultDuration;
        Description = $"{description} [default: {DurationParser.Format(defaultDuration)}]";
        HelpName = "DURATION";
        CustomParser = result => Parse(result, allowZero);
    }

    public TimeSpan DefaultDuration { get; }

    public TimeSpan GetDuration(ParseResult parseResult) => parseResult.GetValue(this) ?? DefaultDuration;

    private static TimeSpan? Parse(ArgumentResult result, bool allowZero)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (!DurationParser.TryParse(text, out var duration))
        {
            result.AddError($"'{text}' is not a duration (examples: 30s, 2m, 1m30s, 500ms, 1h).");
            return null;
        }

        if (duration == TimeSpan.Zero && !allowZero)
        {
            result.AddError("The duration must be greater than zero.");
        }

        return duration;
    }
}

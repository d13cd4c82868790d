using System.CommandLine;
using System.CommandLine.Parsing;
using Perf.Cli.Load;

namespace Perf.Cli.Commands;

/// <summary>Builds the options that several bench commands share, with the same names, checks and help.</summary>
public static class BenchOptionFactory
{
    public static readonly Uri DefaultUrl = new("http://127.0.0.1:5080");

    public static Option<Uri> Url() => new("--url")
    {
        Description = "Base URL of the engine's HTTP API.",
        HelpName = "URL",
        DefaultValueFactory = _ => DefaultUrl,
        CustomParser = ParseHttpUrl,
    };

    public static Option<int> Hosts(int defaultValue) =>
        PositiveInt("--hosts", defaultValue, "Number of hosts (bench-0000, bench-0001, ...).", "H");

    public static Option<int> Metrics(int defaultValue) =>
        PositiveInt("--metrics", defaultValue, "Metrics per host (bench.m0, bench.m1, ...).", "M");

    public static Option<int> Concurrency(int defaultValue) =>
        PositiveInt("--concurrency", defaultValue, "Requests in flight at once.", "N");

    public static Option<string?> ApiKey() => new("--api-key")
    {
        Description = "API key sent with every request (header chosen by --api-key-header). Default: $PERF_API_KEY.",
        HelpName = "KEY",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("PERF_API_KEY"),
    };

    public static Option<string> ApiKeyHeader() => new("--api-key-header")
    {
        Description = "Header that carries the API key.",
        HelpName = "NAME",
        DefaultValueFactory = _ => BenchHttpClientFactory.DefaultApiKeyHeader,
    };

    public static Option<bool> Plain() => new("--plain")
    {
        Description = "Print periodic plain progress lines even on a terminal (automatic when output is redirected).",
    };

    public static Option<int> PositiveInt(string name, int defaultValue, string description, string helpName)
    {
        var option = new Option<int>(name)
        {
            Description = description,
            HelpName = helpName,
            DefaultValueFactory = _ => defaultValue,
        };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 1)
            {
                result.AddError($"{name} must be at least 1.");
            }
        });
        return option;
    }

    private static Uri? ParseHttpUrl(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (Uri.TryCreate(text, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps))
        {
            return url;
        }

        result.AddError($"'{text}' is not an absolute http:// or https:// URL.");
        return null;
    }
}

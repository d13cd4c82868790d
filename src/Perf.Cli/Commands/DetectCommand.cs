using System.CommandLine;
using System.Globalization;
using Perf.Analytics.Detection;
using Perf.Cli.Display;
using Spectre.Console;

namespace Perf.Cli.Commands;

/// <summary>
/// <c>perf detect</c>: runs a streaming detector over <c>timestamp,value</c> CSV files and writes
/// <c>timestamp,value,anomaly_score</c> (the layout NAB scores), one output row per input row.
/// </summary>
public sealed class DetectCommand : Command
{
    public DetectCommand()
        : base("detect", "Run a streaming anomaly detector over timestamp,value CSV files and write " +
                         "timestamp,value,anomaly_score (one row per input row, scores in [0, 1] at full precision).")
    {
        Options.Add(InputOption);
        Options.Add(OutputOption);
        Options.Add(InputDirOption);
        Options.Add(OutputDirOption);
        Options.Add(DetectorOption);
        Options.Add(OptionOption);
        Options.Add(AllColumnsOption);
        Options.Add(PlainOption);
        Validators.Add(result =>
        {
            bool file = result.GetResult(InputOption) is not null || result.GetResult(OutputOption) is not null;
            bool directory = result.GetResult(InputDirOption) is not null || result.GetResult(OutputDirOption) is not null;
            if (file == directory)
            {
                result.AddError("Give either --input FILE --output FILE or --input-dir DIR --output-dir DIR.");
            }
            else if (file && (result.GetResult(InputOption) is null || result.GetResult(OutputOption) is null))
            {
                result.AddError("--input and --output go together.");
            }
            else if (directory && (result.GetResult(InputDirOption) is null || result.GetResult(OutputDirOption) is null))
            {
                result.AddError("--input-dir and --output-dir go together.");
            }
        });
        SetAction(RunAsync);
    }

    public Option<string?> InputOption { get; } = new("--input")
    {
        Description = "CSV file with a header row and the columns timestamp,value.",
        HelpName = "FILE",
    };

    public Option<string?> OutputOption { get; } = new("--output")
    {
        Description = "CSV file to write: timestamp,value,anomaly_score.",
        HelpName = "FILE",
    };

    public Option<string?> InputDirOption { get; } = new("--input-dir")
    {
        Description = "Folder searched recursively for *.csv files (e.g. NAB's data/).",
        HelpName = "DIR",
    };

    public Option<string?> OutputDirOption { get; } = new("--output-dir")
    {
        Description = "Folder that receives one result per input file, at the same relative path.",
        HelpName = "DIR",
    };

    public Option<string> DetectorOption { get; } = CreateDetectorOption();

    public Option<string[]> OptionOption { get; } = new("--option")
    {
        Description = "Detector option as name=value (repeatable), e.g. confidence=95, pvalueHistoryLength=50, sensitivity=0.9.",
        HelpName = "NAME=VALUE",
        Arity = ArgumentArity.ZeroOrMore,
        DefaultValueFactory = _ => [],
    };

    public Option<bool> AllColumnsOption { get; } = new("--all-columns")
    {
        Description = "Also write the detector's own output columns (e.g. Alert, Score, P-Value).",
    };

    public Option<bool> PlainOption { get; } = BenchOptionFactory.Plain();

    private async Task<int> RunAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var output = parseResult.InvocationConfiguration.Output;
        var error = parseResult.InvocationConfiguration.Error;
        string detectorName = parseResult.GetRequiredValue(DetectorOption);
        Func<IStreamingDetector> factory;
        try
        {
            factory = DetectorCatalog.CreateFactory(detectorName, parseResult.GetValue(OptionOption) ?? []);
        }
        catch (ArgumentException e)
        {
            await error.WriteLineAsync("perf detect: " + e.Message).ConfigureAwait(false);
            return 2;
        }

        bool allColumns = parseResult.GetValue(AllColumnsOption);
        try
        {
            if (parseResult.GetValue(InputOption) is { } input)
            {
                string target = parseResult.GetRequiredValue(OutputOption)!;
                if (!File.Exists(input))
                {
                    await error.WriteLineAsync($"perf detect: input file '{input}' not found.").ConfigureAwait(false);
                    return 1;
                }

                int rows = DetectCsv.Run(factory(), input, target, allColumns);
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"perf detect: {detectorName}: {rows} rows -> {target}")).ConfigureAwait(false);
                return 0;
            }

            return await RunDirectoryAsync(parseResult, factory, detectorName, allColumns, cancellationToken).ConfigureAwait(false);
        }
        catch (DetectInputException e)
        {
            await error.WriteLineAsync("perf detect: " + e.Message).ConfigureAwait(false);
            return 1;
        }
        catch (IOException e)
        {
            await error.WriteLineAsync("perf detect: " + e.Message).ConfigureAwait(false);
            return 1;
        }
        catch (UnauthorizedAccessException e)
        {
            await error.WriteLineAsync("perf detect: " + e.Message).ConfigureAwait(false);
            return 1;
        }
    }

    private async Task<int> RunDirectoryAsync(
        ParseResult parseResult, Func<IStreamingDetector> factory, string detectorName, bool allColumns, CancellationToken cancellationToken)
    {
        string inputDir = Path.GetFullPath(parseResult.GetRequiredValue(InputDirOption)!);
        string outputDir = Path.GetFullPath(parseResult.GetRequiredValue(OutputDirOption)!);
        var error = parseResult.InvocationConfiguration.Error;
        if (!Directory.Exists(inputDir))
        {
            await error.WriteLineAsync($"perf detect: input folder '{inputDir}' not found.").ConfigureAwait(false);
            return 1;
        }

        string[] files = [.. Directory.EnumerateFiles(inputDir, "*.csv", SearchOption.AllDirectories)
            .Where(f => !IsInside(f, outputDir))
            .Order(StringComparer.Ordinal)];
        if (files.Length == 0)
        {
            await error.WriteLineAsync($"perf detect: no *.csv files under '{inputDir}'.").ConfigureAwait(false);
            return 1;
        }

        var console = BenchConsole.For(parseResult.InvocationConfiguration.Output, parseResult.GetValue(PlainOption));
        long totalRows = 0;
        var clock = System.Diagnostics.Stopwatch.StartNew();

        int RunOne(string file)
        {
            string relative = Path.GetRelativePath(inputDir, file);
            return DetectCsv.Run(factory(), file, Path.Combine(outputDir, relative), allColumns);
        }

        if (console.Live)
        {
            await console.Rich.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .StartAsync(context =>
                {
                    var task = context.AddTask($"{detectorName}: {files.Length} files", maxValue: files.Length);
                    foreach (string file in files)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        task.Description = Markup.Escape($"{detectorName}: {Path.GetRelativePath(inputDir, file)}");
                        totalRows += RunOne(file);
                        task.Increment(1);
                    }

                    task.Description = Markup.Escape($"{detectorName}: {files.Length} files");
                    return Task.CompletedTask;
                }).ConfigureAwait(false);
        }
        else
        {
            for (int i = 0; i < files.Length; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int rows = RunOne(files[i]);
                totalRows += rows;
                await console.Plain.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"[{i + 1}/{files.Length}] {Path.GetRelativePath(inputDir, files[i])}: {rows} rows")).ConfigureAwait(false);
            }
        }

        await console.Plain.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"perf detect: {detectorName}: {files.Length} files, {totalRows} rows in {clock.Elapsed.TotalSeconds:0.0} s -> {outputDir}"))
            .ConfigureAwait(false);
        return 0;
    }

    private static bool IsInside(string file, string directory)
    {
        string relative = Path.GetRelativePath(directory, file);
        return !relative.StartsWith("..", StringComparison.Ordinal) && !Path.IsPathRooted(relative);
    }

    private static Option<string> CreateDetectorOption()
    {
        var option = new Option<string>("--detector")
        {
            Description = "Detector to run: " + string.Join(", ", DetectorCatalog.Names) + ".",
            HelpName = "NAME",
            DefaultValueFactory = _ => DetectorCatalog.Default,
        };
        option.AcceptOnlyFromAmong([.. DetectorCatalog.Names]);
        return option;
    }
}

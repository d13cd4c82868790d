using Perf.Cli.Commands;

return await new PerfRootCommand().Parse(args).InvokeAsync();

using System.Collections.Concurrent;
using System.Diagnostics;

namespace Perf.Host.Tests.Infrastructure;

/// <summary>
/// A server run by a test fixture: its output is kept (the last lines) so that a failure can say why the server
/// stopped, and disposing it kills it and everything it started.
/// </summary>
public sealed class ChildProcess : IDisposable
{
    private const int KeptLines = 200;

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private ChildProcess(Process process) => _process = process;

    /// <exception cref="InvalidOperationException">The program is not installed (./test.sh installs it).</exception>
    public static ChildProcess Start(string program, params IEnumerable<string> arguments)
    {
        if (!File.Exists(program)) throw new InvalidOperationException($"{program} is not installed; ./test.sh installs what the tests need");
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        var process = new Process { StartInfo = start };
        var child = new ChildProcess(process);
        // Read both pipes as they fill: a child blocked on a full pipe would look like a server that hangs.
        process.OutputDataReceived += (_, line) => child.Keep(line.Data);
        process.ErrorDataReceived += (_, line) => child.Keep(line.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    public bool HasExited => _process.HasExited;

    /// <summary>The last lines the process wrote to stdout and stderr.</summary>
    public string Output => string.Join('\n', _output);

    /// <exception cref="InvalidOperationException">The process has exited; the message holds its output.</exception>
    public void ThrowIfExited(string name)
    {
        if (_process.HasExited)
            throw new InvalidOperationException($"{name} exited with code {_process.ExitCode}:\n{Output}");
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(TimeSpan.FromSeconds(10));
            }
        }
        catch (InvalidOperationException)
        {
            // It exited between the check and the kill.
        }
        _process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null) return;
        _output.Enqueue(line);
        while (_output.Count > KeptLines) _output.TryDequeue(out _);
    }
}

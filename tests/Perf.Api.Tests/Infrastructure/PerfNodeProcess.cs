using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Perf.Api.Tests.Infrastructure;

/// <summary>
/// A real Perf node: the built Perf.Api started as a child process on a free loopback port with its own SQLite data
/// directory. Tests talk to it over HTTP exactly as users do, and may kill it (SIGKILL) or stop it (SIGINT).
/// </summary>
public sealed class PerfNodeProcess : IAsyncDisposable
{
    /// <summary>The admin key every test node starts with (<c>PERF_ADMIN_KEY</c>); <see cref="Client"/> sends it.</summary>
    public const string AdminKey = "perf-test-admin-key-0123456789abcdef";

    private readonly StringBuilder _output = new();
    private Process? _process;

    /// <param name="worker">Run Perf.Host (a cluster worker without HTTP) instead of Perf.Api.</param>
    public PerfNodeProcess(IReadOnlyDictionary<string, string>? environment = null, string? dataDirectory = null, bool worker = false)
    {
        _worker = worker;
        Environment = environment ?? new Dictionary<string, string>();
        // A directory the caller passed outlives this process (restart tests); one made here is removed with it.
        _ownsDataDirectory = dataDirectory is null;
        DataDirectory = dataDirectory ?? Path.Combine(Path.GetTempPath(), "perf-api-tests", Guid.NewGuid().ToString("N"));
    }

    private readonly bool _ownsDataDirectory;
    private readonly bool _worker;

    public IReadOnlyDictionary<string, string> Environment { get; }

    /// <summary>More of the node's command line, after its address and data directory (e.g. <c>--config FILE</c>).</summary>
    public string ExtraArguments { get; init; } = "";
    public string DataDirectory { get; }
    public int Port { get; private set; }
    public Uri BaseAddress => new($"http://127.0.0.1:{Port}");
    public HttpClient Client { get; private set; } = new();
    public string Output { get { lock (_output) return _output.ToString(); } }
    public Process? Process => _process;

    /// <summary>Starts the node and waits until /health/ready answers 200.</summary>
    public async Task StartAsync(TimeSpan? timeout = null)
    {
        Port = FreePort();
        _process = Launch($"--urls http://127.0.0.1:{Port} --data-dir \"{DataDirectory}\"");
        Client = ClientWithKey(AdminKey);
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(90));
        var relaunches = 0;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited && relaunches < 3 && Output.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                // The free port was taken between FreePort and the bind (the machine's outgoing connections use the same
                // range): another one.
                relaunches++;
                lock (_output) _output.Clear();
                Port = FreePort();
                _process = Launch($"--urls http://127.0.0.1:{Port} --data-dir \"{DataDirectory}\"");
                Client = ClientWithKey(AdminKey);
                continue;
            }
            if (_process.HasExited) throw new InvalidOperationException($"Perf.Api exited with {_process.ExitCode}:\n{Output}");
            try
            {
                using var response = await Client.GetAsync("/health/ready");
                if (response.StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException) { }
            await Task.Delay(100);
        }
        throw new TimeoutException($"Perf.Api did not become ready:\n{Output}");
    }

    /// <summary>Starts a worker (Perf.Host); it has no HTTP endpoint, so whoever needs it Up waits for it in the cluster's
    /// status (<c>GET /api/v1/cluster</c> of an api node).</summary>
    public void StartWorker()
    {
        if (!_worker) throw new InvalidOperationException("not a worker");
        _process = Launch($"--data-dir \"{DataDirectory}\"");
    }

    /// <summary>SIGTERM, as an orchestrator stops a node, then waits for it to exit (a graceful leave).</summary>
    public async Task<int> TerminateAsync(TimeSpan timeout)
    {
        if (_process is null) throw new InvalidOperationException("not started");
        using (var term = System.Diagnostics.Process.Start("kill", ["-TERM", _process.Id.ToString()])) await term.WaitForExitAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"The node did not exit within {timeout} of SIGTERM. Its output:\n{Output}");
        }
        return _process.ExitCode;
    }

    /// <summary>A client of this node that sends <paramref name="key"/> as a bearer token (none when null).</summary>
    public HttpClient ClientWithKey(string? key)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        if (key is not null) client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    /// <summary>Runs the node to completion (for start-up failures) and returns its exit code; on <paramref name="port"/>
    /// when given, else on a free one.</summary>
    public async Task<int> RunToExitAsync(TimeSpan timeout, int? port = null)
    {
        Port = port ?? FreePort();
        _process = Launch($"--urls http://127.0.0.1:{Port} --data-dir \"{DataDirectory}\"");
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    public async Task KillAsync()
    {
        if (_process is null || _process.HasExited) return;
        _process.Kill(entireProcessTree: true); // SIGKILL: no shutdown hooks run
        await _process.WaitForExitAsync();
    }

    /// <summary>Ctrl+C: SIGINT, then waits for a clean exit.</summary>
    public async Task<int> InterruptAsync(TimeSpan timeout)
    {
        if (_process is null) throw new InvalidOperationException("not started");
        using (var kill = System.Diagnostics.Process.Start("kill", ["-INT", _process.Id.ToString()])) await kill.WaitForExitAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"The node did not exit within {timeout} of SIGINT. Its output:\n{Output}");
        }
        return _process.ExitCode;
    }

    private Process Launch(string arguments)
    {
        var start = new ProcessStartInfo("dotnet", $"\"{Assembly(_worker ? "Perf.Host" : "Perf.Api")}\" {arguments} {ExtraArguments}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["PERF_ADMIN_KEY"] = AdminKey;
        foreach (var (key, value) in Environment) start.Environment[key] = value;
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
        process.Start();
        // Should the test run itself end abruptly, its nodes end with it rather than run on.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => { try { if (!process.HasExited) process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>The build of <paramref name="project"/> of the same configuration as this test assembly.</summary>
    private static string Assembly(string project)
    {
        var here = new DirectoryInfo(AppContext.BaseDirectory); // tests/Perf.Api.Tests/bin/{Configuration}/net10.0/
        var framework = here.Name;
        var configuration = here.Parent!.Name;
        var repo = here.Parent!.Parent!.Parent!.Parent!.Parent!.FullName;
        var path = Path.Combine(repo, "src", project, "bin", configuration, framework, project + ".dll");
        return File.Exists(path) ? path : throw new FileNotFoundException($"Build {project} first", path);
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        Client.Dispose();
        _process?.Dispose();
        if (_ownsDataDirectory) try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

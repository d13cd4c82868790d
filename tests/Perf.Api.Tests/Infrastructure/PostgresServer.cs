using System.Diagnostics;
using Npgsql;

namespace Perf.Api.Tests.Infrastructure;

/// <summary>
/// A real PostgreSQL server for the cluster tests: initdb into a temporary directory, pg_ctl start on a free loopback
/// port, trust authentication for user <c>perf</c>. Each test takes a fresh database (<see cref="CreateDatabaseAsync"/>).
/// PostgreSQL refuses to run as root, so as root it runs as the <c>postgres</c> user (test.sh installs the server).
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "perf-postgres-" + Guid.NewGuid().ToString("N")[..8]);
    private string _bin = "";

    public int Port { get; } = PerfNodeProcess.FreePort();

    public string ConnectionString(string database) => $"Host=127.0.0.1;Port={Port};Database={database};Username=perf;Pooling=true";

    public async ValueTask InitializeAsync()
    {
        _bin = Directory.GetDirectories("/usr/lib/postgresql").Select(v => Path.Combine(v, "bin")).FirstOrDefault(b => File.Exists(Path.Combine(b, "postgres")))
               ?? throw new InvalidOperationException("PostgreSQL is not installed (test.sh installs the Debian package postgresql)");
        Directory.CreateDirectory(_directory);
        if (IsRoot) await RunAsync("chown", ["postgres", _directory]);
        var data = Path.Combine(_directory, "data");
        await RunPostgresAsync("initdb", ["-D", data, "-U", "perf", "--auth=trust", "-E", "UTF8", "--no-sync"]);
        await RunPostgresAsync("pg_ctl", ["-D", data, "-l", Path.Combine(_directory, "server.log"), "-w", "-t", "60", "-o",
            $"-c listen_addresses=127.0.0.1 -p {Port} -c unix_socket_directories={_directory} -c max_connections=300 -c shared_buffers=64MB", "start"]);
    }

    /// <summary>An empty database of its own for one test.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = "perf_" + Guid.NewGuid().ToString("N")[..12];
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"CREATE DATABASE {name}";
        await command.ExecuteNonQueryAsync();
        return ConnectionString(name);
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_bin.Length > 0)
        {
            try { await RunPostgresAsync("pg_ctl", ["-D", Path.Combine(_directory, "data"), "-m", "immediate", "-w", "stop"]); }
            catch (InvalidOperationException) { } // already gone
        }
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }

    private static bool IsRoot => Environment.UserName == "root";

    private Task RunPostgresAsync(string program, string[] arguments) =>
        IsRoot ? RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(_bin, program), .. arguments]) : RunAsync(Path.Combine(_bin, program), arguments);

    private static async Task RunAsync(string program, string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await output}{await error}");
    }
}

using System.Data;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Perf.Storage;

/// <summary>The writer's connection with its prepared statements, cached by SQL text.</summary>
public sealed class DatabaseStatements(DbConnection connection) : IDisposable
{
    private readonly Dictionary<string, DbCommand> _commands = new(StringComparer.Ordinal);
    private readonly Dictionary<string, sqlite3_stmt> _raw = new(StringComparer.Ordinal);

    internal DbTransaction? Transaction { get; set; }

    /// <summary>The prepared command for <paramref name="sql"/>, with parameters named and typed on first use.</summary>
    public DbCommand Command(string sql, params ReadOnlySpan<(string Name, DbType Type)> parameters)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = connection.CreateCommand();
            command.CommandText = sql;
            foreach (var (name, type) in parameters)
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = name;
                parameter.DbType = type;
                command.Parameters.Add(parameter);
            }
            _commands[sql] = command;
        }
        command.Transaction = Transaction;
        return command;
    }

    /// <summary>
    /// On SQLite, the statement for <paramref name="sql"/> prepared on SQLite's own API (it runs in the writer's open
    /// transaction like a command does): for the write path's one statement per write, which binds spans (a pooled buffer's
    /// used part) and costs a fraction of a command's parameter handling. Null on other providers.
    /// </summary>
    public SqliteStatement? Sqlite(string sql)
    {
        if (connection is not SqliteConnection sqlite) return null;
        if (!_raw.TryGetValue(sql, out var statement))
        {
            var handle = sqlite.Handle!;
            SqliteStatement.Check(raw.sqlite3_prepare_v2(handle, sql, out statement), handle);
            _raw[sql] = statement;
        }
        return new SqliteStatement(statement, sqlite.Handle!);
    }

    public void Dispose()
    {
        foreach (var command in _commands.Values) command.Dispose();
        foreach (var statement in _raw.Values) statement.Dispose();
    }
}

/// <summary>A prepared SQLite statement: bind by 1-based index, then <see cref="Run"/> (which resets it).</summary>
public readonly struct SqliteStatement(sqlite3_stmt statement, sqlite3 handle)
{
    public void Bind(int index, long value) => Check(raw.sqlite3_bind_int64(statement, index, value), handle);

    public void Bind(int index, string value) => Check(raw.sqlite3_bind_text(statement, index, value), handle);

    public void Bind(int index, ReadOnlySpan<byte> value) => Check(raw.sqlite3_bind_blob(statement, index, value), handle);

    /// <summary>Runs a statement that returns no rows.</summary>
    public void Run()
    {
        var result = raw.sqlite3_step(statement);
        raw.sqlite3_reset(statement);
        if (result != raw.SQLITE_DONE) Check(result, handle);
    }

    internal static int Check(int result, sqlite3 handle)
    {
        if (result is not (raw.SQLITE_OK or raw.SQLITE_ROW or raw.SQLITE_DONE)) SqliteException.ThrowExceptionForRC(result, handle);
        return result;
    }
}

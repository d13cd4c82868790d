using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;

namespace Perf.Storage.Tests;

/// <summary>Direct access to a SQLite file, beside the code under test: what an operator (or damage) does to it.</summary>
public static class Sql
{
    // Unpooled, so that a test's own connections never keep the file open after it.
    private static SqliteConnection Open(string path)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false, DefaultTimeout = 30 }.ToString());
        connection.Open();
        return connection;
    }

    public static void Execute(string path, string sql, params (string Name, object Value)[] parameters)
    {
        using var connection = Open(path);
        using var command = Command(connection, sql, parameters);
        command.ExecuteNonQuery();
    }

    public static long Scalar(string path, string sql, params (string Name, object Value)[] parameters)
    {
        using var connection = Open(path);
        using var command = Command(connection, sql, parameters);
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    public static byte[] Blob(string path, string sql, params (string Name, object Value)[] parameters)
    {
        using var connection = Open(path);
        using var command = Command(connection, sql, parameters);
        return command.ExecuteScalar() as byte[] ?? throw new InvalidOperationException($"No blob from {sql}");
    }

    /// <summary>Every row the query returns, each column as text (blobs in hex).</summary>
    public static List<string[]> Rows(string path, string sql, params (string Name, object Value)[] parameters)
    {
        using var connection = Open(path);
        using var command = Command(connection, sql, parameters);
        using var reader = command.ExecuteReader();
        var rows = new List<string[]>();
        while (reader.Read())
        {
            var row = new string[reader.FieldCount];
            for (var i = 0; i < row.Length; i++) row[i] = Text(reader.GetValue(i));
            rows.Add(row);
        }
        return rows;
    }

    public static HashSet<string> Tables(string path) =>
        [.. Rows(path, "SELECT name FROM sqlite_master WHERE type = 'table'").Select(r => r[0])];

    /// <summary>
    /// The whole file as text: its schema and every row of every table, in a fixed order. Two dumps are equal exactly
    /// when the files hold the same tables, indexes and data.
    /// </summary>
    public static string Dump(string path)
    {
        var dump = new StringBuilder();
        foreach (var row in Rows(path, "SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_master ORDER BY type, name"))
            dump.AppendLine(string.Join(" | ", row));
        foreach (var table in Tables(path).Order(StringComparer.Ordinal))
        {
            dump.AppendLine("== " + table);
            var lines = Rows(path, $"SELECT * FROM [{table}]").Select(r => string.Join(" | ", r)).Order(StringComparer.Ordinal);
            foreach (var line in lines) dump.AppendLine(line);
        }
        return dump.ToString();
    }

    /// <summary>Replaces one byte of a blob column in place, as a bad disk sector or a stray write would.</summary>
    public static void FlipByte(string path, string table, string column, string where, int offset, byte xor = 0xFF)
    {
        var blob = Blob(path, $"SELECT {column} FROM {table} WHERE {where}");
        blob[offset] ^= xor;
        Execute(path, $"UPDATE {table} SET {column} = @blob WHERE {where}", ("@blob", blob));
    }

    private static SqliteCommand Command(SqliteConnection connection, string sql, (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        return command;
    }

    private static string Text(object value) => value switch
    {
        byte[] bytes => "x'" + Convert.ToHexString(bytes) + "'",
        DBNull => "NULL",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}

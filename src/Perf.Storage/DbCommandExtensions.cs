using System.Data.Common;

namespace Perf.Storage;

/// <summary>Parameters the same way on every provider (Microsoft.Data.Sqlite and Npgsql both take <c>@name</c>).</summary>
public static class DbCommandExtensions
{
    public static void AddParameter(this DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}

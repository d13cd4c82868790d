using System.Globalization;

namespace Perf.Host.Backup;

/// <summary>
/// Names of backup files. A request only ever names a file inside <c>{data-dir}/backups</c>: a plain name of letters,
/// digits, '.', '_' and '-', so no path, no hidden file and nothing a shell or URL has to escape.
/// </summary>
public static class BackupName
{
    public const string Extension = ".db";
    public const int MaxLength = 100;

    /// <summary>The suffix of a backup being written (after <see cref="Extension"/>, so such files are never listed).</summary>
    public const string PartialSuffix = ".partial";

    /// <summary><c>perf-20261127T100000123Z.db</c>: sorts by time, unique to the millisecond.</summary>
    public static string Default(DateTimeOffset at) =>
        "perf-" + at.UtcDateTime.ToString("yyyyMMdd'T'HHmmssfff'Z'", CultureInfo.InvariantCulture) + Extension;

    /// <summary>
    /// The file name a requested name stands for (<c>.db</c> appended when missing), or why the name is refused.
    /// </summary>
    public static bool TryNormalize(string? name, out string fileName, out string problem)
    {
        fileName = "";
        problem = Problem(name) ?? "";
        if (problem.Length > 0) return false;
        fileName = name!.EndsWith(Extension, StringComparison.Ordinal) ? name : name + Extension;
        if (fileName.Length <= MaxLength) return true;
        problem = $"must be at most {MaxLength} characters with the {Extension} extension";
        return false;
    }

    /// <summary>Whether <paramref name="fileName"/> is the name of a complete backup (listing, look-up).</summary>
    public static bool IsBackupFile(string fileName) =>
        Problem(fileName) is null && fileName.EndsWith(Extension, StringComparison.Ordinal);

    private static string? Problem(string? name)
    {
        if (string.IsNullOrEmpty(name)) return "must be a non-empty file name";
        if (name.Length > MaxLength) return $"must be at most {MaxLength} characters";
        if (!char.IsAsciiLetterOrDigit(name[0])) return "must start with a letter or a digit";
        foreach (var c in name)
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('.' or '_' or '-'))
                return $"may hold only letters, digits, '.', '_' and '-' (a file name inside the backups directory, not a path); '{c}' is not allowed";
        if (name.Contains("..", StringComparison.Ordinal)) return "must not contain '..'";
        return null;
    }
}

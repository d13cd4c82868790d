using Perf.Host.Backup;

namespace Perf.Host.Tests.Backup;

/// <summary>A requested backup name is a plain file name inside the backups directory, never a path.</summary>
public sealed class BackupNameTests
{
    [Theory]
    [InlineData("nightly", "nightly.db")]
    [InlineData("nightly.db", "nightly.db")]
    [InlineData("before-upgrade_2026.11.27", "before-upgrade_2026.11.27.db")]
    [InlineData("0", "0.db")]
    public void Plain_names_are_accepted_with_the_db_extension(string name, string fileName)
    {
        Assert.True(BackupName.TryNormalize(name, out var normalized, out var problem), problem);
        Assert.Equal(fileName, normalized);
        Assert.True(BackupName.IsBackupFile(normalized));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("../perf")]
    [InlineData("..")]
    [InlineData(".")]
    [InlineData("a/b")]
    [InlineData("a\\b")]
    [InlineData("/etc/passwd")]
    [InlineData("C:backup")]
    [InlineData(".hidden")]
    [InlineData("-rf")]
    [InlineData("a..b")]
    [InlineData("with space")]
    [InlineData("semi;colon")]
    [InlineData("tab\tname")]
    [InlineData("new\nline")]
    [InlineData("nul\0byte")]
    [InlineData("ünïcode")]
    [InlineData("~home")]
    [InlineData("$HOME")]
    [InlineData("*.db")]
    public void Paths_and_odd_characters_are_refused(string? name)
    {
        Assert.False(BackupName.TryNormalize(name, out var fileName, out var problem));
        Assert.Equal("", fileName);
        Assert.NotEmpty(problem);
    }

    [Fact]
    public void Names_are_at_most_100_characters_with_the_extension()
    {
        Assert.True(BackupName.TryNormalize(new string('a', 97), out var longest, out _));
        Assert.Equal(100, longest.Length);
        Assert.False(BackupName.TryNormalize(new string('a', 98), out _, out var problem));
        Assert.Contains("100", problem, StringComparison.Ordinal);
        Assert.False(BackupName.TryNormalize(new string('a', 101), out _, out _));
    }

    [Fact]
    public void The_default_name_is_the_UTC_time_to_the_millisecond_and_is_a_valid_name()
    {
        var name = BackupName.Default(new DateTimeOffset(2026, 11, 27, 11, 0, 5, 123, TimeSpan.FromHours(1)));
        Assert.Equal("perf-20261127T100005123Z.db", name);
        Assert.True(BackupName.IsBackupFile(name));
    }

    [Fact]
    public void Files_being_written_are_not_backups()
    {
        Assert.False(BackupName.IsBackupFile("perf-20261127T100005123Z.db" + BackupName.PartialSuffix));
        Assert.False(BackupName.IsBackupFile("perf.lock"));
    }
}

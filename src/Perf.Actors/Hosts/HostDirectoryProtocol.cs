namespace Perf.Actors.Hosts;

public static class HostDirectoryCommands
{
    /// <summary>Idempotent: a known host is ignored. Answered <see cref="HostListed"/> once the host is stored.</summary>
    public sealed record AddHost(string Host) : IPerfMessage;

    public sealed record HostListed(string Host) : IPerfMessage;
}

public static class HostDirectoryQueries
{
    public sealed record ListHosts : IPerfMessage
    {
        public static readonly ListHosts Instance = new();
    }

    public sealed record HostList(string[] Hosts) : IPerfMessage;
}

public static class HostDirectoryEvents
{
    public sealed record HostAdded(string Host) : IPerfMessage;
}

public sealed record HostDirectorySnapshot(string[] Hosts) : IPerfMessage;

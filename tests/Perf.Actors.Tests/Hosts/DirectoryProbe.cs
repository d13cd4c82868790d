using Akka.Actor;
using Akka.TestKit;
using static Perf.Actors.Hosts.HostDirectoryCommands;

namespace Perf.Actors.Tests.Hosts;

/// <summary>A stand-in for the host directory that answers as the real one does (a host waits for its listing before
/// it acknowledges its first series) and lets the test see what it was told.</summary>
public static class DirectoryProbe
{
    public static TestProbe Create(TestKitBase kit)
    {
        var probe = kit.CreateTestProbe();
        probe.SetAutoPilot(new DelegateAutoPilot((sender, message) =>
        {
            if (message is AddHost add) sender.Tell(new HostListed(add.Host));
            return AutoPilot.KeepRunning;
        }));
        return probe;
    }
}

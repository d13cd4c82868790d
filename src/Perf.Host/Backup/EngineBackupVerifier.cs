using Akka.Actor;
using Akka.Configuration;
using Perf.Actors.Serialization;
using Perf.Storage.Backup;

namespace Perf.Host.Backup;

/// <summary>
/// The backup verifier with the engine's serializer, so that the rows of the persistent actors (alerts, books, reports)
/// are decoded too: Perf.Storage knows the host data's layout, the serializer knows the actors' messages.
/// </summary>
public static class EngineBackupVerifier
{
    public static BackupVerifier For(PerfSerializer serializer) => new((manifest, payload) => serializer.FromBinary(payload, manifest));

    /// <summary>Verifies outside a node (the CLI): an actor system of its own, only for the serializer.</summary>
    public static async Task<BackupVerification> VerifyStandaloneAsync(string path, CancellationToken cancellationToken = default)
    {
        var system = ActorSystem.Create("perf-verify", ConfigurationFactory.ParseString("akka.loglevel = WARNING\nakka.stdout-loglevel = WARNING"));
        try
        {
            var verifier = For(new PerfSerializer((ExtendedActorSystem)system));
            return await Task.Run(() => verifier.Verify(path, cancellationToken), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await system.Terminate().ConfigureAwait(false);
        }
    }
}

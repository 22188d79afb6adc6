using Encore.Cluster;
using Encore.Storage;

namespace Encore.Server;

/// <summary>How the server joins an Encore cluster as a silo (<c>encore serve --cluster</c>); the store must be PostgreSQL.</summary>
/// <param name="SiloPort">The port silos talk to each other on (each node on one machine needs its own).</param>
/// <param name="GatewayPort">The port clients of the cluster connect to.</param>
/// <param name="ClusterId">Names the cluster (nodes of one cluster share it).</param>
public sealed record ClusterSettings(int SiloPort = 11111, int GatewayPort = 30000, string ClusterId = "encore")
{
    /// <summary>The cluster options for a server over <paramref name="database"/>, with the settings' clock.</summary>
    /// <exception cref="ArgumentException">The database is not PostgreSQL, or a port is out of range.</exception>
    public EncoreClusterOptions OptionsFor(string database, Service.ServiceClock clock)
    {
        if (!EventStores.IsPostgres(database))
            throw new ArgumentException($"--cluster needs a PostgreSQL store (--db postgres://...): the cluster keeps its membership there (got {EventStores.Describe(database)})");
        if (SiloPort is < 1 or > 65535) throw new ArgumentException($"the silo port must be in 1..65535 (got {SiloPort})");
        if (GatewayPort is < 1 or > 65535 || GatewayPort == SiloPort) throw new ArgumentException($"the gateway port must be in 1..65535 and differ from the silo port (got {GatewayPort})");
        return new EncoreClusterOptions
        {
            Database = database, ClusterId = ClusterId, Clock = clock,
            ModelsDirectory = EventStores.ModelPaths(database).ModelsDirectory,
        };
    }
}

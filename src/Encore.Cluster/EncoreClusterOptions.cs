using Encore.Ranking.Pages;
using Encore.Service;
using Encore.Storage.Postgres;

namespace Encore.Cluster;

/// <summary>How a node of an Encore cluster finds the others and the data: one PostgreSQL database holds both the event store and the cluster's membership.</summary>
public sealed record EncoreClusterOptions
{
    /// <summary>The store: a <c>postgres://</c> URL (the cluster needs PostgreSQL; every node opens the same one).</summary>
    public required string Database { get; init; }

    /// <summary>Names the cluster in the membership tables: nodes of one cluster share it (several clusters may share a database).</summary>
    public string ClusterId { get; init; } = "encore";

    /// <summary>Where model versions are registered (<see cref="ModelRegistry"/>): every node must read the same registry.</summary>
    public required string ModelsDirectory { get; init; }

    /// <summary>How pages are laid out (the same on every node).</summary>
    public PageOptions Pages { get; init; } = PageOptions.Default;

    /// <summary>The moment pages are for: the machine's clock, or the latest event's time in the log.</summary>
    public ServiceClock Clock { get; init; } = ServiceClock.Wall;

    /// <summary>How often a node reads the events other nodes appended (the service-wide trends follow them; a member's own page never waits for it).</summary>
    public TimeSpan FollowInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How long a call between nodes may wait for its answer before it fails (and the front tries again): a silo that crashed holds its calls this long at most.</summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The Npgsql connection string of <see cref="Database"/>.</summary>
    /// <exception cref="ArgumentException">The database is not a <c>postgres://</c> URL.</exception>
    public string ConnectionString()
    {
        if (!PostgresAddress.IsPostgresUrl(Database))
            throw new ArgumentException($"the cluster keeps its members and events in PostgreSQL: --db must be a postgres:// URL (got '{Database}')");
        return PostgresAddress.Parse(Database).ConnectionString;
    }

    /// <summary>Checks the options, with a message that names the one at fault.</summary>
    public void Validate()
    {
        ConnectionString();
        if (string.IsNullOrWhiteSpace(ClusterId)) throw new ArgumentException("the cluster id is empty");
        if (string.IsNullOrWhiteSpace(ModelsDirectory)) throw new ArgumentException("the models directory is empty");
        if (CallTimeout <= TimeSpan.Zero) throw new ArgumentException($"the call timeout must be positive (got {CallTimeout})");
        if (FollowInterval <= TimeSpan.Zero) throw new ArgumentException($"the follow interval must be positive (got {FollowInterval})");
        Pages.Validate();
    }
}

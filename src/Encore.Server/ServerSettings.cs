using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;

namespace Encore.Server;

/// <summary>The three API keys: one for sending events, one for reading recommendations, one for administration.</summary>
public sealed record ApiKeySet(string Ingest, string Read, string Admin)
{
    /// <summary>Three fresh random keys (for a demo, or a first run with none configured).</summary>
    public static ApiKeySet Generate() => new(NewKey("ingest"), NewKey("read"), NewKey("admin"));

    private static string NewKey(string role) => $"encore-{role}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16))}";
}

/// <summary>
/// How the server runs, from configuration: the settings file's "Encore" section, then the environment (ENCORE_DB,
/// ENCORE_INGEST_KEY, ENCORE_READ_KEY, ENCORE_ADMIN_KEY, ENCORE_RETRAIN_EVERY, ENCORE_CLOCK), then the command line.
/// </summary>
public sealed record ServerSettings
{
    /// <summary>The SQLite file of the store.</summary>
    public required string Database { get; init; }
    /// <summary>The keys; null: none configured (the caller decides: generate them or refuse to start).</summary>
    public ApiKeySet? Keys { get; init; }
    /// <summary>Retrain the default model on this schedule (null: only when asked).</summary>
    public TimeSpan? RetrainEvery { get; init; }
    public Service.ServiceClock Clock { get; init; } = Service.ServiceClock.Wall;
    /// <summary>The largest request body, in bytes (events batches included).</summary>
    public long MaxBodyBytes { get; init; } = 4 * 1024 * 1024;
    /// <summary>The largest batch of events one request may send.</summary>
    public int MaxEventsPerBatch { get; init; } = 1_000;
    /// <summary>Run as a silo of an Encore cluster over the same PostgreSQL store (null: a single node).</summary>
    public ClusterSettings? Cluster { get; init; }

    /// <summary>Reads the settings; a value that cannot be read is an error naming the setting.</summary>
    /// <exception cref="ArgumentException">A setting has a value that cannot be read, or no database is named.</exception>
    public static ServerSettings From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection("Encore");
        string? Value(string key, string environment) => configuration[environment] is { Length: > 0 } e ? e : section[key] is { Length: > 0 } s ? s : null;
        var database = Value("Database", "ENCORE_DB")
            ?? throw new ArgumentException("no database: set Encore:Database in the settings file, ENCORE_DB, or --db");
        string? ingest = Value("Keys:Ingest", "ENCORE_INGEST_KEY"), read = Value("Keys:Read", "ENCORE_READ_KEY"), admin = Value("Keys:Admin", "ENCORE_ADMIN_KEY");
        ApiKeySet? keys = null;
        int given = (ingest is null ? 0 : 1) + (read is null ? 0 : 1) + (admin is null ? 0 : 1);
        if (given == 3)
        {
            keys = new ApiKeySet(ingest!, read!, admin!);
            foreach (var (name, key) in new[] { ("ingest", ingest!), ("read", read!), ("admin", admin!) })
                if (key.Length < 16) throw new ArgumentException($"the {name} key is {key.Length} characters long; use at least 16");
            if (ingest == read || read == admin || ingest == admin) throw new ArgumentException("the ingest, read and admin keys must differ from each other");
        }
        else if (given > 0) throw new ArgumentException("set all three keys (ENCORE_INGEST_KEY, ENCORE_READ_KEY, ENCORE_ADMIN_KEY) or none");
        TimeSpan? retrain = null;
        if (Value("RetrainEvery", "ENCORE_RETRAIN_EVERY") is { } every)
            retrain = TimeSpan.TryParse(every, CultureInfo.InvariantCulture, out var span) && span > TimeSpan.Zero ? span
                : throw new ArgumentException($"RetrainEvery: '{Core.UnicodeText.Clip(every)}' is not a duration like 01:00:00");
        var clock = Value("Clock", "ENCORE_CLOCK") switch
        {
            null or "wall" => Service.ServiceClock.Wall,
            "events" => Service.ServiceClock.LatestEvent,
            var other => throw new ArgumentException($"Clock: '{Core.UnicodeText.Clip(other)}' is neither wall nor events"),
        };
        long maxBody = Value("MaxBodyBytes", "ENCORE_MAX_BODY_BYTES") is { } b
            ? long.TryParse(b, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1024 and <= 1L << 30 ? n
                : throw new ArgumentException($"MaxBodyBytes: '{Core.UnicodeText.Clip(b)}' is not a byte count in 1024..1073741824")
            : 4 * 1024 * 1024;
        return new ServerSettings { Database = database, Keys = keys, RetrainEvery = retrain, Clock = clock, MaxBodyBytes = maxBody };
    }
}

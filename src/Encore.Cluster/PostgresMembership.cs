using System.Globalization;
using Npgsql;
using Orleans;
using Orleans.Messaging;
using Orleans.Runtime;
using Orleans.Serialization;

namespace Encore.Cluster;

/// <summary>
/// The cluster's membership kept in the Encore database itself (PostgreSQL): which silos are in the cluster, their
/// status and the liveness they report. Orleans' membership protocol reads and writes it with optimistic versions (the
/// table's version and each row's etag), so two silos never overwrite each other's view. The tables are made by
/// <see cref="MigrateAsync"/>, idempotently, under an advisory lock.
/// </summary>
internal static class PostgresMembership
{
    /// <summary>Key of the advisory lock the migration holds ("ENCORECL").</summary>
    private const long MigrationLock = 0x454E434F5245434C;

    private const string Schema = """
        CREATE TABLE IF NOT EXISTS encore_cluster_versions (cluster_id text PRIMARY KEY, version integer NOT NULL);
        CREATE TABLE IF NOT EXISTS encore_cluster_silos (
            cluster_id text NOT NULL, address text NOT NULL, entry bytea NOT NULL, etag integer NOT NULL,
            status integer NOT NULL, gateway text, i_am_alive timestamptz NOT NULL,
            PRIMARY KEY (cluster_id, address));
        """;

    /// <summary>Makes the membership tables where they are missing (any number of processes may call it at once).</summary>
    public static async Task MigrateAsync(NpgsqlDataSource source, CancellationToken ct = default)
    {
        await using var connection = await source.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
        await using (var c = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@k)", connection, tx))
        {
            c.Parameters.AddWithValue("k", MigrationLock);
            await c.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
        await using (var c = new NpgsqlCommand(Schema, connection, tx)) await c.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);
    }
}

/// <summary>Orleans' <see cref="IMembershipTable"/> over the tables of <see cref="PostgresMembership"/>.</summary>
internal sealed class PostgresMembershipTable(EncoreClusterOptions options, Serializer serializer) : IMembershipTable, IDisposable
{
    private readonly NpgsqlDataSource _source = NpgsqlDataSource.Create(options.ConnectionString());
    private readonly string _cluster = options.ClusterId;

    public async Task InitializeMembershipTable(bool tryInitTableVersion)
    {
        await PostgresMembership.MigrateAsync(_source).ConfigureAwait(false);
        if (!tryInitTableVersion) return;
        await using var c = _source.CreateCommand("INSERT INTO encore_cluster_versions (cluster_id, version) VALUES (@c, 0) ON CONFLICT DO NOTHING");
        c.Parameters.AddWithValue("c", _cluster);
        await c.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    public async Task DeleteMembershipTableEntries(string clusterId)
    {
        await using var c = _source.CreateCommand("DELETE FROM encore_cluster_silos WHERE cluster_id = @c; DELETE FROM encore_cluster_versions WHERE cluster_id = @c");
        c.Parameters.AddWithValue("c", clusterId);
        await c.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    public async Task CleanupDefunctSiloEntries(DateTimeOffset beforeDate)
    {
        await using var c = _source.CreateCommand("DELETE FROM encore_cluster_silos WHERE cluster_id = @c AND status = @dead AND i_am_alive < @before");
        c.Parameters.AddWithValue("c", _cluster);
        c.Parameters.AddWithValue("dead", (int)SiloStatus.Dead);
        c.Parameters.AddWithValue("before", beforeDate.UtcDateTime);
        await c.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    public Task<MembershipTableData> ReadRow(SiloAddress key) => ReadAsync(key.ToParsableString());

    public Task<MembershipTableData> ReadAll() => ReadAsync(null);

    private async Task<MembershipTableData> ReadAsync(string? address)
    {
        await using var connection = await _source.OpenConnectionAsync().ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead).ConfigureAwait(false);
        int version = 0;
        await using (var c = new NpgsqlCommand("SELECT version FROM encore_cluster_versions WHERE cluster_id = @c", connection, tx))
        {
            c.Parameters.AddWithValue("c", _cluster);
            if (await c.ExecuteScalarAsync().ConfigureAwait(false) is int v) version = v;
        }
        var rows = new List<Tuple<MembershipEntry, string>>();
        await using (var c = new NpgsqlCommand("SELECT entry, etag, i_am_alive FROM encore_cluster_silos WHERE cluster_id = @c" + (address is null ? "" : " AND address = @a"), connection, tx))
        {
            c.Parameters.AddWithValue("c", _cluster);
            if (address is not null) c.Parameters.AddWithValue("a", address);
            await using var r = await c.ExecuteReaderAsync().ConfigureAwait(false);
            while (await r.ReadAsync().ConfigureAwait(false))
            {
                var entry = serializer.Deserialize<MembershipEntry>(r.GetFieldValue<byte[]>(0))!;
                entry.IAmAliveTime = DateTime.SpecifyKind(r.GetDateTime(2), DateTimeKind.Utc);
                rows.Add(Tuple.Create(entry, r.GetInt32(1).ToString(CultureInfo.InvariantCulture)));
            }
        }
        await tx.CommitAsync().ConfigureAwait(false);
        return new MembershipTableData(rows, new TableVersion(version, version.ToString(CultureInfo.InvariantCulture)));
    }

    public Task<bool> InsertRow(MembershipEntry entry, TableVersion tableVersion) => WriteAsync(entry, null, tableVersion);

    public Task<bool> UpdateRow(MembershipEntry entry, string etag, TableVersion tableVersion) => WriteAsync(entry, etag, tableVersion);

    /// <summary>One conditional write: the table's version moves from the one read to the next, and the row is inserted (etag null) or replaced where its etag is still the one read.</summary>
    private async Task<bool> WriteAsync(MembershipEntry entry, string? etag, TableVersion tableVersion)
    {
        await using var connection = await _source.OpenConnectionAsync().ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync().ConfigureAwait(false);
        await using (var c = new NpgsqlCommand("UPDATE encore_cluster_versions SET version = @next WHERE cluster_id = @c AND version = @read", connection, tx))
        {
            c.Parameters.AddWithValue("c", _cluster);
            c.Parameters.AddWithValue("next", tableVersion.Version);
            c.Parameters.AddWithValue("read", int.Parse(tableVersion.VersionEtag, CultureInfo.InvariantCulture));
            if (await c.ExecuteNonQueryAsync().ConfigureAwait(false) != 1) return false;
        }
        var sql = etag is null
            ? "INSERT INTO encore_cluster_silos (cluster_id, address, entry, etag, status, gateway, i_am_alive) VALUES (@c, @a, @e, 0, @s, @g, @alive) ON CONFLICT DO NOTHING"
            : "UPDATE encore_cluster_silos SET entry = @e, etag = etag + 1, status = @s, gateway = @g, i_am_alive = @alive WHERE cluster_id = @c AND address = @a AND etag = @etag";
        await using (var c = new NpgsqlCommand(sql, connection, tx))
        {
            c.Parameters.AddWithValue("c", _cluster);
            c.Parameters.AddWithValue("a", entry.SiloAddress.ToParsableString());
            c.Parameters.AddWithValue("e", serializer.SerializeToArray(entry));
            c.Parameters.AddWithValue("s", (int)entry.Status);
            c.Parameters.AddWithValue("g", entry.Status == SiloStatus.Active && entry.ProxyPort > 0
                ? SiloAddress.New(entry.SiloAddress.Endpoint.Address, entry.ProxyPort, entry.SiloAddress.Generation).ToGatewayUri().ToString()
                : DBNull.Value);
            c.Parameters.AddWithValue("alive", AliveTime(entry));
            if (etag is not null) c.Parameters.AddWithValue("etag", int.Parse(etag, CultureInfo.InvariantCulture));
            if (await c.ExecuteNonQueryAsync().ConfigureAwait(false) != 1) return false;
        }
        await tx.CommitAsync().ConfigureAwait(false);
        return true;
    }

    private static DateTime AliveTime(MembershipEntry entry)
        => DateTime.SpecifyKind(entry.IAmAliveTime == default ? DateTime.UtcNow : entry.IAmAliveTime.ToUniversalTime(), DateTimeKind.Utc);

    public async Task UpdateIAmAlive(MembershipEntry entry)
    {
        await using var c = _source.CreateCommand("UPDATE encore_cluster_silos SET i_am_alive = @alive WHERE cluster_id = @c AND address = @a");
        c.Parameters.AddWithValue("c", _cluster);
        c.Parameters.AddWithValue("a", entry.SiloAddress.ToParsableString());
        c.Parameters.AddWithValue("alive", AliveTime(entry));
        await c.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    public void Dispose() => _source.Dispose();
}

/// <summary>The gateways a client of the cluster may connect to: the active silos' gateway addresses in the membership tables.</summary>
internal sealed class PostgresGatewayListProvider(EncoreClusterOptions options) : IGatewayListProvider, IDisposable
{
    private readonly NpgsqlDataSource _source = NpgsqlDataSource.Create(options.ConnectionString());

    public TimeSpan MaxStaleness => TimeSpan.FromSeconds(1);

    public bool IsUpdatable => true;

    public Task InitializeGatewayListProvider() => PostgresMembership.MigrateAsync(_source);

    public async Task<IList<Uri>> GetGateways()
    {
        await using var c = _source.CreateCommand("SELECT gateway FROM encore_cluster_silos WHERE cluster_id = @c AND status = @active AND gateway IS NOT NULL");
        c.Parameters.AddWithValue("c", options.ClusterId);
        c.Parameters.AddWithValue("active", (int)SiloStatus.Active);
        var list = new List<Uri>();
        await using var r = await c.ExecuteReaderAsync().ConfigureAwait(false);
        while (await r.ReadAsync().ConfigureAwait(false)) list.Add(new Uri(r.GetString(0)));
        return list;
    }

    public void Dispose() => _source.Dispose();
}

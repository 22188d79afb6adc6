using Encore.Core;
using Encore.Storage.Postgres;
using Encore.TestSupport;
using Npgsql;
using Xunit;

// One throwaway PostgreSQL cluster for every test of the assembly that needs one (started at first use of the fixture).
[assembly: AssemblyFixture(typeof(PostgresCluster))]

namespace Encore.Storage.Tests;

/// <summary>The PostgreSQL store against the shared store contract (each test on a database of its own).</summary>
public sealed class PostgresEventStoreContractTests(PostgresCluster cluster) : EventStoreContract
{
    protected override async Task<IEventStore> CreateStoreAsync()
        => await PostgresEventStore.OpenAsync(cluster.NewDatabaseUrl("contract"), Ct);
}

/// <summary>The same contract with pages of 3 events, so that every read crosses page boundaries (keyset paging, ties across pages).</summary>
public sealed class PostgresEventStoreSmallPageContractTests(PostgresCluster cluster) : EventStoreContract
{
    protected override async Task<IEventStore> CreateStoreAsync()
    {
        var store = await PostgresEventStore.OpenAsync(cluster.NewDatabaseUrl("pages"), Ct);
        store.PageSize = 3;
        return store;
    }
}

/// <summary>What is particular to PostgreSQL: URLs, errors, migrations, partitions, keys under concurrency.</summary>
public sealed class PostgresEventStoreTests(PostgresCluster cluster)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void Urls_parse_into_host_port_database_and_user_and_never_show_the_password()
    {
        var a = PostgresAddress.Parse("postgres://encore:s3cret%21@db.example:6543/events?sslmode=disable");
        Assert.Equal(("db.example", 6543, "events", "encore"), (a.Host, a.Port, a.Database, a.User));
        Assert.Equal("postgres://encore@db.example:6543/events", a.ToString());
        Assert.DoesNotContain("s3cret", a.ToString(), StringComparison.Ordinal);
        var b = PostgresAddress.Parse("postgresql://localhost/encore");
        Assert.Equal((5432, (string?)null), (b.Port, b.User));
        Assert.True(PostgresAddress.IsPostgresUrl("postgres://x/y"));
        Assert.False(PostgresAddress.IsPostgresUrl("/tmp/encore.db"));
        var noDb = Assert.Throws<ArgumentException>(() => PostgresAddress.Parse("postgres://u:hidden@h:5432/"));
        Assert.Contains("names no database", noDb.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hidden", noDb.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => PostgresAddress.Parse("postgres://h:99999/db"));
    }

    [Fact]
    public void ENCORE_DB_may_name_a_postgres_url_whose_models_live_in_a_local_folder_per_server_and_database()
    {
        const string url = "postgres://encore@db.example:6543/prod";
        Assert.Equal(url, EncorePaths.Resolve(name => name == EncorePaths.DatabaseVariable ? url : null, "/home/u"));
        Assert.True(EventStores.IsPostgres(url));
        Assert.Equal("postgres://encore@db.example:6543/prod", EventStores.Describe("postgres://encore:pw@db.example:6543/prod"));
        var (models, model) = EventStores.ModelPaths(url);
        Assert.EndsWith(Path.Combine("encore", "postgres", "db.example-6543-prod", "models"), models, StringComparison.Ordinal);
        Assert.EndsWith(Path.Combine("encore", "postgres", "db.example-6543-prod", "encore.model"), model, StringComparison.Ordinal);
        Assert.Equal(("/data/x.db.models", "/data/x.db.model"), EventStores.ModelPaths("/data/x.db"));
    }

    [Fact]
    public async Task An_unreachable_server_is_named_with_its_host_port_and_cause_without_the_password()
    {
        // A port nobody listens on: bind one, note it, close it.
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var e = await Assert.ThrowsAsync<PostgresUnavailableException>(() => PostgresEventStore.OpenAsync($"postgres://u:topsecret@127.0.0.1:{port}/encore", Ct));
        Assert.Contains($"127.0.0.1:{port}", e.Message, StringComparison.Ordinal);
        Assert.Contains("unreachable", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("topsecret", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_database_is_named_with_how_to_create_it()
    {
        var url = cluster.NewDatabaseUrl("exists");
        var missing = url[..url.LastIndexOf('/')] + "/no_such_db";
        var e = await Assert.ThrowsAsync<PostgresUnavailableException>(() => PostgresEventStore.OpenAsync(missing, Ct));
        Assert.Contains("\"no_such_db\" does not exist", e.Message, StringComparison.Ordinal);
        Assert.Contains("createdb", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_schema_newer_than_the_build_is_refused_and_left_alone()
    {
        var url = cluster.NewDatabaseUrl("newer");
        await (await PostgresEventStore.OpenAsync(url, Ct)).DisposeAsync();
        await ExecuteAsync(url, $"INSERT INTO encore_schema (version) VALUES ({PostgresEventStore.LatestSchemaVersion + 1})");
        var e = await Assert.ThrowsAsync<InvalidDataException>(() => PostgresEventStore.OpenAsync(url, Ct));
        Assert.Contains($"version {PostgresEventStore.LatestSchemaVersion + 1}", e.Message, StringComparison.Ordinal);
        Assert.Contains("newer", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reopening_keeps_everything_and_does_not_migrate_again()
    {
        var url = cluster.NewDatabaseUrl("reopen");
        await using (var store = await PostgresEventStore.OpenAsync(url, Ct))
        {
            await store.UpsertTitlesAsync([StoreSamples.Film, StoreSamples.Series], Ct);
            await store.AppendAsync(StoreSamples.OneOfEachKind(), Ct);
            await store.SetPropertyAsync("active-model", "v7", Ct);
        }
        await using var again = await PostgresEventStore.OpenAsync(url, Ct);
        Assert.Equal(PostgresEventStore.LatestSchemaVersion, again.SchemaVersion);
        Assert.Equal(StoreSamples.OneOfEachKind().Count, (await again.GetStatisticsAsync(Ct)).Events);
        Assert.Equal("v7", await again.GetPropertyAsync("active-model", Ct));
        Assert.Equal((long)PostgresEventStore.LatestSchemaVersion, await ScalarAsync(url, "SELECT count(*) FROM encore_schema")); // one row per version, each applied once
    }

    [Fact]
    public async Task A_database_at_schema_1_gains_the_model_tables_and_keeps_its_events()
    {
        var url = cluster.NewDatabaseUrl("v1");
        await using (var store = await PostgresEventStore.OpenAsync(url, Ct))
        {
            await store.UpsertTitlesAsync([StoreSamples.Film, StoreSamples.Series], Ct);
            await store.AppendAsync(StoreSamples.OneOfEachKind(), Ct);
        }
        // Back to what a build with only migration 1 left.
        await ExecuteAsync(url, "DROP TABLE model_versions; DROP TABLE model_chunks; DROP SEQUENCE model_uploads; DROP INDEX events_by_seq; DELETE FROM encore_schema WHERE version > 1");
        await using var again = await PostgresEventStore.OpenAsync(url, Ct);
        Assert.Equal(StoreSamples.OneOfEachKind().Count, (await again.GetStatisticsAsync(Ct)).Events);
        var models = ModelStores.For(again, "/nonexistent/unused");
        Assert.IsType<PostgresModelStore>(models);
        Assert.Equal(1, models.Add(s => s.WriteByte(42), n => "v" + n).Number);
        Assert.Equal((long)PostgresEventStore.LatestSchemaVersion, await ScalarAsync(url, "SELECT max(version) FROM encore_schema"));
    }

    [Fact]
    public async Task Events_land_in_monthly_partitions_whatever_their_order()
    {
        var url = cluster.NewDatabaseUrl("parts");
        await using var store = await PostgresEventStore.OpenAsync(url, Ct);
        var t = new DateTime(2025, 3, 31, 23, 59, 59, 999, DateTimeKind.Utc);
        await store.AppendAsync([StoreSamples.Event("april", EventKind.PlayStart, at: t.AddMilliseconds(1)), StoreSamples.Event("march", EventKind.PlayStart, at: t)], Ct);
        await store.AppendAsync([StoreSamples.Event("older", EventKind.PlayStart, at: new DateTime(1999, 12, 31, 0, 0, 0, DateTimeKind.Utc))], Ct);
        Assert.Equal(1L, await ScalarAsync(url, "SELECT count(*) FROM events_y2025m03"));
        Assert.Equal(1L, await ScalarAsync(url, "SELECT count(*) FROM events_y2025m04"));
        Assert.Equal(1L, await ScalarAsync(url, "SELECT count(*) FROM events_y1999m12"));
        var read = new List<string>();
        await foreach (var e in store.ReadEventsAsync(EventQuery.All, Ct)) read.Add(e.EventId);
        Assert.Equal(["older", "march", "april"], read);
    }

    [Fact]
    public async Task Two_stores_appending_at_once_keep_member_and_title_keys_dense_and_every_event_once()
    {
        var url = cluster.NewDatabaseUrl("race");
        await using var a = await PostgresEventStore.OpenAsync(url, Ct);
        await using var b = await PostgresEventStore.OpenAsync(url, Ct);
        async Task<int> Write(IEventStore store, string who)
        {
            int stored = 0;
            for (int batch = 0; batch < 20; batch++)
            {
                // Both writers send the same ids (half the time) and new members and titles in every batch.
                var events = Enumerable.Range(0, 50).Select(i => StoreSamples.Event(
                    i % 2 == 0 ? $"shared-{batch}-{i}" : $"{who}-{batch}-{i}", EventKind.PlayStart,
                    member: $"m{batch}-{i % 7}", title: $"t{batch}-{i % 5}", at: StoreSamples.T0.AddMinutes(batch * 50 + i))).ToList();
                stored += (await store.AppendAsync(events, Ct)).Stored;
            }
            return stored;
        }
        var counts = await Task.WhenAll(Task.Run(() => Write(a, "a"), Ct), Task.Run(() => Write(b, "b"), Ct));
        Assert.Equal(20 * 50 * 3 / 2, counts.Sum());
        Assert.Equal(20 * 7, (await a.ReadMemberIdsAsync(Ct)).Count); // dense, or this would throw
        Assert.Equal(20 * 5, (await b.ReadTitleIdsAsync(Ct)).Count);
        Assert.Equal(counts.Sum(), (await a.GetStatisticsAsync(Ct)).Events);
    }

    [Fact]
    public async Task Where_postgres_cannot_start_a_test_reports_itself_skipped_with_the_reason()
    {
        await using var missing = PostgresCluster.StartWith("/nonexistent/postgresql/bin");
        Assert.False(missing.Started);
        Assert.Contains("no initdb in /nonexistent/postgresql/bin", missing.SkipReason, StringComparison.Ordinal);
        Assert.StartsWith("no PostgreSQL server for this test: ", missing.SkipReason, StringComparison.Ordinal);
        // NewDatabaseUrl would now call Assert.Skip(SkipReason): xunit reports such a test skipped, and so would this one.
    }

    private static async Task ExecuteAsync(string url, string sql)
    {
        await using var source = NpgsqlDataSource.Create(PostgresAddress.Parse(url).ConnectionString);
        await using var c = source.CreateCommand(sql);
        await c.ExecuteNonQueryAsync(Ct);
    }

    private static async Task<long> ScalarAsync(string url, string sql)
    {
        await using var source = NpgsqlDataSource.Create(PostgresAddress.Parse(url).ConnectionString);
        await using var c = source.CreateCommand(sql);
        return Convert.ToInt64(await c.ExecuteScalarAsync(Ct), System.Globalization.CultureInfo.InvariantCulture);
    }
}

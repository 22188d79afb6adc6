using Encore.TestSupport;

namespace Encore.Storage.Tests;

/// <summary>The SQLite store against the shared store contract.</summary>
public sealed class SqliteEventStoreContractTests : EventStoreContract, IDisposable
{
    private readonly TempFolder _folder = new();

    protected override async Task<IEventStore> CreateStoreAsync()
        => await SqliteEventStore.OpenAsync(_folder.File("contract.db"), Ct);

    public void Dispose() => _folder.Dispose();
}

/// <summary>
/// The same contract with every batch sealed into a segment as it is appended, so that every read is served by
/// segments (postings, blocks, the id chunks) rather than by the pending batches.
/// </summary>
public sealed class SqliteEventStoreSealedContractTests : EventStoreContract, IDisposable
{
    private readonly TempFolder _folder = new();

    protected override async Task<IEventStore> CreateStoreAsync()
    {
        var store = await SqliteEventStore.OpenAsync(_folder.File("sealed.db"), Ct);
        store.SealThreshold = 1;
        return store;
    }

    public void Dispose() => _folder.Dispose();
}

/// <summary>What is particular to the SQLite file: location, pragmas, migrations, indexes, persistence.</summary>
public sealed class SqliteEventStoreTests : IDisposable
{
    private readonly TempFolder _folder = new();

    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    public void Dispose() => _folder.Dispose();

    [Xunit.Fact]
    public async Task Opening_creates_the_folders_and_a_WAL_database_at_the_latest_schema()
    {
        var path = Path.Combine(_folder.Path, "a", "b", "encore.db");
        await using (var store = await SqliteEventStore.OpenAsync(path, Ct))
        {
            Xunit.Assert.Equal(path, store.Path);
            Xunit.Assert.Equal(SqliteEventStore.LatestSchemaVersion, store.SchemaVersion);
            Xunit.Assert.True(File.Exists(path));
        }
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var c = connection.CreateCommand();
        c.CommandText = "PRAGMA journal_mode";
        Xunit.Assert.Equal("wal", c.ExecuteScalar());
        c.CommandText = "PRAGMA page_size";
        Xunit.Assert.Equal(8192L, c.ExecuteScalar());
        c.CommandText = "SELECT group_concat(version) FROM (SELECT version FROM schema_version ORDER BY version)";
        Xunit.Assert.Equal(string.Join(',', SqliteSchema.Migrations.Select(m => m.Version)), c.ExecuteScalar());
    }

    [Xunit.Fact]
    public async Task Data_persists_across_reopening()
    {
        var path = _folder.File("persist.db");
        await using (var store = await SqliteEventStore.OpenAsync(path, Ct))
        {
            await store.UpsertTitlesAsync([StoreSamples.Film, StoreSamples.Series], Ct);
            await store.AppendAsync(StoreSamples.OneOfEachKind(), Ct);
        }
        await using (var store = await SqliteEventStore.OpenAsync(path, Ct))
        {
            var snapshot = await store.GetCatalogueSnapshotAsync(Ct);
            Xunit.Assert.Equal(3, snapshot.EpisodeCount);
            Xunit.Assert.Equal(StoreSamples.OneOfEachKind().Count, (await store.GetStatisticsAsync(Ct)).Events);
            // The reopened store's caches resolve old ids to their old keys: no duplicate member or title rows.
            await store.AppendAsync([StoreSamples.Event("more", Encore.Core.EventKind.PlayStart)], Ct);
            var stats = await store.GetStatisticsAsync(Ct);
            Xunit.Assert.Equal((1L, 2L), (stats.Members, stats.Titles));
        }
    }

    [Xunit.Fact]
    public async Task Properties_persist_across_reopening()
    {
        var path = _folder.File("properties.db");
        await using (var store = await SqliteEventStore.OpenAsync(path, Ct)) await store.SetPropertyAsync("simulation", "kept", Ct);
        await using (var store = await SqliteEventStore.OpenReadOnlyAsync(path, Ct))
            Xunit.Assert.Equal("kept", await store.GetPropertyAsync("simulation", Ct));
    }

    [Xunit.Fact]
    public async Task A_version_1_file_is_migrated_with_its_data_intact()
    {
        var path = _folder.File("v1.db");
        // Write a file as the first schema version knew it, rows included, with plain SQL.
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            Xunit.Assert.Equal(1, SqliteSchema.Migrate(connection, path, targetVersion: 1));
            using var c = connection.CreateCommand();
            c.CommandText = """
                INSERT INTO members (id) VALUES ('m1');
                INSERT INTO titles (id, name, kind, runtime_seconds, genres) VALUES ('t1', 'Old Film', 0, 5400, '["Drama"]');
                INSERT INTO sessions (id) VALUES ('s1');
                INSERT INTO events (event_id, kind, member_key, title_key, device, ts_ms, session_key, position)
                    VALUES ('old-1', 6, 1, 1, 0, 1700000000000, 1, 1234.5), ('old-2', 2, 1, 1, 0, 1690000000000, 1, 0);
                """;
            c.ExecuteNonQuery();
            c.CommandText = "SELECT count(*) FROM sqlite_master WHERE name = 'events_by_time'";
            Xunit.Assert.Equal(0L, c.ExecuteScalar());
        }
        await using var store = await SqliteEventStore.OpenAsync(path, Ct);
        Xunit.Assert.Equal(SqliteEventStore.LatestSchemaVersion, store.SchemaVersion);
        var events = new List<Encore.Core.ViewingEvent>();
        await foreach (var e in store.ReadEventsAsync(new EventQuery { FromUtc = new DateTime(2023, 1, 1, 0, 0, 0, DateTimeKind.Utc) }, Ct)) events.Add(e);
        Xunit.Assert.Equal(["old-2", "old-1"], events.Select(e => e.EventId));
        Xunit.Assert.Equal(1234.5, events[1].PositionSeconds);
        Xunit.Assert.Equal(["Drama"], (await store.GetTitleAsync("t1", Ct))!.Genres);
        // Migration 5 moved the rows into a segment and dropped the row-per-event table.
        using var check = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False");
        check.Open();
        using var tables = check.CreateCommand();
        tables.CommandText = "SELECT (SELECT count(*) FROM sqlite_master WHERE name = 'events'), (SELECT sum(event_count) FROM segments)";
        using var r = tables.ExecuteReader();
        r.Read();
        Xunit.Assert.Equal((0L, 2L), (r.GetInt64(0), r.GetInt64(1)));
    }

    [Xunit.Fact]
    public async Task Uuids_a_version_4_file_holds_as_text_are_uuids_after_migration()
    {
        var path = _folder.File("v4-text-uuids.db");
        const string uuid = "0f8fad5b-d9cb-469f-a165-70867728950e", both = "6fa459ea-ee8a-4ca4-894e-db77e160355e";
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            Xunit.Assert.Equal(4, SqliteSchema.Migrate(connection, path, targetVersion: 4));
            using var c = connection.CreateCommand();
            // Older Encore wrote UUIDs as text; a later one as 16 bytes: `both` is there in the two forms.
            c.CommandText = """
                INSERT INTO members (id) VALUES ('m1');
                INSERT INTO sessions (id) VALUES ('s1');
                INSERT INTO events (event_id, kind, member_key, device, ts_ms, session_key) VALUES
                    ($uuid, 2, 1, 0, 1700000000000, 1), ($both, 2, 1, 0, 1700000001000, 1), ($bothBytes, 2, 1, 0, 1700000001000, 1);
                """;
            c.Parameters.AddWithValue("$uuid", uuid);
            c.Parameters.AddWithValue("$both", both);
            c.Parameters.AddWithValue("$bothBytes", Guid.Parse(both).ToByteArray(bigEndian: true));
            c.ExecuteNonQuery();
        }
        await using var store = await SqliteEventStore.OpenAsync(path, Ct);
        var ids = new List<string>();
        await foreach (var e in store.ReadEventsAsync(EventQuery.All, Ct)) ids.Add(e.EventId);
        Xunit.Assert.Equal([uuid, both], ids);
        var again = await store.AppendAsync([StoreSamples.Event(uuid, Encore.Core.EventKind.PlayStart), StoreSamples.Event(both, Encore.Core.EventKind.PlayStart)], Ct);
        Xunit.Assert.Equal([0, 1], again.DuplicateIndices);
        Xunit.Assert.Equal(0, again.Stored);
    }

    [Xunit.Fact]
    public async Task A_version_3_file_with_staged_events_is_merged_by_the_migration()
    {
        var path = _folder.File("v3.db");
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            Xunit.Assert.Equal(3, SqliteSchema.Migrate(connection, path, targetVersion: 3));
            using var c = connection.CreateCommand();
            // Version 3 staged events with their member and session ids as text.
            c.CommandText = """
                INSERT INTO members (id) VALUES ('old-member');
                INSERT INTO staged_events (event_id, kind, member_id, device, ts_ms, session_id) VALUES
                    ('s-1', 2, 'old-member', 0, 1700000000000, 'sess'), ('s-2', 2, 'new-member', 1, 1700000001000, 'sess');
                """;
            c.ExecuteNonQuery();
        }
        await using var store = await SqliteEventStore.OpenAsync(path, Ct);
        Xunit.Assert.Equal(SqliteEventStore.LatestSchemaVersion, store.SchemaVersion);
        var events = new List<Encore.Core.ViewingEvent>();
        await foreach (var e in store.ReadEventsAsync(EventQuery.All, Ct)) events.Add(e);
        Xunit.Assert.Equal([("s-1", "old-member", "sess"), ("s-2", "new-member", "sess")], events.Select(e => (e.EventId, e.MemberId, e.SessionId)));
        Xunit.Assert.Equal(["old-member", "new-member"], (await store.ReadMemberIdsAsync(Ct)).Ids);
    }

    [Xunit.Fact]
    public async Task A_file_from_a_newer_Encore_is_refused()
    {
        var path = _folder.File("future.db");
        await using (await SqliteEventStore.OpenAsync(path, Ct)) { }
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            using var c = connection.CreateCommand();
            c.CommandText = "INSERT INTO schema_version (version, description, applied_utc) VALUES (999, 'future', '2030-01-01')";
            c.ExecuteNonQuery();
        }
        var error = await Xunit.Assert.ThrowsAsync<InvalidDataException>(() => SqliteEventStore.OpenAsync(path, Ct));
        Xunit.Assert.Contains("999", error.Message, StringComparison.Ordinal);
    }

    [Xunit.Fact]
    public async Task A_file_that_is_not_a_database_is_refused_with_its_path()
    {
        var path = _folder.File("garbage.db");
        await File.WriteAllTextAsync(path, new string('x', 8192), Ct);
        var error = await Xunit.Assert.ThrowsAsync<InvalidDataException>(() => SqliteEventStore.OpenAsync(path, Ct));
        Xunit.Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Xunit.Theory]
    [Xunit.InlineData("member", 1)]
    [Xunit.InlineData("title", 1)]
    [Xunit.InlineData("time", 1)]
    [Xunit.InlineData("all", 3)]
    public async Task Reads_decode_only_the_segment_blocks_that_may_hold_matches(string filter, int blocks)
    {
        // One segment of three blocks; member i, title i and day i fill block i alone.
        await using var store = await SqliteEventStore.OpenAsync(_folder.File("blocks.db"), Ct);
        var titles = Enumerable.Range(0, 3).Select(i => StoreSamples.Film with { Id = $"film-{i}" }).ToList();
        await store.UpsertTitlesAsync(titles, Ct);
        var events = new List<Encore.Core.ViewingEvent>();
        for (int i = 0; i < 3 * SegmentWriter.BlockRows; i++)
        {
            int part = i / SegmentWriter.BlockRows;
            events.Add(StoreSamples.Event($"e{i}", Encore.Core.EventKind.PlayStart, member: $"m{part}", title: $"film-{part}") with
            {
                TimestampUtc = StoreSamples.T0.AddDays(part).AddSeconds(i % SegmentWriter.BlockRows),
            });
        }
        await store.AppendAsync(events, Ct);
        await store.FlushAsync(Ct);
        var query = filter switch
        {
            "member" => new EventQuery { MemberId = "m1" },
            "title" => new EventQuery { TitleId = "film-1" },
            "time" => new EventQuery { FromUtc = StoreSamples.T0.AddDays(1), ToUtc = StoreSamples.T0.AddDays(2) },
            _ => EventQuery.All,
        };
        long before = store.BlocksDecoded;
        var read = new List<Encore.Core.ViewingEvent>();
        await foreach (var e in store.ReadEventsAsync(query, Ct)) read.Add(e);
        Xunit.Assert.Equal(blocks, store.BlocksDecoded - before);
        Xunit.Assert.Equal(filter == "all" ? events.Count : SegmentWriter.BlockRows, read.Count);
        Xunit.Assert.Equal(read.OrderBy(e => e.TimestampUtc).Select(e => e.EventId), read.Select(e => e.EventId));
    }

    [Xunit.Fact]
    public void The_default_database_follows_ENCORE_DB_then_XDG_DATA_HOME_then_the_home_folder()
    {
        Xunit.Assert.Equal("/data/x.db", EncorePaths.Resolve(v => v == "ENCORE_DB" ? "/data/x.db" : "/xdg", "/home/u"));
        Xunit.Assert.Equal("/xdg/encore/encore.db", EncorePaths.Resolve(v => v == "XDG_DATA_HOME" ? "/xdg" : null, "/home/u"));
        Xunit.Assert.Equal("/home/u/.local/share/encore/encore.db", EncorePaths.Resolve(_ => null, "/home/u"));
        Xunit.Assert.Equal("/home/u/.local/share/encore/encore.db", EncorePaths.Resolve(v => v == "XDG_DATA_HOME" ? "relative" : null, "/home/u"));
        Xunit.Assert.EndsWith(Path.Combine("encore", "encore.db"), EncorePaths.DefaultDatabase, StringComparison.Ordinal);
    }
}

using Encore.Core;
using Encore.TestSupport;
using Microsoft.Data.Sqlite;
using Xunit;

namespace Encore.Storage.Tests;

/// <summary>
/// Reads never write, so a database the user may only read (a read-only file in a read-only folder) opens with
/// <see cref="SqliteEventStore.OpenReadOnlyAsync"/> and reads everything, members that appends staged included.
/// </summary>
public sealed class ReadOnlyStoreTests : IDisposable
{
    private readonly TempFolder _folder = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _folder.Dispose();

    /// <summary>A file with one upserted member and one that an append registered (still staged, not sealed).</summary>
    private async Task<string> FileWithStagedMemberAsync(string name)
    {
        var folder = _folder.File(name);
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, "encore.db");
        await using var store = await SqliteEventStore.OpenAsync(path, Ct);
        await store.UpsertTitlesAsync([StoreSamples.Film, StoreSamples.Series], Ct);
        await store.UpsertMembersAsync([new Member { Id = "m1", Country = "NZ" }], Ct);
        await store.AppendAsync([
            StoreSamples.Event("e1", EventKind.PlayStart),
            StoreSamples.Event("e2", EventKind.PlayStart, member: "m2"),
            StoreSamples.Event("e3", EventKind.Completion, member: "m2"),
        ], Ct);
        return path;
    }

    [Fact]
    public async Task Reads_of_members_do_not_write_to_the_file()
    {
        var path = await FileWithStagedMemberAsync("writable");
        await using var store = await SqliteEventStore.OpenAsync(path, Ct);
        using var observer = new SqliteConnection($"Data Source={path};Pooling=False");
        observer.Open();
        long before = DataVersion(observer);

        Assert.Equal(2, (await store.GetStatisticsAsync(Ct)).Members);
        Assert.NotNull(await store.GetMemberAsync("m2", Ct));
        Assert.Equal(2, (await store.ReadMemberIdsAsync(Ct)).Count);
        Assert.Equal(2, await store.ReadMembersAsync(Ct).CountAsync(Ct));

        // Another connection's data_version changes with every commit made by someone else.
        Assert.Equal(before, DataVersion(observer));
    }

    [Fact]
    public async Task A_read_only_file_in_a_read_only_folder_reads_everything()
    {
        var path = await FileWithStagedMemberAsync("locked");
        using var locked = ReadOnlyPaths.Make(path, Path.GetDirectoryName(path)!);
        var bytes = await File.ReadAllBytesAsync(path, Ct);

        await using (var store = await SqliteEventStore.OpenReadOnlyAsync(path, Ct))
        {
            Assert.True(store.IsReadOnly);
            var stats = await store.GetStatisticsAsync(Ct);
            Assert.Equal((2L, 2L, 3L), (stats.Members, stats.Titles, stats.Events));
            var members = await store.ReadMembersAsync(Ct).ToListAsync(Ct);
            Assert.Equal(["m1", "m2"], members.Select(m => m.Id));
            Assert.Equal("NZ", members[0].Country);
            Assert.Equal(["m1", "m2"], (await store.ReadMemberIdsAsync(Ct)).Ids);
            Assert.Equal(["e2", "e3"], await store.ReadEventsAsync(new EventQuery { MemberId = "m2" }, Ct).Select(e => e.EventId).ToListAsync(Ct));
            Assert.Equal(3, await store.ReadInteractionsAsync(EventQuery.All, Ct).CountAsync(Ct));
            Assert.NotNull(await store.GetTitleAsync("film-1", Ct));
        }
        Assert.Equal(bytes, await File.ReadAllBytesAsync(path, Ct));
    }

    [Fact]
    public async Task Opening_a_read_only_file_to_write_says_so_at_once()
    {
        var path = await FileWithStagedMemberAsync("no-write");
        using var locked = ReadOnlyPaths.Make(path);

        var e = await Assert.ThrowsAsync<UnauthorizedAccessException>(() => SqliteEventStore.OpenAsync(path, Ct));
        Assert.Contains(path, e.Message);
        Assert.Contains("cannot be written", e.Message);
    }

    [Fact]
    public async Task Writes_through_a_read_only_store_are_refused_with_the_file_named()
    {
        var path = await FileWithStagedMemberAsync("refuse");
        await using var store = await SqliteEventStore.OpenReadOnlyAsync(path, Ct);

        var append = await Assert.ThrowsAsync<InvalidOperationException>(() => store.AppendAsync([StoreSamples.Event("e9", EventKind.PlayStart)], Ct));
        Assert.Contains(path, append.Message);
        Assert.Contains("read-only", append.Message);
        await Assert.ThrowsAsync<InvalidOperationException>(() => store.UpsertTitlesAsync([StoreSamples.Bare("t9")], Ct));
        await Assert.ThrowsAsync<InvalidOperationException>(() => store.UpsertMembersAsync([new Member { Id = "m9" }], Ct));
        await Assert.ThrowsAsync<InvalidOperationException>(() => store.FlushAsync(Ct));
        await Assert.ThrowsAsync<InvalidOperationException>(() => store.SetPropertyAsync("simulation", "{}", Ct));
        Assert.Null(await store.GetPropertyAsync("simulation", Ct));
        Assert.Equal(3, (await store.GetStatisticsAsync(Ct)).Events);
    }

    [Fact]
    public async Task A_file_that_would_need_a_migration_or_is_missing_is_refused_read_only()
    {
        var old = _folder.File("v4.db");
        using (var connection = new SqliteConnection($"Data Source={old};Pooling=False"))
        {
            connection.Open();
            Assert.Equal(4, SqliteSchema.Migrate(connection, old, targetVersion: 4));
        }

        var stale = await Assert.ThrowsAsync<InvalidDataException>(() => SqliteEventStore.OpenReadOnlyAsync(old, Ct));
        Assert.Contains("schema version 4 is older", stale.Message);
        var missing = await Assert.ThrowsAsync<FileNotFoundException>(() => SqliteEventStore.OpenReadOnlyAsync(_folder.File("none.db"), Ct));
        Assert.Contains("none.db", missing.Message);
        Assert.False(File.Exists(_folder.File("none.db")));
    }

    private static long DataVersion(SqliteConnection connection)
    {
        using var c = connection.CreateCommand();
        c.CommandText = "PRAGMA data_version";
        return (long)c.ExecuteScalar()!;
    }
}

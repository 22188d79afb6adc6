using Encore.Storage.Models;
using Encore.Storage.Postgres;
using Encore.TestSupport;
using Xunit;

namespace Encore.Storage.Tests;

/// <summary>
/// What every <see cref="IModelStore"/> must do, run against each implementation: payloads come back byte for byte
/// (across chunk boundaries), numbers start at 1 and never repeat under concurrent registrations from separate store
/// objects on the same place (two nodes), a payload whose writer fails leaves nothing visible.
/// </summary>
public abstract class ModelStoreContract
{
    /// <summary>The cancellation token of the running test.</summary>
    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A store on a fresh place; <see cref="OpenAgain"/> opens a second store object on the same place.</summary>
    protected abstract Task<IModelStore> CreateStoreAsync();

    /// <summary>Another store object over the same place as <paramref name="store"/> (another node).</summary>
    protected abstract Task<IModelStore> OpenAgain(IModelStore store);

    private static byte[] Payload(int bytes, int seed)
    {
        var data = new byte[bytes];
        new Random(seed).NextBytes(data);
        return data;
    }

    private static byte[] ReadAll(IModelStore store, int number)
    {
        using var stream = store.OpenRead(number);
        using var copy = new MemoryStream();
        // Odd-sized reads, so that reads straddle the store's chunks.
        var buffer = new byte[70_001];
        int n;
        while ((n = stream.Read(buffer, 0, buffer.Length)) > 0) copy.Write(buffer, 0, n);
        return copy.ToArray();
    }

    [Fact]
    public async Task A_deleted_version_is_gone_for_every_node_and_its_number_is_never_given_again()
    {
        var store = await CreateStoreAsync();
        var other = await OpenAgain(store);
        var first = store.Add(s => s.Write(Payload(PostgresModelStore.ChunkBytes + 5, 3)), n => "first " + n);
        var second = store.Add(s => s.Write(Payload(1_000, 4)), n => "second " + n);
        var third = store.Add(s => s.Write(Payload(10, 5)), n => "third " + n);
        // A read already going on finishes.
        using var reading = store.OpenRead(third.Number);
        Assert.True(other.Delete(third.Number));
        Assert.True(store.Delete(first.Number));
        Assert.Equal(Payload(10, 5), ReadToEnd(reading));
        Assert.Equal([second], store.List());
        Assert.Equal([second], other.List());
        Assert.Throws<KeyNotFoundException>(() => other.OpenRead(first.Number));
        Assert.Throws<KeyNotFoundException>(() => store.OpenRead(third.Number));
        Assert.False(store.Delete(third.Number));
        Assert.False(store.Delete(99));
        // The highest number was deleted: the next version still takes a new one.
        var fourth = other.Add(s => s.WriteByte(7), n => "fourth " + n);
        Assert.Equal(third.Number + 1, fourth.Number);
        Assert.Equal([7], ReadAll(store, fourth.Number));
        Assert.Equal([second, fourth], (await OpenAgain(store)).List());
    }

    private static byte[] ReadToEnd(Stream stream)
    {
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    [Fact]
    public async Task A_payload_larger_than_a_chunk_comes_back_byte_for_byte_with_its_description()
    {
        var store = await CreateStoreAsync();
        Assert.Empty(store.List());
        var payload = Payload(PostgresModelStore.ChunkBytes * 2 + 12_345, 1);
        // Written in uneven pieces, as a BinaryWriter would.
        var added = store.Add(s =>
        {
            for (int at = 0; at < payload.Length; at += 33_333) s.Write(payload, at, Math.Min(33_333, payload.Length - at));
        }, n => "{\"v\":" + n + "}");
        Assert.Equal(new StoredModel(1, "{\"v\":1}"), added);
        Assert.Equal(payload, ReadAll(store, 1));
        Assert.Equal([added], store.List());
        var empty = store.Add(_ => { }, n => "empty " + n);
        Assert.Equal(2, empty.Number);
        Assert.Empty(ReadAll(store, 2));
    }

    [Fact]
    public async Task Versions_registered_by_one_node_are_seen_and_read_by_another()
    {
        var a = await CreateStoreAsync();
        var b = await OpenAgain(a);
        var payload = Payload(300_000, 2);
        a.Add(s => s.Write(payload), n => "from a " + n);
        var seen = Assert.Single(b.List());
        Assert.Equal("from a 1", seen.Description);
        Assert.Equal(payload, ReadAll(b, 1));
        Assert.Equal(2, b.Add(s => s.Write(payload), n => "from b " + n).Number);
        Assert.Equal([1, 2], a.List().Select(v => v.Number));
    }

    [Fact]
    public async Task Concurrent_registrations_from_two_nodes_get_distinct_numbers_and_keep_their_own_payloads()
    {
        var a = await CreateStoreAsync();
        var b = await OpenAgain(a);
        const int each = 6;
        var tasks = Enumerable.Range(0, 2 * each).Select(i => Task.Run(() =>
        {
            var payload = Payload(50_000 + i * 1000, 100 + i);
            var stored = (i % 2 == 0 ? a : b).Add(s => s.Write(payload), n => "writer " + i);
            return (stored.Number, Writer: i, Payload: payload);
        }, Ct)).ToArray();
        var results = await Task.WhenAll(tasks);
        Assert.Equal(Enumerable.Range(1, 2 * each), results.Select(r => r.Number).Order());
        var listed = a.List();
        Assert.Equal(Enumerable.Range(1, 2 * each), listed.Select(v => v.Number));
        foreach (var r in results)
        {
            Assert.Equal("writer " + r.Writer, listed[r.Number - 1].Description);
            Assert.Equal(r.Payload, ReadAll(b, r.Number));
        }
    }

    [Fact]
    public async Task A_registration_whose_writer_fails_halfway_leaves_nothing_visible()
    {
        var store = await CreateStoreAsync();
        var described = false;
        var e = Assert.Throws<IOException>(() => store.Add(s =>
        {
            s.Write(Payload(PostgresModelStore.ChunkBytes + 5, 3));
            throw new IOException("disk gone halfway");
        }, n => { described = true; return "never"; }));
        Assert.Equal("disk gone halfway", e.Message);
        Assert.False(described);
        Assert.Empty(store.List());
        Assert.Throws<KeyNotFoundException>(() => store.OpenRead(1));
        var payload = Payload(10, 4);
        Assert.Equal(1, store.Add(s => s.Write(payload), _ => "whole").Number);
        Assert.Equal(payload, ReadAll(store, 1));
    }

    [Fact]
    public async Task An_unknown_version_is_refused_with_the_store_and_number()
    {
        var store = await CreateStoreAsync();
        var e = Assert.Throws<KeyNotFoundException>(() => store.OpenRead(7));
        Assert.Contains("7", e.Message, StringComparison.Ordinal);
    }
}

/// <summary>The folder store against the contract (two store objects on one folder stand for two nodes).</summary>
public sealed class FileModelStoreContractTests : ModelStoreContract, IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "encore-models-" + Guid.NewGuid().ToString("N")[..12]);

    protected override Task<IModelStore> CreateStoreAsync() => Task.FromResult<IModelStore>(new FileModelStore(_folder));

    protected override Task<IModelStore> OpenAgain(IModelStore store) => Task.FromResult<IModelStore>(new FileModelStore(store.Location));

    [Fact]
    public void A_model_file_without_its_description_is_not_listed_and_its_number_is_not_reused()
    {
        var store = new FileModelStore(_folder);
        File.WriteAllBytes(Path.Combine(_folder, "v0001.model"), [1, 2, 3]);
        Assert.Empty(store.List());
        Assert.Equal(2, store.Add(s => s.WriteByte(9), _ => "{}").Number);
    }

    [Fact]
    public void Leftovers_of_writes_cut_off_by_a_crash_are_removed_when_abandoned_and_kept_while_fresh()
    {
        var kept = new FileModelStore(_folder).Add(s => s.WriteByte(1), _ => "{\"kept\":true}");
        string Stale(string name)
        {
            var path = Path.Combine(_folder, name);
            File.WriteAllBytes(path, [1, 2, 3]);
            File.SetLastWriteTimeUtc(path, DateTime.UtcNow - FileModelStore.AbandonedAfter - TimeSpan.FromMinutes(1));
            return path;
        }
        var upload = Stale(".upload-0123456789abcdef.tmp");
        var orphan = Stale("v0002.model");
        var description = Stale("v0003.json.tmp");
        var fresh = Path.Combine(_folder, ".upload-fedcba9876543210.tmp");
        File.WriteAllBytes(fresh, [4]);
        var store = new FileModelStore(_folder);
        Assert.False(File.Exists(upload));
        Assert.False(File.Exists(orphan));
        Assert.False(File.Exists(description));
        Assert.True(File.Exists(fresh), "a write still going on in another process keeps its file");
        var listed = Assert.Single(store.List());
        Assert.Equal(kept.Number, listed.Number);
        Assert.Equal("{\"kept\":true}", listed.Description);
        // An old version with its description is never a leftover, however old.
        File.SetLastWriteTimeUtc(Path.Combine(_folder, FileModelStore.Name(kept.Number) + ".model"), DateTime.UtcNow.AddDays(-30));
        Assert.Single(new FileModelStore(_folder).List());
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }
}

/// <summary>The PostgreSQL store against the contract (each test on a database of its own; two stores on one database are two nodes).</summary>
public sealed class PostgresModelStoreContractTests(PostgresCluster cluster) : ModelStoreContract
{
    private string? _url;

    protected override async Task<IModelStore> CreateStoreAsync()
    {
        _url = cluster.NewDatabaseUrl("models");
        return await PostgresModelStore.OpenAsync(_url, Ct);
    }

    protected override async Task<IModelStore> OpenAgain(IModelStore store)
        => await ModelStores.OpenAsync(_url!, Ct);
}

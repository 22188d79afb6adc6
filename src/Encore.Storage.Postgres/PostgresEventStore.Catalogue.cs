using System.Runtime.CompilerServices;
using System.Text.Json;
using Encore.Core;
using Npgsql;
using NpgsqlTypes;

namespace Encore.Storage.Postgres;

// Titles, episodes and members: set-based upserts (binary COPY into staging, then UPDATE and INSERT with the next dense
// keys under the key lock), tombstones, point and streaming reads, the catalogue snapshot (rebuilt only when the
// `catalogue` counter moved).
public sealed partial class PostgresEventStore
{
    private const string TitleColumns = "title_key, id, name, kind, runtime_seconds, maturity_rating, language, release_date, available_from_ms, available_until_ms, genres, cast_members, directors";
    private const string MemberColumns = "member_key, id, joined_ms, country, attributes, maturity_limit";

    private CatalogueSnapshot? _snapshot;
    private long _snapshotVersion = -1;
    private readonly SemaphoreSlim _snapshotLock = new(1, 1);

    /// <inheritdoc />
    public async Task UpsertTitlesAsync(IEnumerable<Title> titles, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(titles);
        // Last one wins for an id given twice; its key goes by where the id first appeared.
        var byId = new Dictionary<string, (int Ord, Title Title)>(StringComparer.Ordinal);
        foreach (var title in titles)
        {
            CheckTitle(title);
            byId[title.Id] = byId.TryGetValue(title.Id, out var seen) ? (seen.Ord, title) : (byId.Count, title);
        }
        if (byId.Count == 0) return;
        var ordered = byId.Values.OrderBy(v => v.Ord).ToList();
        await WriteAsync(async (connection, tx) =>
        {
            await using (var copy = await connection.BeginBinaryImportAsync(
                "COPY encore_title_staging (ord, id, name, kind, runtime_seconds, maturity_rating, language, release_date, available_from_ms, available_until_ms, genres, cast_members, directors) FROM STDIN (FORMAT BINARY)", ct).ConfigureAwait(false))
            {
                foreach (var (ord, t) in ordered)
                {
                    await copy.StartRowAsync(ct).ConfigureAwait(false);
                    await copy.WriteAsync(ord, NpgsqlDbType.Integer, ct).ConfigureAwait(false);
                    await copy.WriteAsync(t.Id, NpgsqlDbType.Text, ct).ConfigureAwait(false);
                    await copy.WriteAsync(t.Name, NpgsqlDbType.Text, ct).ConfigureAwait(false);
                    await copy.WriteAsync((short)t.Kind, NpgsqlDbType.Smallint, ct).ConfigureAwait(false);
                    await copy.WriteAsync(t.RuntimeSeconds, NpgsqlDbType.Integer, ct).ConfigureAwait(false);
                    await WriteNullable(copy, t.MaturityRating, NpgsqlDbType.Text, ct).ConfigureAwait(false);
                    await WriteNullable(copy, t.Language, NpgsqlDbType.Text, ct).ConfigureAwait(false);
                    if (t.ReleaseDate is { } d) await copy.WriteAsync(d, NpgsqlDbType.Date, ct).ConfigureAwait(false);
                    else await copy.WriteNullAsync(ct).ConfigureAwait(false);
                    await WriteNullable<long>(copy, t.AvailableFromUtc is { } f ? ToUnixMs(f) : null, NpgsqlDbType.Bigint, ct).ConfigureAwait(false);
                    await WriteNullable<long>(copy, t.AvailableUntilUtc is { } u ? ToUnixMs(u) : null, NpgsqlDbType.Bigint, ct).ConfigureAwait(false);
                    await copy.WriteAsync(t.Genres.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text, ct).ConfigureAwait(false);
                    await copy.WriteAsync(t.Cast.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text, ct).ConfigureAwait(false);
                    await copy.WriteAsync(t.Directors.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text, ct).ConfigureAwait(false);
                }
                await copy.CompleteAsync(ct).ConfigureAwait(false);
            }
            var episodes = new Dictionary<string, (int Ord, string TitleId, Episode Episode)>(StringComparer.Ordinal);
            foreach (var (_, t) in ordered)
            {
                foreach (var e in t.Episodes)
                    episodes[e.Id] = episodes.TryGetValue(e.Id, out var seen) ? (seen.Ord, t.Id, e) : (episodes.Count, t.Id, e);
            }
            if (episodes.Count > 0)
            {
                await using var copy = await connection.BeginBinaryImportAsync(
                    "COPY encore_episode_staging (ord, title_id, id, season, number, name, runtime_seconds) FROM STDIN (FORMAT BINARY)", ct).ConfigureAwait(false);
                foreach (var (ord, titleId, e) in episodes.Values)
                {
                    await copy.StartRowAsync(ct).ConfigureAwait(false);
                    await copy.WriteAsync(ord, NpgsqlDbType.Integer, ct).ConfigureAwait(false);
                    await copy.WriteAsync(titleId, NpgsqlDbType.Text, ct).ConfigureAwait(false);
                    await copy.WriteAsync(e.Id, NpgsqlDbType.Text, ct).ConfigureAwait(false);
                    await copy.WriteAsync(e.SeasonNumber, NpgsqlDbType.Integer, ct).ConfigureAwait(false);
                    await copy.WriteAsync(e.EpisodeNumber, NpgsqlDbType.Integer, ct).ConfigureAwait(false);
                    await copy.WriteAsync(e.Name ?? "", NpgsqlDbType.Text, ct).ConfigureAwait(false);
                    await copy.WriteAsync(e.RuntimeSeconds, NpgsqlDbType.Integer, ct).ConfigureAwait(false);
                }
                await copy.CompleteAsync(ct).ConfigureAwait(false);
            }
            await LockKeysAsync(connection, tx, ct).ConfigureAwait(false);
            await using var c = new NpgsqlCommand($"""
                UPDATE titles t SET name = s.name, kind = s.kind, runtime_seconds = s.runtime_seconds, maturity_rating = s.maturity_rating,
                    language = s.language, release_date = s.release_date, available_from_ms = s.available_from_ms,
                    available_until_ms = s.available_until_ms, genres = s.genres, cast_members = s.cast_members, directors = s.directors,
                    removed_ms = NULL
                FROM encore_title_staging s WHERE t.id = s.id;
                INSERT INTO titles (title_key, {TitleColumns[11..]})
                SELECT (SELECT coalesce(max(title_key), 0) FROM titles) + row_number() OVER (ORDER BY s.ord), s.id, s.name, s.kind, s.runtime_seconds,
                    s.maturity_rating, s.language, s.release_date, s.available_from_ms, s.available_until_ms, s.genres, s.cast_members, s.directors
                FROM encore_title_staging s WHERE NOT EXISTS (SELECT 1 FROM titles t WHERE t.id = s.id);
                UPDATE episodes e SET title_key = t.title_key, season = s.season, number = s.number, name = s.name, runtime_seconds = s.runtime_seconds
                FROM encore_episode_staging s JOIN titles t ON t.id = s.title_id WHERE e.id = s.id;
                INSERT INTO episodes (episode_key, id, title_key, season, number, name, runtime_seconds)
                SELECT (SELECT coalesce(max(episode_key), 0) FROM episodes) + row_number() OVER (ORDER BY s.ord), s.id, t.title_key, s.season, s.number, s.name, s.runtime_seconds
                FROM encore_episode_staging s JOIN titles t ON t.id = s.title_id WHERE NOT EXISTS (SELECT 1 FROM episodes e WHERE e.id = s.id);
                {BumpCatalogue};
                """, connection, tx);
            return await c.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }, ct).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task UpsertMembersAsync(IEnumerable<Member> members, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(members);
        var byId = new Dictionary<string, (int Ord, Member Member)>(StringComparer.Ordinal);
        foreach (var member in members)
        {
            ArgumentNullException.ThrowIfNull(member);
            if (string.IsNullOrWhiteSpace(member.Id)) throw new ArgumentException("a member's Id must not be blank", nameof(members));
            CheckText(member.Id, "a member's Id");
            byId[member.Id] = byId.TryGetValue(member.Id, out var seen) ? (seen.Ord, member) : (byId.Count, member);
        }
        if (byId.Count == 0) return;
        await WriteAsync(async (connection, tx) =>
        {
            await using (var copy = await connection.BeginBinaryImportAsync(
                "COPY encore_member_staging (ord, id, joined_ms, country, attributes, maturity_limit) FROM STDIN (FORMAT BINARY)", ct).ConfigureAwait(false))
            {
                foreach (var (ord, m) in byId.Values.OrderBy(v => v.Ord))
                {
                    await copy.StartRowAsync(ct).ConfigureAwait(false);
                    await copy.WriteAsync(ord, NpgsqlDbType.Integer, ct).ConfigureAwait(false);
                    await copy.WriteAsync(m.Id, NpgsqlDbType.Text, ct).ConfigureAwait(false);
                    await WriteNullable<long>(copy, m.JoinedUtc is { } j ? ToUnixMs(j) : null, NpgsqlDbType.Bigint, ct).ConfigureAwait(false);
                    await WriteNullable(copy, m.Country, NpgsqlDbType.Text, ct).ConfigureAwait(false);
                    await copy.WriteAsync(JsonSerializer.Serialize(m.Attributes), NpgsqlDbType.Text, ct).ConfigureAwait(false);
                    await WriteNullable(copy, m.MaturityLimit, NpgsqlDbType.Text, ct).ConfigureAwait(false);
                }
                await copy.CompleteAsync(ct).ConfigureAwait(false);
            }
            await LockKeysAsync(connection, tx, ct).ConfigureAwait(false);
            await using var c = new NpgsqlCommand($"""
                {BumpCatalogue} AND EXISTS (SELECT 1 FROM members m JOIN encore_member_staging s ON s.id = m.id WHERE m.removed_ms IS NOT NULL);
                UPDATE members m SET joined_ms = s.joined_ms, country = s.country, attributes = s.attributes, maturity_limit = s.maturity_limit, removed_ms = NULL
                FROM encore_member_staging s WHERE m.id = s.id;
                INSERT INTO members (member_key, id, joined_ms, country, attributes, maturity_limit)
                SELECT (SELECT coalesce(max(member_key), 0) FROM members) + row_number() OVER (ORDER BY s.ord), s.id, s.joined_ms, s.country, s.attributes, s.maturity_limit
                FROM encore_member_staging s WHERE NOT EXISTS (SELECT 1 FROM members m WHERE m.id = s.id);
                """, connection, tx);
            return await c.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }, ct).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task<bool> RemoveTitleAsync(string titleId, CancellationToken ct = default) => RemoveAsync("titles", titleId, ct);

    /// <inheritdoc />
    public Task<bool> RemoveMemberAsync(string memberId, CancellationToken ct = default) => RemoveAsync("members", memberId, ct);

    private Task<bool> RemoveAsync(string table, string id, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(id);
        return WriteAsync(async (connection, tx) =>
        {
            await using var c = new NpgsqlCommand($"""
                WITH removed AS (UPDATE {table} SET removed_ms = @now WHERE id = @id AND removed_ms IS NULL RETURNING 1)
                {BumpCatalogue} AND EXISTS (SELECT 1 FROM removed) RETURNING 1
                """, connection, tx);
            c.Parameters.AddWithValue("now", ToUnixMs(DateTime.UtcNow));
            c.Parameters.AddWithValue("id", id);
            return await c.ExecuteScalarAsync(ct).ConfigureAwait(false) is not null;
        }, ct);
    }

    /// <inheritdoc />
    public async Task<Title?> GetTitleAsync(string titleId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(titleId);
        await using var connection = await OpenAsync(ct).ConfigureAwait(false);
        Title title;
        int key;
        await using (var c = new NpgsqlCommand($"SELECT {TitleColumns} FROM titles WHERE id = @id AND removed_ms IS NULL", connection))
        {
            c.Parameters.AddWithValue("id", titleId);
            await using var r = await c.ExecuteReaderAsync(ct).ConfigureAwait(false);
            if (!await r.ReadAsync(ct).ConfigureAwait(false)) return null;
            (title, key) = ReadTitleRow(r);
        }
        var episodes = await ReadEpisodesAsync(connection, [key], ct).ConfigureAwait(false);
        return episodes.TryGetValue(key, out var own) ? title with { Seasons = Season.Group(own) } : title;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<Title> ReadTitlesAsync([EnumeratorCancellation] CancellationToken ct = default)
    {
        // Pages of titles by key, each with its episodes: a big catalogue costs a few short queries, not one per title.
        int after = 0;
        const int Page = 2_000;
        while (true)
        {
            var page = new List<(Title Title, int Key)>(Page);
            Dictionary<int, List<Episode>> episodes;
            await using (var connection = await OpenAsync(ct).ConfigureAwait(false))
            {
                await using (var c = new NpgsqlCommand($"SELECT {TitleColumns} FROM titles WHERE title_key > @after AND removed_ms IS NULL ORDER BY title_key LIMIT {Page}", connection))
                {
                    c.Parameters.AddWithValue("after", after);
                    await using var r = await c.ExecuteReaderAsync(ct).ConfigureAwait(false);
                    while (await r.ReadAsync(ct).ConfigureAwait(false)) page.Add(ReadTitleRow(r));
                }
                if (page.Count == 0) yield break;
                episodes = await ReadEpisodesAsync(connection, page.Select(p => p.Key).ToArray(), ct).ConfigureAwait(false);
            }
            foreach (var (title, key) in page)
                yield return episodes.TryGetValue(key, out var own) ? title with { Seasons = Season.Group(own) } : title;
            if (page.Count < Page) yield break;
            after = page[^1].Key;
        }
    }

    private static async Task<Dictionary<int, List<Episode>>> ReadEpisodesAsync(NpgsqlConnection connection, int[] titleKeys, CancellationToken ct)
    {
        await using var c = new NpgsqlCommand(
            "SELECT title_key, id, season, number, name, runtime_seconds FROM episodes WHERE title_key = ANY(@keys) ORDER BY title_key, season, number, episode_key", connection);
        c.Parameters.AddWithValue("keys", titleKeys);
        await using var r = await c.ExecuteReaderAsync(ct).ConfigureAwait(false);
        var result = new Dictionary<int, List<Episode>>();
        while (await r.ReadAsync(ct).ConfigureAwait(false))
        {
            int key = r.GetInt32(0);
            if (!result.TryGetValue(key, out var list)) result[key] = list = [];
            list.Add(new Episode(r.GetString(1), r.GetInt32(2), r.GetInt32(3), r.GetString(4), r.GetInt32(5)));
        }
        return result;
    }

    /// <inheritdoc />
    public async Task<Member?> GetMemberAsync(string memberId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(memberId);
        await using var connection = await OpenAsync(ct).ConfigureAwait(false);
        await using var c = new NpgsqlCommand($"SELECT {MemberColumns} FROM members WHERE id = @id AND removed_ms IS NULL", connection);
        c.Parameters.AddWithValue("id", memberId);
        await using var r = await c.ExecuteReaderAsync(ct).ConfigureAwait(false);
        return await r.ReadAsync(ct).ConfigureAwait(false) ? ReadMemberRow(r) : null;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<Member> ReadMembersAsync([EnumeratorCancellation] CancellationToken ct = default)
    {
        int after = 0;
        const int Page = 10_000;
        while (true)
        {
            var page = new List<(Member Member, int Key)>(Page);
            int last = after, read = 0;
            await using (var connection = await OpenAsync(ct).ConfigureAwait(false))
            await using (var c = new NpgsqlCommand($"SELECT {MemberColumns}, removed_ms IS NOT NULL FROM members WHERE member_key > @after ORDER BY member_key LIMIT {Page}", connection))
            {
                c.Parameters.AddWithValue("after", after);
                await using var r = await c.ExecuteReaderAsync(ct).ConfigureAwait(false);
                while (await r.ReadAsync(ct).ConfigureAwait(false))
                {
                    read++;
                    last = r.GetInt32(0);
                    if (!r.GetBoolean(6)) page.Add((ReadMemberRow(r), last));
                }
            }
            foreach (var (member, _) in page) yield return member;
            if (read < Page) yield break;
            after = last;
        }
    }

    /// <inheritdoc />
    public async Task<CatalogueSnapshot> GetCatalogueSnapshotAsync(CancellationToken ct = default)
    {
        await _snapshotLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            await using var connection = await OpenAsync(ct).ConfigureAwait(false);
            // One snapshot: the counter and what it counts are read together.
            await using var tx = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct).ConfigureAwait(false);
            long version;
            await using (var v = new NpgsqlCommand("SELECT value FROM store_counters WHERE name = 'catalogue'", connection, tx))
                version = (long)(await v.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
            if (_snapshot is not null && version == _snapshotVersion) return _snapshot;
            var titles = new Dictionary<string, int>(StringComparer.Ordinal);
            var episodes = new Dictionary<string, EpisodeInfo>(StringComparer.Ordinal);
            var removed = new List<string>();
            await using (var c = new NpgsqlCommand("""
                SELECT id, kind, runtime_seconds FROM titles;
                SELECT e.id, t.id, e.runtime_seconds FROM episodes e JOIN titles t ON t.title_key = e.title_key;
                SELECT id FROM members WHERE removed_ms IS NOT NULL;
                """, connection, tx))
            {
                await using var r = await c.ExecuteReaderAsync(ct).ConfigureAwait(false);
                while (await r.ReadAsync(ct).ConfigureAwait(false))
                    titles[r.GetString(0)] = (TitleKind)r.GetInt16(1) == TitleKind.Series ? 0 : r.GetInt32(2);
                await r.NextResultAsync(ct).ConfigureAwait(false);
                while (await r.ReadAsync(ct).ConfigureAwait(false))
                    episodes[r.GetString(0)] = new EpisodeInfo(r.GetString(1), r.GetInt32(2));
                await r.NextResultAsync(ct).ConfigureAwait(false);
                while (await r.ReadAsync(ct).ConfigureAwait(false)) removed.Add(r.GetString(0));
            }
            _snapshotVersion = version;
            return _snapshot = new CatalogueSnapshot(titles, episodes, removed);
        }
        finally
        {
            _snapshotLock.Release();
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlySet<string>> GetKnownMemberIdsAsync(IReadOnlyCollection<string> memberIds, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(memberIds);
        var known = new HashSet<string>(StringComparer.Ordinal);
        var ids = memberIds.Where(id => id is not null).Distinct(StringComparer.Ordinal).ToArray();
        if (ids.Length == 0) return known;
        await using var connection = await OpenAsync(ct).ConfigureAwait(false);
        await using var c = new NpgsqlCommand("SELECT id FROM members WHERE id = ANY(@ids)", connection);
        c.Parameters.AddWithValue("ids", ids);
        await using var r = await c.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await r.ReadAsync(ct).ConfigureAwait(false)) known.Add(r.GetString(0));
        return known;
    }

    /// <inheritdoc />
    public Task<IdMap> ReadMemberIdsAsync(CancellationToken ct = default) => ReadIdMapAsync("members", "member_key", ct);

    /// <inheritdoc />
    public Task<IdMap> ReadTitleIdsAsync(CancellationToken ct = default) => ReadIdMapAsync("titles", "title_key", ct);

    /// <inheritdoc />
    public Task<IdMap> ReadEpisodeIdsAsync(CancellationToken ct = default) => ReadIdMapAsync("episodes", "episode_key", ct);

    private async Task<IdMap> ReadIdMapAsync(string table, string keyColumn, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct).ConfigureAwait(false);
        await using var c = new NpgsqlCommand($"SELECT {keyColumn}, id FROM {table} ORDER BY {keyColumn}", connection);
        await using var r = await c.ExecuteReaderAsync(ct).ConfigureAwait(false);
        var map = new IdMap();
        while (await r.ReadAsync(ct).ConfigureAwait(false))
        {
            int key = r.GetInt32(0);
            if (key != map.Count + 1)
                throw new InvalidDataException($"{Location}: {table}.{keyColumn} jumps from {map.Count} to {key}; keys must be dense (were rows deleted by hand?)");
            map.GetOrAdd(r.GetString(1));
        }
        return map;
    }

    private static void CheckTitle(Title title)
    {
        ArgumentNullException.ThrowIfNull(title);
        if (string.IsNullOrWhiteSpace(title.Id)) throw new ArgumentException("a title's Id must not be blank", nameof(title));
        if (title.Name is null) throw new ArgumentException($"title {title.Id}: Name must not be null", nameof(title));
        CheckText(title.Id, "a title's Id");
        CheckText(title.Name, $"title {title.Id}: Name");
        foreach (var season in title.Seasons)
        {
            foreach (var episode in season.Episodes)
            {
                if (string.IsNullOrWhiteSpace(episode.Id)) throw new ArgumentException($"title {title.Id}: an episode of season {season.Number} has a blank Id", nameof(title));
                CheckText(episode.Id, $"title {title.Id}: an episode Id");
            }
        }
    }

    private static (Title Title, int Key) ReadTitleRow(NpgsqlDataReader r)
    {
        var title = new Title
        {
            Id = r.GetString(1),
            Name = r.GetString(2),
            Kind = (TitleKind)r.GetInt16(3),
            RuntimeSeconds = r.GetInt32(4),
            MaturityRating = r.IsDBNull(5) ? null : r.GetString(5),
            Language = r.IsDBNull(6) ? null : r.GetString(6),
            ReleaseDate = r.IsDBNull(7) ? null : r.GetFieldValue<DateOnly>(7),
            AvailableFromUtc = r.IsDBNull(8) ? null : FromUnixMs(r.GetInt64(8)),
            AvailableUntilUtc = r.IsDBNull(9) ? null : FromUnixMs(r.GetInt64(9)),
            Genres = r.GetFieldValue<string[]>(10),
            Cast = r.GetFieldValue<string[]>(11),
            Directors = r.GetFieldValue<string[]>(12),
        };
        return (title, r.GetInt32(0));
    }


    private static Member ReadMemberRow(NpgsqlDataReader r) => new()
    {
        Id = r.GetString(1),
        JoinedUtc = r.IsDBNull(2) ? null : FromUnixMs(r.GetInt64(2)),
        Country = r.IsDBNull(3) ? null : r.GetString(3),
        Attributes = JsonSerializer.Deserialize<Dictionary<string, string>>(r.GetString(4)) ?? new Dictionary<string, string>(),
        MaturityLimit = r.IsDBNull(5) ? null : r.GetString(5),
    };

    private static Task WriteNullable<T>(NpgsqlBinaryImporter copy, T? value, NpgsqlDbType type, CancellationToken ct) where T : class
        => value is null ? copy.WriteNullAsync(ct) : copy.WriteAsync(value, type, ct);

    private static Task WriteNullable<T>(NpgsqlBinaryImporter copy, T? value, NpgsqlDbType type, CancellationToken ct) where T : struct
        => value is { } v ? copy.WriteAsync(v, type, ct) : copy.WriteNullAsync(ct);

    private static void WriteNullable<T>(NpgsqlBinaryImporter copy, T? value, NpgsqlDbType type) where T : class
    {
        if (value is null) copy.WriteNull();
        else copy.Write(value, type);
    }

    private static void WriteNullable<T>(NpgsqlBinaryImporter copy, T? value, NpgsqlDbType type) where T : struct
    {
        if (value is { } v) copy.Write(v, type);
        else copy.WriteNull();
    }
}

using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Encore.Core;
using Microsoft.Data.Sqlite;

namespace Encore.Storage;

// The catalogue and the members: upserts, point reads, streaming reads, and the in-memory key caches the
// append path resolves ids with. The caches are only touched under the write lock.
public sealed partial class SqliteEventStore
{
    private const string TitleColumns = "title_key, id, name, kind, runtime_seconds, maturity_rating, language, release_date, available_from_ms, genres, cast_members, directors, available_until_ms";
    private const string MemberColumns = "id, joined_ms, country, attributes, maturity_limit";

    /// <summary>
    /// Every member as a table expression: the members table and the members appends staged beside it (bare
    /// ids, until a seal or an upsert moves them into the table), so that reads see them without writing.
    /// </summary>
    private const string AllMembers = """
        (SELECT member_key, id, joined_ms, country, attributes, maturity_limit, removed_ms FROM members
         UNION ALL
         SELECT s.member_key, s.id, NULL, NULL, '{}', NULL, NULL FROM staged_members s WHERE NOT EXISTS (SELECT 1 FROM members m WHERE m.id = s.id))
        """;

    private readonly Dictionary<string, long> _titleKeys = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _titleRuntimes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (long Key, long TitleKey, EpisodeInfo Info)> _episodes = new(StringComparer.Ordinal);
    private readonly HashSet<string> _removedMembers = new(StringComparer.Ordinal);
    private CatalogueSnapshot? _snapshot;

    /// <inheritdoc />
    public async Task UpsertTitlesAsync(IEnumerable<Title> titles, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(titles);
        ThrowIfReadOnly();
        await _writeLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            RefreshIfChangedElsewhere();
            var added = new List<(Title Title, long Key, List<(Episode Episode, long Key)> Episodes)>();
            using (var tx = _writer.BeginTransaction())
            {
                using var upsertTitle = _writer.CreateCommand();
                upsertTitle.Transaction = tx;
                upsertTitle.CommandText = """
                    INSERT INTO titles (id, name, kind, runtime_seconds, maturity_rating, language, release_date, available_from_ms, genres, cast_members, directors, available_until_ms)
                    VALUES ($id, $name, $kind, $runtime, $maturity, $language, $release, $available, $genres, $cast, $directors, $until)
                    ON CONFLICT (id) DO UPDATE SET name = excluded.name, kind = excluded.kind, runtime_seconds = excluded.runtime_seconds,
                        maturity_rating = excluded.maturity_rating, language = excluded.language, release_date = excluded.release_date,
                        available_from_ms = excluded.available_from_ms, genres = excluded.genres, cast_members = excluded.cast_members,
                        directors = excluded.directors, available_until_ms = excluded.available_until_ms, removed_ms = NULL
                    RETURNING title_key
                    """;
                var p = upsertTitle.Parameters;
                var pId = p.Add("$id", SqliteType.Text); var pName = p.Add("$name", SqliteType.Text);
                var pKind = p.Add("$kind", SqliteType.Integer); var pRuntime = p.Add("$runtime", SqliteType.Integer);
                var pMaturity = p.Add("$maturity", SqliteType.Text); var pLanguage = p.Add("$language", SqliteType.Text);
                var pRelease = p.Add("$release", SqliteType.Text); var pAvailable = p.Add("$available", SqliteType.Integer);
                var pGenres = p.Add("$genres", SqliteType.Text); var pCast = p.Add("$cast", SqliteType.Text);
                var pDirectors = p.Add("$directors", SqliteType.Text); var pUntil = p.Add("$until", SqliteType.Integer);

                using var upsertEpisode = _writer.CreateCommand();
                upsertEpisode.Transaction = tx;
                upsertEpisode.CommandText = """
                    INSERT INTO episodes (id, title_key, season, number, name, runtime_seconds) VALUES ($id, $title, $season, $number, $name, $runtime)
                    ON CONFLICT (id) DO UPDATE SET title_key = excluded.title_key, season = excluded.season, number = excluded.number,
                        name = excluded.name, runtime_seconds = excluded.runtime_seconds
                    RETURNING episode_key
                    """;
                var e = upsertEpisode.Parameters;
                var eId = e.Add("$id", SqliteType.Text); var eTitle = e.Add("$title", SqliteType.Integer);
                var eSeason = e.Add("$season", SqliteType.Integer); var eNumber = e.Add("$number", SqliteType.Integer);
                var eName = e.Add("$name", SqliteType.Text); var eRuntime = e.Add("$runtime", SqliteType.Integer);

                foreach (var title in titles)
                {
                    ct.ThrowIfCancellationRequested();
                    CheckTitle(title);
                    pId.Value = title.Id;
                    pName.Value = title.Name;
                    pKind.Value = (int)title.Kind;
                    pRuntime.Value = title.RuntimeSeconds;
                    pMaturity.Value = (object?)title.MaturityRating ?? DBNull.Value;
                    pLanguage.Value = (object?)title.Language ?? DBNull.Value;
                    pRelease.Value = title.ReleaseDate is { } d ? d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : DBNull.Value;
                    pAvailable.Value = title.AvailableFromUtc is { } a ? ToUnixMs(a) : DBNull.Value;
                    pUntil.Value = title.AvailableUntilUtc is { } u ? ToUnixMs(u) : DBNull.Value;
                    pGenres.Value = JsonSerializer.Serialize(title.Genres);
                    pCast.Value = JsonSerializer.Serialize(title.Cast);
                    pDirectors.Value = JsonSerializer.Serialize(title.Directors);
                    long titleKey = (long)upsertTitle.ExecuteScalar()!;
                    var episodes = new List<(Episode, long)>();
                    foreach (var season in title.Seasons)
                    {
                        foreach (var episode in season.Episodes)
                        {
                            eId.Value = episode.Id;
                            eTitle.Value = titleKey;
                            eSeason.Value = episode.SeasonNumber;
                            eNumber.Value = episode.EpisodeNumber;
                            eName.Value = episode.Name;
                            eRuntime.Value = episode.RuntimeSeconds;
                            episodes.Add((episode, (long)upsertEpisode.ExecuteScalar()!));
                        }
                    }
                    added.Add((title, titleKey, episodes));
                }
                tx.Commit();
            }
            // Caches change only once the rows are committed.
            foreach (var (title, key, episodes) in added)
            {
                _titleKeys[title.Id] = key;
                _titleRuntimes[title.Id] = PositionBound(title.Kind, title.RuntimeSeconds);
                foreach (var (episode, episodeKey) in episodes)
                    _episodes[episode.Id] = (episodeKey, key, new EpisodeInfo(title.Id, episode.RuntimeSeconds));
            }
            if (added.Count > 0) _snapshot = null;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <inheritdoc />
    public async Task UpsertMembersAsync(IEnumerable<Member> members, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(members);
        ThrowIfReadOnly();
        await _writeLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            RefreshIfChangedElsewhere();
            var added = new List<(string Id, long Key)>();
            using (var tx = _writer.BeginTransaction())
            {
                // Staged new members (of this process or another) hold keys a new row would otherwise take:
                // merge them first, inside this transaction, so nothing can be staged in between.
                MergeStagedKeys(tx);
                using var upsert = _writer.CreateCommand();
                upsert.Transaction = tx;
                upsert.CommandText = """
                    INSERT INTO members (id, joined_ms, country, attributes, maturity_limit) VALUES ($id, $joined, $country, $attributes, $limit)
                    ON CONFLICT (id) DO UPDATE SET joined_ms = excluded.joined_ms, country = excluded.country, attributes = excluded.attributes,
                        maturity_limit = excluded.maturity_limit, removed_ms = NULL
                    RETURNING member_key
                    """;
                var pId = upsert.Parameters.Add("$id", SqliteType.Text);
                var pJoined = upsert.Parameters.Add("$joined", SqliteType.Integer);
                var pCountry = upsert.Parameters.Add("$country", SqliteType.Text);
                var pAttributes = upsert.Parameters.Add("$attributes", SqliteType.Text);
                var pLimit = upsert.Parameters.Add("$limit", SqliteType.Text);
                foreach (var member in members)
                {
                    ct.ThrowIfCancellationRequested();
                    ArgumentNullException.ThrowIfNull(member);
                    if (string.IsNullOrWhiteSpace(member.Id)) throw new ArgumentException("a member's Id must not be blank", nameof(members));
                    pId.Value = member.Id;
                    pJoined.Value = member.JoinedUtc is { } j ? ToUnixMs(j) : DBNull.Value;
                    pCountry.Value = (object?)member.Country ?? DBNull.Value;
                    pAttributes.Value = JsonSerializer.Serialize(member.Attributes);
                    pLimit.Value = (object?)member.MaturityLimit ?? DBNull.Value;
                    added.Add((member.Id, (long)upsert.ExecuteScalar()!));
                }
                tx.Commit();
            }
            StagedKeysWereMerged();
            foreach (var (id, key) in added)
            {
                _members.Remember(id, key);
                if (_removedMembers.Remove(id)) _snapshot = null;
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <inheritdoc />
    public async Task<Title?> GetTitleAsync(string titleId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(titleId);
        await using var connection = await OpenReaderAsync(ct).ConfigureAwait(false);
        using var c = connection.CreateCommand();
        c.CommandText = $"SELECT {TitleColumns} FROM titles WHERE id = $id AND removed_ms IS NULL";
        c.Parameters.AddWithValue("$id", titleId);
        using var r = await c.ExecuteReaderAsync(ct).ConfigureAwait(false);
        if (!await r.ReadAsync(ct).ConfigureAwait(false)) return null;
        var (title, key) = ReadTitleRow(r);
        using var e = connection.CreateCommand();
        e.CommandText = "SELECT title_key, id, season, number, name, runtime_seconds FROM episodes WHERE title_key = $key ORDER BY season, number, episode_key";
        e.Parameters.AddWithValue("$key", key);
        using var episodes = await e.ExecuteReaderAsync(ct).ConfigureAwait(false);
        var all = new List<Episode>();
        while (await episodes.ReadAsync(ct).ConfigureAwait(false)) all.Add(ReadEpisodeRow(episodes));
        return title with { Seasons = Season.Group(all) };
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<Title> ReadTitlesAsync([EnumeratorCancellation] CancellationToken ct = default)
    {
        await using var connection = await OpenReaderAsync(ct).ConfigureAwait(false);
        using var c = connection.CreateCommand();
        c.CommandText = $"SELECT {TitleColumns} FROM titles WHERE removed_ms IS NULL ORDER BY title_key";
        using var e = connection.CreateCommand();
        e.CommandText = "SELECT title_key, id, season, number, name, runtime_seconds FROM episodes ORDER BY title_key, season, number, episode_key";
        using var titles = await c.ExecuteReaderAsync(ct).ConfigureAwait(false);
        using var episodes = await e.ExecuteReaderAsync(ct).ConfigureAwait(false);
        // Merge join on title_key: both cursors advance once, so a big catalogue costs two scans, not N queries.
        bool moreEpisodes = await episodes.ReadAsync(ct).ConfigureAwait(false);
        var own = new List<Episode>();
        while (await titles.ReadAsync(ct).ConfigureAwait(false))
        {
            var (title, key) = ReadTitleRow(titles);
            own.Clear();
            while (moreEpisodes && episodes.GetInt64(0) <= key)
            {
                if (episodes.GetInt64(0) == key) own.Add(ReadEpisodeRow(episodes));
                moreEpisodes = await episodes.ReadAsync(ct).ConfigureAwait(false);
            }
            yield return own.Count == 0 ? title : title with { Seasons = Season.Group(own) };
        }
    }

    /// <inheritdoc />
    public async Task<Member?> GetMemberAsync(string memberId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(memberId);
        await using var connection = await OpenReaderAsync(ct).ConfigureAwait(false);
        using var c = connection.CreateCommand();
        c.CommandText = $"SELECT {MemberColumns} FROM {AllMembers} WHERE id = $id AND removed_ms IS NULL";
        c.Parameters.AddWithValue("$id", memberId);
        using var r = await c.ExecuteReaderAsync(ct).ConfigureAwait(false);
        return await r.ReadAsync(ct).ConfigureAwait(false) ? ReadMemberRow(r) : null;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<Member> ReadMembersAsync([EnumeratorCancellation] CancellationToken ct = default)
    {
        await using var connection = await OpenReaderAsync(ct).ConfigureAwait(false);
        using var c = connection.CreateCommand();
        c.CommandText = $"SELECT {MemberColumns} FROM {AllMembers} WHERE removed_ms IS NULL ORDER BY member_key";
        using var r = await c.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await r.ReadAsync(ct).ConfigureAwait(false)) yield return ReadMemberRow(r);
    }

    /// <inheritdoc />
    public async Task<CatalogueSnapshot> GetCatalogueSnapshotAsync(CancellationToken ct = default)
    {
        await _writeLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            RefreshIfChangedElsewhere();
            return _snapshot ??= BuildSnapshot();
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlySet<string>> GetKnownMemberIdsAsync(IReadOnlyCollection<string> memberIds, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(memberIds);
        var known = new HashSet<string>(StringComparer.Ordinal);
        await _writeLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            RefreshIfChangedElsewhere();
            foreach (var id in memberIds)
            {
                if (id is not null && _members.TryGetKey(_writer.Handle!, id, out _)) known.Add(id);
            }
        }
        finally
        {
            _writeLock.Release();
        }
        return known;
    }

    /// <inheritdoc />
    public Task<IdMap> ReadMemberIdsAsync(CancellationToken ct = default) => ReadIdMapAsync(AllMembers, "members", "member_key", ct);

    /// <inheritdoc />
    public Task<IdMap> ReadTitleIdsAsync(CancellationToken ct = default) => ReadIdMapAsync("titles", "titles", "title_key", ct);

    /// <inheritdoc />
    public Task<IdMap> ReadEpisodeIdsAsync(CancellationToken ct = default) => ReadIdMapAsync("episodes", "episodes", "episode_key", ct);

    private async Task<IdMap> ReadIdMapAsync(string source, string table, string keyColumn, CancellationToken ct)
    {
        await using var connection = await OpenReaderAsync(ct).ConfigureAwait(false);
        using var c = connection.CreateCommand();
        c.CommandText = $"SELECT {keyColumn}, id FROM {source} ORDER BY {keyColumn}";
        using var r = await c.ExecuteReaderAsync(ct).ConfigureAwait(false);
        var map = new IdMap();
        while (await r.ReadAsync(ct).ConfigureAwait(false))
        {
            // Dense indices rely on keys 1..N with no gap (rows are never deleted); say so if a file breaks that.
            long key = r.GetInt64(0);
            if (key != map.Count + 1)
                throw new InvalidDataException($"{Path}: {table}.{keyColumn} jumps from {map.Count} to {key}; keys must be dense (were rows deleted by hand?)");
            map.GetOrAdd(r.GetString(1));
        }
        return map;
    }

    private void LoadCatalogueCache()
    {
        using var c = _writer.CreateCommand();
        c.CommandText = "SELECT title_key, id, runtime_seconds, kind FROM titles";
        using (var r = c.ExecuteReader())
        {
            while (r.Read())
            {
                var id = r.GetString(1);
                _titleKeys[id] = r.GetInt64(0);
                _titleRuntimes[id] = PositionBound((TitleKind)r.GetInt32(3), r.GetInt32(2));
            }
        }
        c.CommandText = "SELECT e.episode_key, e.id, e.title_key, t.id, e.runtime_seconds FROM episodes e JOIN titles t ON t.title_key = e.title_key";
        using (var r = c.ExecuteReader())
        {
            while (r.Read())
                _episodes[r.GetString(1)] = (r.GetInt64(0), r.GetInt64(2), new EpisodeInfo(r.GetString(3), r.GetInt32(4)));
        }
        _removedMembers.Clear();
        c.CommandText = "SELECT id FROM members WHERE removed_ms IS NOT NULL";
        using (var r = c.ExecuteReader())
        {
            while (r.Read()) _removedMembers.Add(r.GetString(0));
        }
    }

    /// <inheritdoc />
    public Task<bool> RemoveTitleAsync(string titleId, CancellationToken ct = default)
        => RemoveAsync("titles", titleId, ct);

    /// <inheritdoc />
    public Task<bool> RemoveMemberAsync(string memberId, CancellationToken ct = default)
        => RemoveAsync("members", memberId, ct);

    /// <summary>Marks a title or member removed (a tombstone with the time), in one transaction; false when there is none to remove.</summary>
    private async Task<bool> RemoveAsync(string table, string id, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(id);
        ThrowIfReadOnly();
        await _writeLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            RefreshIfChangedElsewhere();
            int changed;
            using (var tx = _writer.BeginTransaction())
            {
                // A member known only from its events is staged: it becomes a row first, so the tombstone has a place.
                if (table == "members") MergeStagedKeys(tx);
                using var c = _writer.CreateCommand();
                c.Transaction = tx;
                c.CommandText = $"UPDATE {table} SET removed_ms = $now WHERE id = $id AND removed_ms IS NULL";
                c.Parameters.AddWithValue("$now", ToUnixMs(DateTime.UtcNow));
                c.Parameters.AddWithValue("$id", id);
                changed = c.ExecuteNonQuery();
                tx.Commit();
            }
            if (table == "members")
            {
                StagedKeysWereMerged();
                if (changed > 0) _removedMembers.Add(id);
            }
            if (changed > 0) _snapshot = null;
            return changed > 0;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private CatalogueSnapshot BuildSnapshot()
    {
        var episodes = new Dictionary<string, EpisodeInfo>(_episodes.Count, StringComparer.Ordinal);
        foreach (var (id, entry) in _episodes) episodes[id] = entry.Info;
        return new CatalogueSnapshot(_titleRuntimes, episodes, _removedMembers);
    }

    /// <summary>
    /// The runtime that bounds positions in a title: a film's own; none (0) for a series, whose
    /// <see cref="Title.RuntimeSeconds"/> is only typical and whose episodes carry their own.
    /// </summary>
    private static int PositionBound(TitleKind kind, int runtimeSeconds) => kind == TitleKind.Series ? 0 : runtimeSeconds;

    private static void CheckTitle(Title title)
    {
        ArgumentNullException.ThrowIfNull(title);
        if (string.IsNullOrWhiteSpace(title.Id)) throw new ArgumentException("a title's Id must not be blank", nameof(title));
        if (title.Name is null) throw new ArgumentException($"title {title.Id}: Name must not be null", nameof(title));
        foreach (var season in title.Seasons)
        {
            foreach (var episode in season.Episodes)
            {
                if (string.IsNullOrWhiteSpace(episode.Id)) throw new ArgumentException($"title {title.Id}: an episode of season {season.Number} has a blank Id", nameof(title));
            }
        }
    }

    private static (Title Title, long Key) ReadTitleRow(SqliteDataReader r)
    {
        var title = new Title
        {
            Id = r.GetString(1),
            Name = r.GetString(2),
            Kind = (TitleKind)r.GetInt32(3),
            RuntimeSeconds = r.GetInt32(4),
            MaturityRating = r.IsDBNull(5) ? null : r.GetString(5),
            Language = r.IsDBNull(6) ? null : r.GetString(6),
            ReleaseDate = r.IsDBNull(7) ? null : DateOnly.ParseExact(r.GetString(7), "yyyy-MM-dd", CultureInfo.InvariantCulture),
            AvailableFromUtc = r.IsDBNull(8) ? null : FromUnixMs(r.GetInt64(8)),
            Genres = JsonSerializer.Deserialize<string[]>(r.GetString(9)) ?? [],
            Cast = JsonSerializer.Deserialize<string[]>(r.GetString(10)) ?? [],
            Directors = JsonSerializer.Deserialize<string[]>(r.GetString(11)) ?? [],
            AvailableUntilUtc = r.IsDBNull(12) ? null : FromUnixMs(r.GetInt64(12)),
        };
        return (title, r.GetInt64(0));
    }

    private static Episode ReadEpisodeRow(SqliteDataReader r)
        => new(r.GetString(1), r.GetInt32(2), r.GetInt32(3), r.GetString(4), r.GetInt32(5));


    private static Member ReadMemberRow(SqliteDataReader r) => new()
    {
        Id = r.GetString(0),
        JoinedUtc = r.IsDBNull(1) ? null : FromUnixMs(r.GetInt64(1)),
        Country = r.IsDBNull(2) ? null : r.GetString(2),
        Attributes = JsonSerializer.Deserialize<Dictionary<string, string>>(r.GetString(3)) ?? new Dictionary<string, string>(),
        MaturityLimit = r.IsDBNull(4) ? null : r.GetString(4),
    };
}

using Microsoft.Data.Sqlite;

namespace Encore.Storage;

/// <summary>
/// The SQLite schema as an ordered list of migrations. A file records the version it is at in
/// <c>schema_version</c>; opening it applies every later migration, each in its own transaction, so a file
/// from any earlier Encore opens in a newer one. Never edit a released migration: append a new one.
/// </summary>
/// <remarks>
/// Layout, chosen for a compact, fast append-only log: members, titles, episodes and sessions get integer
/// surrogate keys (rowids, dense from 1 because nothing is ever deleted), so an event row holds small
/// integers instead of repeated strings; times are Unix milliseconds; the kind-specific fields have their own
/// nullable columns (a NULL costs one byte). The catalogue's lists (genres, cast, directors) are JSON arrays:
/// they are read whole with their title and never queried alone.
/// </remarks>
internal static class SqliteSchema
{
    /// <summary>
    /// One step of the schema: the version it produces and the SQL that gets there, then (where SQL alone
    /// cannot) code that runs in the same transaction.
    /// </summary>
    internal sealed record Migration(int Version, string Description, string Sql, Action<SqliteConnection, SqliteTransaction>? Code = null);

    internal static readonly IReadOnlyList<Migration> Migrations =
    [
        new(1, "catalogue, members, sessions and the append-only event log", """
            CREATE TABLE members (
                member_key INTEGER PRIMARY KEY,
                id TEXT NOT NULL UNIQUE,
                joined_ms INTEGER,
                country TEXT,
                attributes TEXT NOT NULL DEFAULT '{}'
            );
            CREATE TABLE titles (
                title_key INTEGER PRIMARY KEY,
                id TEXT NOT NULL UNIQUE,
                name TEXT NOT NULL,
                kind INTEGER NOT NULL,
                runtime_seconds INTEGER NOT NULL,
                maturity_rating TEXT,
                language TEXT,
                release_date TEXT,
                available_from_ms INTEGER,
                genres TEXT NOT NULL DEFAULT '[]',
                cast_members TEXT NOT NULL DEFAULT '[]',
                directors TEXT NOT NULL DEFAULT '[]'
            );
            CREATE TABLE episodes (
                episode_key INTEGER PRIMARY KEY,
                id TEXT NOT NULL UNIQUE,
                title_key INTEGER NOT NULL,
                season INTEGER NOT NULL,
                number INTEGER NOT NULL,
                name TEXT NOT NULL,
                runtime_seconds INTEGER NOT NULL
            );
            CREATE INDEX episodes_by_title ON episodes (title_key, season, number);
            CREATE TABLE sessions (
                session_key INTEGER PRIMARY KEY,
                id TEXT NOT NULL UNIQUE
            );
            CREATE TABLE events (
                event_key INTEGER PRIMARY KEY,
                event_id TEXT NOT NULL,
                kind INTEGER NOT NULL,
                member_key INTEGER NOT NULL,
                title_key INTEGER,
                episode_key INTEGER,
                device INTEGER NOT NULL,
                ts_ms INTEGER NOT NULL,
                session_key INTEGER NOT NULL,
                position REAL,
                rating REAL,
                pause_seconds REAL,
                seek_from REAL,
                query TEXT,
                results TEXT,
                row_name TEXT,
                row_position INTEGER,
                propensity REAL
            );
            CREATE UNIQUE INDEX events_by_id ON events (event_id);
            CREATE INDEX events_by_member ON events (member_key, ts_ms);
            """),
        new(2, "read paths for training: events by title and by time range", """
            CREATE INDEX events_by_title ON events (title_key, ts_ms);
            CREATE INDEX events_by_time ON events (ts_ms);
            """),
        // Every index of `events` is keyed at random (event ids, members, titles), so a batch committed
        // straight into it dirties a page per event per index, and WAL writes each dirty page on every commit.
        // Batches now land in this index-free table (a pure append, a few pages per batch) and are merged
        // into `events` in bulk, where each index page is written once per merge instead of once per batch.
        new(3, "append staging: batches land in an index-free table, merged into events in bulk", """
            CREATE TABLE staged_events (
                event_id TEXT NOT NULL,
                kind INTEGER NOT NULL,
                member_id TEXT NOT NULL,
                title_key INTEGER,
                episode_key INTEGER,
                device INTEGER NOT NULL,
                ts_ms INTEGER NOT NULL,
                session_id TEXT NOT NULL,
                position REAL,
                rating REAL,
                pause_seconds REAL,
                seek_from REAL,
                query TEXT,
                results TEXT,
                row_name TEXT,
                row_position INTEGER,
                propensity REAL
            );
            """),
        // Text joins and GROUP BY over every staged row were half the cost of a merge. Members and sessions now
        // get their integer keys while a batch is staged (new ones wait in their own staging tables), so the
        // merge is plain inserts. Rows a version 3 file still has staged are merged first, the version 3 way.
        new(4, "integer keys resolved while staging; new members and sessions staged beside the events", """
            INSERT INTO members (id)
                SELECT s.member_id FROM staged_events AS s
                WHERE NOT EXISTS (SELECT 1 FROM members AS m WHERE m.id = s.member_id)
                GROUP BY s.member_id ORDER BY min(s.rowid);
            INSERT INTO sessions (id)
                SELECT s.session_id FROM staged_events AS s
                WHERE NOT EXISTS (SELECT 1 FROM sessions AS x WHERE x.id = s.session_id)
                GROUP BY s.session_id ORDER BY min(s.rowid);
            INSERT INTO events (event_id, kind, member_key, title_key, episode_key, device, ts_ms, session_key,
                    position, rating, pause_seconds, seek_from, query, results, row_name, row_position, propensity)
                SELECT s.event_id, s.kind, m.member_key, s.title_key, s.episode_key, s.device, s.ts_ms, x.session_key,
                    s.position, s.rating, s.pause_seconds, s.seek_from, s.query, s.results, s.row_name, s.row_position, s.propensity
                FROM staged_events AS s
                    JOIN members AS m ON m.id = s.member_id
                    JOIN sessions AS x ON x.id = s.session_id
                WHERE true
                ORDER BY s.rowid
                ON CONFLICT (event_id) DO NOTHING;
            DROP TABLE staged_events;
            CREATE TABLE staged_events (
                event_id NOT NULL,
                kind INTEGER NOT NULL,
                member_key INTEGER NOT NULL,
                title_key INTEGER,
                episode_key INTEGER,
                device INTEGER NOT NULL,
                ts_ms INTEGER NOT NULL,
                session_key INTEGER NOT NULL,
                position REAL,
                rating REAL,
                pause_seconds REAL,
                seek_from REAL,
                query TEXT,
                results TEXT,
                row_name TEXT,
                row_position INTEGER,
                propensity REAL
            );
            CREATE TABLE staged_members (member_key INTEGER PRIMARY KEY, id TEXT NOT NULL);
            CREATE TABLE staged_sessions (session_key INTEGER PRIMARY KEY, id TEXT NOT NULL);
            """),
        // An index entry per event per lookup cost more than the whole ingest budget (docs/INGESTION.md). The
        // log is now segments: blocks of events in time order, postings per member and per title, and the
        // UUID ids sorted in chunks with a Bloom filter per segment (text ids keep an exact index). Batches
        // wait as one BLOB each in pending_batches until sealed.
        // Whatever a version 4 file holds (staged or merged) is carried over as segments, then dropped.
        new(5, "segmented event log: pending batches, blocks in time order, member and title postings", """
            INSERT INTO members (member_key, id) SELECT member_key, id FROM staged_members ORDER BY member_key
                ON CONFLICT DO NOTHING;
            INSERT INTO sessions (session_key, id) SELECT session_key, id FROM staged_sessions ORDER BY session_key
                ON CONFLICT DO NOTHING;
            INSERT INTO events (event_id, kind, member_key, title_key, episode_key, device, ts_ms, session_key,
                    position, rating, pause_seconds, seek_from, query, results, row_name, row_position, propensity)
                SELECT event_id, kind, member_key, title_key, episode_key, device, ts_ms, session_key,
                    position, rating, pause_seconds, seek_from, query, results, row_name, row_position, propensity
                FROM staged_events WHERE true ORDER BY rowid
                ON CONFLICT (event_id) DO NOTHING;
            DELETE FROM staged_members;
            DELETE FROM staged_sessions;
            DROP TABLE staged_events;
            CREATE TABLE pending_batches (
                batch_key INTEGER PRIMARY KEY,
                first_seq INTEGER NOT NULL,
                event_count INTEGER NOT NULL,
                payload BLOB NOT NULL
            );
            CREATE TABLE segments (
                segment_key INTEGER PRIMARY KEY,
                event_count INTEGER NOT NULL,
                min_ts INTEGER NOT NULL,
                max_ts INTEGER NOT NULL,
                max_seq INTEGER NOT NULL,
                uuid_count INTEGER NOT NULL,
                id_filter BLOB
            );
            CREATE TABLE segment_blocks (
                block_key INTEGER PRIMARY KEY,
                min_ts INTEGER NOT NULL,
                max_ts INTEGER NOT NULL,
                payload BLOB NOT NULL
            );
            CREATE TABLE segment_kind_counts (
                segment_key INTEGER NOT NULL,
                kind INTEGER NOT NULL,
                events INTEGER NOT NULL,
                PRIMARY KEY (segment_key, kind)
            ) WITHOUT ROWID;
            CREATE TABLE member_postings (
                member_key INTEGER NOT NULL,
                segment_key INTEGER NOT NULL,
                rows BLOB NOT NULL,
                PRIMARY KEY (member_key, segment_key)
            ) WITHOUT ROWID;
            CREATE TABLE title_postings (
                title_key INTEGER NOT NULL,
                segment_key INTEGER NOT NULL,
                rows BLOB NOT NULL,
                PRIMARY KEY (title_key, segment_key)
            ) WITHOUT ROWID;
            CREATE TABLE segment_id_chunks (
                segment_key INTEGER NOT NULL,
                first_hi INTEGER NOT NULL,
                first_lo INTEGER NOT NULL,
                ids BLOB NOT NULL,
                PRIMARY KEY (segment_key, first_hi, first_lo)
            ) WITHOUT ROWID;
            CREATE TABLE event_text_ids (id TEXT NOT NULL PRIMARY KEY) WITHOUT ROWID;
            """, LegacyEvents.MoveIntoSegments),
        // What a service edits over HTTP: when a title leaves the service, a member profile's maturity limit, and
        // removal (a tombstone: ids keep their dense keys and the log keeps its events).
        new(6, "availability end, member maturity limits, removed titles and members", """
            ALTER TABLE titles ADD COLUMN available_until_ms INTEGER;
            ALTER TABLE titles ADD COLUMN removed_ms INTEGER;
            ALTER TABLE members ADD COLUMN maturity_limit TEXT;
            ALTER TABLE members ADD COLUMN removed_ms INTEGER;
            """),
    ];

    internal static int LatestVersion => Migrations[^1].Version;

    /// <summary>The version the file is at (0 for a new, empty file).</summary>
    internal static int ReadVersion(SqliteConnection connection)
    {
        using var probe = connection.CreateCommand();
        probe.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'";
        if (Convert.ToInt64(probe.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) == 0) return 0;
        probe.CommandText = "SELECT coalesce(max(version), 0) FROM schema_version";
        return Convert.ToInt32(probe.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The version of a file opened read-only, which must be this build's: an older file needs its migrations,
    /// which only a writable open applies, and a newer one is refused as in <see cref="Migrate"/>.
    /// </summary>
    internal static int RequireLatest(SqliteConnection connection, string path)
    {
        int current = ReadVersion(connection);
        if (current == 0)
            throw new InvalidDataException($"{path}: not an Encore database (it has no schema_version table)");
        if (current > LatestVersion)
            throw new InvalidDataException($"{path}: schema version {current} is newer than this Encore understands (latest {LatestVersion}); upgrade Encore to open it");
        if (current < LatestVersion)
            throw new InvalidDataException($"{path}: schema version {current} is older than this Encore's {LatestVersion}; it is upgraded in place the first time a command that writes opens it (e.g. `encore import`), which needs write access to the file");
        return current;
    }

    /// <summary>
    /// Brings the file up to <paramref name="targetVersion"/> (default: the latest) and returns the version
    /// it is at. A file written by a newer Encore is refused rather than misread.
    /// </summary>
    internal static int Migrate(SqliteConnection connection, string path, int? targetVersion = null)
    {
        int target = targetVersion ?? LatestVersion;
        using (var create = connection.CreateCommand())
        {
            create.CommandText = "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_utc TEXT NOT NULL)";
            create.ExecuteNonQuery();
        }
        int current = ReadVersion(connection);
        if (current > LatestVersion)
            throw new InvalidDataException($"{path}: schema version {current} is newer than this Encore understands (latest {LatestVersion}); upgrade Encore to open it");
        foreach (var migration in Migrations)
        {
            if (migration.Version <= current || migration.Version > target) continue;
            using var tx = connection.BeginTransaction();
            using var step = connection.CreateCommand();
            step.Transaction = tx;
            step.CommandText = migration.Sql;
            step.ExecuteNonQuery();
            migration.Code?.Invoke(connection, tx);
            step.CommandText = "INSERT INTO schema_version (version, description, applied_utc) VALUES ($v, $d, $t)";
            step.Parameters.AddWithValue("$v", migration.Version);
            step.Parameters.AddWithValue("$d", migration.Description);
            step.Parameters.AddWithValue("$t", DateTime.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
            step.ExecuteNonQuery();
            tx.Commit();
            current = migration.Version;
        }
        return current;
    }
}

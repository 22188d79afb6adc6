using System.Globalization;
using Npgsql;

namespace Encore.Storage.Postgres;

/// <summary>
/// The PostgreSQL schema and its migrations. <c>encore_schema</c> records every version applied; opening a store applies
/// the missing ones in one transaction under an advisory lock (so two processes opening a fresh database do not race),
/// and refuses a database whose schema is newer than this build.
/// </summary>
internal static class PostgresSchema
{
    /// <summary>Key of the advisory lock that serialises migrations (any 64-bit number; this one spells "ENCOREMG").</summary>
    internal const long MigrationLock = 0x454E434F52454D47;

    /// <summary>Key of the transaction-level advisory lock every write that assigns dense keys holds ("ENCOREWR").</summary>
    internal const long WriteLock = 0x454E434F52455752;

    /// <summary>Key of the transaction-level advisory lock under which a model version takes its number ("ENCOREMV").</summary>
    internal const long ModelLock = 0x454E434F52454D56;

    private static readonly string[] Migrations =
    [
        // 1: the whole layout. Dense keys (1..N, no gaps) are assigned by the writers as max+1 under WriteLock; the event
        // log is partitioned by month of its timestamp (partitions are made as events arrive, PostgresEventStore.Partitions);
        // event_ids makes appends idempotent (a unique key on a partitioned table would have to include the timestamp).
        """
        CREATE TABLE store_properties (name text PRIMARY KEY, value text NOT NULL);
        CREATE TABLE store_counters (name text PRIMARY KEY, value bigint NOT NULL);
        INSERT INTO store_counters (name, value) VALUES ('seq', 0), ('catalogue', 0);
        CREATE TABLE titles (
            title_key integer PRIMARY KEY, id text NOT NULL UNIQUE, name text NOT NULL, kind smallint NOT NULL,
            runtime_seconds integer NOT NULL, maturity_rating text, language text, release_date date,
            available_from_ms bigint, available_until_ms bigint,
            genres text[] NOT NULL DEFAULT '{}', cast_members text[] NOT NULL DEFAULT '{}', directors text[] NOT NULL DEFAULT '{}',
            removed_ms bigint);
        CREATE TABLE episodes (
            episode_key integer PRIMARY KEY, id text NOT NULL UNIQUE, title_key integer NOT NULL REFERENCES titles,
            season integer NOT NULL, number integer NOT NULL, name text NOT NULL, runtime_seconds integer NOT NULL);
        CREATE INDEX episodes_by_title ON episodes (title_key, season, number, episode_key);
        CREATE TABLE members (
            member_key integer PRIMARY KEY, id text NOT NULL UNIQUE, joined_ms bigint, country text,
            attributes text NOT NULL DEFAULT '{}', maturity_limit text, removed_ms bigint);
        CREATE TABLE event_ids (event_id text PRIMARY KEY);
        CREATE TABLE event_counts (kind smallint PRIMARY KEY, events bigint NOT NULL);
        CREATE TABLE events (
            seq bigint NOT NULL, ts bigint NOT NULL, member_key integer NOT NULL, title_key integer, episode_key integer,
            kind smallint NOT NULL, device smallint NOT NULL, event_id text NOT NULL, session_id text NOT NULL,
            position double precision, rating double precision, pause_seconds double precision, seek_from double precision,
            query text, results text[], row_name text, row_position integer, propensity double precision
        ) PARTITION BY RANGE (ts);
        CREATE INDEX events_by_time ON events (ts, seq);
        CREATE INDEX events_by_member ON events (member_key, ts, seq);
        CREATE INDEX events_by_title ON events (title_key, ts, seq);
        """,
        // 2: the model registry (PostgresModelStore). A payload is streamed into model_chunks under an upload number by
        // binary COPY; the version row that makes it visible is inserted in the same transaction, its number taken as
        // max+1 under ModelLock, so concurrent registrations get distinct numbers and a cut-off upload leaves nothing.
        // Payloads are float arrays that do not compress: stored out of line without trying.
        """
        CREATE SEQUENCE model_uploads;
        CREATE TABLE model_chunks (upload bigint NOT NULL, seq integer NOT NULL, data bytea NOT NULL, PRIMARY KEY (upload, seq));
        ALTER TABLE model_chunks ALTER COLUMN data SET STORAGE EXTERNAL;
        CREATE TABLE model_versions (
            number integer PRIMARY KEY, upload bigint NOT NULL UNIQUE, bytes bigint NOT NULL, description text NOT NULL,
            registered_utc timestamptz NOT NULL DEFAULT now());
        """,
        // 3: the log in the order it was stored, for nodes of a cluster that follow each other's appends (ReadEventsAfterAsync).
        "CREATE INDEX events_by_seq ON events (seq)",
        // 4: deleted model versions (PostgresModelStore.Delete): the row stays, marked, so its number is never taken again; its chunks go.
        "ALTER TABLE model_versions ADD COLUMN deleted_utc timestamptz",
    ];

    /// <summary>The schema version this build writes.</summary>
    public static int LatestVersion => Migrations.Length;

    /// <summary>Brings the database up to <see cref="LatestVersion"/>; returns the version it is at.</summary>
    /// <exception cref="InvalidDataException">The database's schema is newer than this build.</exception>
    public static async Task<int> MigrateAsync(NpgsqlConnection connection, string location, CancellationToken ct)
    {
        await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
        await using (var c = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@k)", connection, tx))
        {
            c.Parameters.AddWithValue("k", MigrationLock);
            await c.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
        await using (var c = new NpgsqlCommand("CREATE TABLE IF NOT EXISTS encore_schema (version integer PRIMARY KEY, applied_utc timestamptz NOT NULL DEFAULT now())", connection, tx))
        {
            // IF NOT EXISTS still raises a notice; harmless.
            await c.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
        int version;
        await using (var c = new NpgsqlCommand("SELECT coalesce(max(version), 0) FROM encore_schema", connection, tx))
            version = (int)(await c.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
        if (version > LatestVersion)
            throw new InvalidDataException(string.Format(CultureInfo.InvariantCulture,
                "{0}: the database's schema is version {1}, newer than the {2} this build of Encore knows; use a newer Encore (nothing was changed)",
                location, version, LatestVersion));
        for (int v = version + 1; v <= LatestVersion; v++)
        {
            await using var c = new NpgsqlCommand(Migrations[v - 1] + ";\nINSERT INTO encore_schema (version) VALUES (" + v.ToString(CultureInfo.InvariantCulture) + ")", connection, tx);
            await c.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
        await tx.CommitAsync(ct).ConfigureAwait(false);
        return LatestVersion;
    }
}

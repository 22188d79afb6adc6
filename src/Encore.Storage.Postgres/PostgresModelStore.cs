using System.Data;
using Encore.Storage.Models;
using Npgsql;
using NpgsqlTypes;

namespace Encore.Storage.Postgres;

/// <summary>
/// The model store in the PostgreSQL database of the event store, so every node pointed at the same database sees the
/// same versions (schema migration 2). A payload is streamed into <c>model_chunks</c> by binary COPY in chunks of
/// <see cref="ChunkBytes"/> (only one chunk is held in memory); the <c>model_versions</c> row that makes it visible is
/// inserted in the same transaction, its number taken as max+1 under an advisory lock held only for that insert. So a
/// registration that fails or is cut off leaves nothing visible, and registrations racing from several nodes get
/// distinct numbers. Reading streams the chunks back in order (sequential access, no chunk copied twice). A deleted
/// version keeps its row, marked (migration 4), so its number is never taken again.
/// </summary>
public sealed class PostgresModelStore : IModelStore
{
    /// <summary>Bytes per stored chunk (1 MiB): small enough to stream, large enough that rows cost little.</summary>
    public const int ChunkBytes = 1 << 20;

    private readonly PostgresAddress _address;

    /// <summary>A store over a database whose schema is already migrated (an open <see cref="PostgresEventStore"/>'s).</summary>
    public PostgresModelStore(PostgresAddress address) => _address = address ?? throw new ArgumentNullException(nameof(address));

    /// <summary>Opens the model store of the database at <paramref name="url"/>, creating or migrating the schema.</summary>
    /// <exception cref="PostgresUnavailableException">The server cannot be used (the message names host and port).</exception>
    /// <exception cref="InvalidDataException">The database's schema is newer than this build.</exception>
    public static async Task<PostgresModelStore> OpenAsync(string url, CancellationToken ct = default)
    {
        var address = PostgresAddress.Parse(url);
        await using var connection = new NpgsqlConnection(address.ConnectionString);
        try
        {
            await connection.OpenAsync(ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException && !ct.IsCancellationRequested)
        {
            throw PostgresEventStore.Explain(e, address);
        }
        await PostgresSchema.MigrateAsync(connection, address.ToString(), ct).ConfigureAwait(false);
        return new PostgresModelStore(address);
    }

    /// <inheritdoc />
    public string Location => _address + " (model_versions)";

    /// <inheritdoc />
    public IReadOnlyList<StoredModel> List()
    {
        using var connection = Open();
        using var command = new NpgsqlCommand("SELECT number, description FROM model_versions WHERE deleted_utc IS NULL ORDER BY number", connection);
        using var reader = command.ExecuteReader();
        var found = new List<StoredModel>();
        while (reader.Read()) found.Add(new StoredModel(reader.GetInt32(0), reader.GetString(1)));
        return found;
    }

    /// <inheritdoc />
    public StoredModel Add(Action<Stream> writePayload, Func<int, string> describe)
    {
        ArgumentNullException.ThrowIfNull(writePayload);
        ArgumentNullException.ThrowIfNull(describe);
        using var connection = Open();
        using var tx = connection.BeginTransaction();
        long upload;
        using (var next = new NpgsqlCommand("SELECT nextval('model_uploads')", connection, tx))
            upload = (long)next.ExecuteScalar()!;
        long bytes;
        using (var importer = connection.BeginBinaryImport("COPY model_chunks (upload, seq, data) FROM STDIN (FORMAT BINARY)"))
        {
            using (var chunks = new ChunkWriter(importer, upload))
            {
                writePayload(chunks);
                chunks.Flush();
                bytes = chunks.Length;
            }
            importer.Complete();
        }
        using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@k)", connection, tx))
        {
            lockCommand.Parameters.AddWithValue("k", PostgresSchema.ModelLock);
            lockCommand.ExecuteNonQuery();
        }
        int number;
        using (var max = new NpgsqlCommand("SELECT coalesce(max(number), 0) + 1 FROM model_versions", connection, tx))
            number = (int)max.ExecuteScalar()!;
        var description = describe(number);
        using (var insert = new NpgsqlCommand("INSERT INTO model_versions (number, upload, bytes, description) VALUES (@n, @u, @b, @d)", connection, tx))
        {
            insert.Parameters.AddWithValue("n", number);
            insert.Parameters.AddWithValue("u", upload);
            insert.Parameters.AddWithValue("b", bytes);
            insert.Parameters.AddWithValue("d", description);
            insert.ExecuteNonQuery();
        }
        tx.Commit();
        return new StoredModel(number, description);
    }

    /// <inheritdoc />
    /// <remarks>The version's row is marked deleted (it keeps its number: new numbers are max+1 over every row) and its chunks are deleted, in one transaction.</remarks>
    public bool Delete(int number)
    {
        using var connection = Open();
        using var tx = connection.BeginTransaction();
        long upload;
        using (var mark = new NpgsqlCommand("UPDATE model_versions SET deleted_utc = now() WHERE number = @n AND deleted_utc IS NULL RETURNING upload", connection, tx))
        {
            mark.Parameters.AddWithValue("n", number);
            if (mark.ExecuteScalar() is not long marked) return false;
            upload = marked;
        }
        using (var chunks = new NpgsqlCommand("DELETE FROM model_chunks WHERE upload = @u", connection, tx))
        {
            chunks.Parameters.AddWithValue("u", upload);
            chunks.ExecuteNonQuery();
        }
        tx.Commit();
        return true;
    }

    /// <inheritdoc />
    public Stream OpenRead(int number)
    {
        var connection = Open();
        try
        {
            long upload, bytes;
            using (var find = new NpgsqlCommand("SELECT upload, bytes FROM model_versions WHERE number = @n AND deleted_utc IS NULL", connection))
            {
                find.Parameters.AddWithValue("n", number);
                using var row = find.ExecuteReader();
                if (!row.Read()) throw new KeyNotFoundException($"{Location}: no model version {number}");
                (upload, bytes) = (row.GetInt64(0), row.GetInt64(1));
            }
            var command = new NpgsqlCommand("SELECT data FROM model_chunks WHERE upload = @u ORDER BY seq", connection);
            command.Parameters.AddWithValue("u", upload);
            return new ChunkReader(connection, command, command.ExecuteReader(CommandBehavior.SequentialAccess), bytes);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private NpgsqlConnection Open()
    {
        var connection = new NpgsqlConnection(_address.ConnectionString);
        try
        {
            connection.Open();
            return connection;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            connection.Dispose();
            throw PostgresEventStore.Explain(e, _address);
        }
    }

    /// <summary>A write-only stream that sends each full chunk as one COPY row.</summary>
    private sealed class ChunkWriter(NpgsqlBinaryImporter importer, long upload) : Stream
    {
        private readonly byte[] _buffer = new byte[ChunkBytes];
        private int _filled;
        private int _seq;
        private long _length;

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _length;
        public override long Position { get => _length; set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            while (!buffer.IsEmpty)
            {
                int n = Math.Min(buffer.Length, _buffer.Length - _filled);
                buffer[..n].CopyTo(_buffer.AsSpan(_filled));
                _filled += n;
                _length += n;
                buffer = buffer[n..];
                if (_filled == _buffer.Length) SendChunk();
            }
        }

        public override void WriteByte(byte value) => Write([value]);

        /// <summary>Sends what is buffered (a partial chunk only at the end: the stream's user flushes once, when done).</summary>
        public override void Flush()
        {
            if (_filled > 0) SendChunk();
        }

        private void SendChunk()
        {
            importer.StartRow();
            importer.Write(upload, NpgsqlDbType.Bigint);
            importer.Write(_seq++, NpgsqlDbType.Integer);
            importer.Write(new ArraySegment<byte>(_buffer, 0, _filled), NpgsqlDbType.Bytea);
            _filled = 0;
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }

    /// <summary>A read-only stream over the chunks of one version, read straight from the server's rows.</summary>
    private sealed class ChunkReader(NpgsqlConnection connection, NpgsqlCommand command, NpgsqlDataReader reader, long length) : Stream
    {
        private long _chunkLength = -1;
        private long _chunkPosition;
        private long _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => length;
        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            ArgumentNullException.ThrowIfNull(buffer);
            while (_chunkPosition >= _chunkLength)
            {
                if (!reader.Read())
                {
                    if (_position != length) throw new InvalidDataException($"model payload ends after {_position} of its {length} bytes");
                    return 0;
                }
                _chunkLength = reader.GetBytes(0, 0, null, 0, 0);
                _chunkPosition = 0;
            }
            int n = (int)reader.GetBytes(0, _chunkPosition, buffer, offset, (int)Math.Min(count, _chunkLength - _chunkPosition));
            _chunkPosition += n;
            _position += n;
            return n;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                reader.Dispose();
                command.Dispose();
                connection.Dispose();
            }
            base.Dispose(disposing);
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

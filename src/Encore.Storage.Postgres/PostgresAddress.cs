using System.Globalization;
using Npgsql;

namespace Encore.Storage.Postgres;

/// <summary>
/// Where a PostgreSQL store lives, parsed from a <c>postgres://</c> (or <c>postgresql://</c>) URL:
/// <c>postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=...&amp;...]</c>. Without a password in the URL, Npgsql
/// takes <c>PGPASSWORD</c> or <c>~/.pgpass</c> as usual. <see cref="ToString"/> never shows the password.
/// </summary>
public sealed class PostgresAddress
{
    private readonly string _connectionString;

    private PostgresAddress(string host, int port, string database, string? user, string connectionString)
    {
        Host = host;
        Port = port;
        Database = database;
        User = user;
        _connectionString = connectionString;
    }

    /// <summary>The server's host name or address.</summary>
    public string Host { get; }

    /// <summary>The server's TCP port (5432 unless the URL names another).</summary>
    public int Port { get; }

    /// <summary>The database name.</summary>
    public string Database { get; }

    /// <summary>The user name, or null when the URL names none (Npgsql then uses the operating system user).</summary>
    public string? User { get; }

    /// <summary>Whether <paramref name="value"/> is a PostgreSQL URL rather than a file path.</summary>
    public static bool IsPostgresUrl(string? value)
        => value is not null && (value.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || value.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase));

    /// <summary>Parses a <c>postgres://</c> URL.</summary>
    /// <exception cref="ArgumentException">Not such a URL, or one without a database or with a bad port (the message never repeats the password).</exception>
    public static PostgresAddress Parse(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!IsPostgresUrl(url)) throw new ArgumentException("a PostgreSQL store is named by a URL such as postgres://user@host:5432/encore", nameof(url));
        // Uri does not know the scheme's default port; parse the pieces ourselves so that a bad URL's message shows no password.
        var rest = url[(url.IndexOf("://", StringComparison.Ordinal) + 3)..];
        string query = "";
        int q = rest.IndexOf('?', StringComparison.Ordinal);
        if (q >= 0) { query = rest[(q + 1)..]; rest = rest[..q]; }
        int slash = rest.IndexOf('/', StringComparison.Ordinal);
        string authority = slash >= 0 ? rest[..slash] : rest;
        string database = slash >= 0 ? Uri.UnescapeDataString(rest[(slash + 1)..]) : "";
        string? user = null, password = null;
        int at = authority.LastIndexOf('@');
        if (at >= 0)
        {
            var userInfo = authority[..at];
            authority = authority[(at + 1)..];
            int colon = userInfo.IndexOf(':', StringComparison.Ordinal);
            user = Uri.UnescapeDataString(colon >= 0 ? userInfo[..colon] : userInfo);
            if (colon >= 0) password = Uri.UnescapeDataString(userInfo[(colon + 1)..]);
            if (user.Length == 0) user = null;
        }
        string host = authority;
        int port = 5432;
        int portColon = authority.LastIndexOf(':');
        if (portColon >= 0 && !authority.EndsWith(']'))
        {
            host = authority[..portColon];
            if (!int.TryParse(authority[(portColon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)
                throw new ArgumentException($"postgres URL: the port '{authority[(portColon + 1)..]}' is not a number from 1 to 65535", nameof(url));
        }
        host = host.Trim('[', ']');
        if (host.Length == 0) host = "localhost";
        if (database.Length == 0 || database.Contains('/', StringComparison.Ordinal))
            throw new ArgumentException($"postgres URL for {host}:{port} names no database: write postgres://USER@HOST:PORT/DATABASE", nameof(url));

        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = host,
            Port = port,
            Database = database,
            Timeout = 10,
            // A batch of events is one COPY plus a few statements: keep the connections for the next one.
            Pooling = true,
            ApplicationName = "encore",
            // A batch's COPY (about 150 KB per 1,000 events) leaves in one write and a page of the log arrives in few
            // reads, instead of 8 KiB at a time: fewer wake-ups of client and server, which a loaded machine makes dear.
            WriteBufferSize = 1 << 18,
            ReadBufferSize = 1 << 18,
        };
        if (user is not null) builder.Username = user;
        if (password is not null) builder.Password = password;
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = pair.IndexOf('=', StringComparison.Ordinal);
            var key = Uri.UnescapeDataString(eq >= 0 ? pair[..eq] : pair);
            var value = eq >= 0 ? Uri.UnescapeDataString(pair[(eq + 1)..]) : "";
            try
            {
                builder[key.Replace('_', ' ')] = value;
            }
            catch (ArgumentException)
            {
                throw new ArgumentException($"postgres URL for {host}:{port}/{database}: unknown parameter '{key}'", nameof(url));
            }
        }
        return new PostgresAddress(host, port, database, user, builder.ConnectionString);
    }

    /// <summary>The Npgsql connection string (it holds the password, if the URL had one: never print it).</summary>
    public string ConnectionString => _connectionString;

    /// <summary>The URL without its password: <c>postgres://user@host:port/database</c>.</summary>
    public override string ToString()
        => $"postgres://{(User is null ? "" : Uri.EscapeDataString(User) + "@")}{(Host.Contains(':', StringComparison.Ordinal) ? "[" + Host + "]" : Host)}:{Port.ToString(CultureInfo.InvariantCulture)}/{Uri.EscapeDataString(Database)}";
}

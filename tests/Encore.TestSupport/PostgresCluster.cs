using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Xunit;

namespace Encore.TestSupport;

/// <summary>
/// A throwaway PostgreSQL server for tests: Debian's package (<c>/usr/lib/postgresql/N/bin</c>, the newest N), a cluster
/// made by initdb in a temporary folder with trust authentication, listening on 127.0.0.1 on a free port. As root it
/// runs as the <c>postgres</c> user through runuser (PostgreSQL refuses to run as root); otherwise as the current user.
/// Started once per test assembly (use it as an assembly fixture); stopped and deleted when disposed. Where it cannot
/// start, <see cref="NewDatabaseUrl"/> reports the calling test skipped with the reason, never passed.
/// </summary>
public sealed partial class PostgresCluster : IAsyncDisposable
{
    private readonly string? _folder;
    private readonly string? _bin;
    private readonly bool _asPostgres;
    private int _databases;

    /// <summary>Starts the cluster (a few seconds); never throws: a failure is kept as <see cref="SkipReason"/>.</summary>
    public PostgresCluster() : this(null)
    {
    }

    /// <summary>Starts a cluster with the programs in <paramref name="binFolder"/> (tests of the skip path).</summary>
    public static PostgresCluster StartWith(string binFolder) => new(binFolder);

    private PostgresCluster(string? binFolder)
    {
        try
        {
            _bin = binFolder is not null
                ? (File.Exists(Path.Combine(binFolder, "initdb")) ? binFolder : throw new InvalidOperationException($"no initdb in {binFolder}"))
                : FindBin() ?? throw new InvalidOperationException("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb); install Debian's postgresql package");
            _asPostgres = OperatingSystem.IsLinux() && GetEuid() == 0;
            _folder = Path.Combine(Path.GetTempPath(), "encore-pg-" + Guid.NewGuid().ToString("N")[..12]);
            Directory.CreateDirectory(_folder);
            if (_asPostgres)
            {
                var (chown, chownError) = Run("chown", ["postgres:postgres", _folder], asPostgres: false);
                if (chown != 0) throw new InvalidOperationException($"running as root, but cannot hand {_folder} to the postgres user: {chownError}");
            }
            var data = Path.Combine(_folder, "data");
            var (init, initError) = Run(Path.Combine(_bin, "initdb"), ["-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"], _asPostgres);
            if (init != 0) throw new InvalidOperationException($"initdb failed: {Last(initError)}");
            Port = FreePort();
            var options = string.Create(CultureInfo.InvariantCulture, $"-c listen_addresses=127.0.0.1 -p {Port} -k {_folder} -c max_connections=200");
            var (start, startError) = Run(Path.Combine(_bin, "pg_ctl"), ["-D", data, "-o", options, "-l", Path.Combine(_folder, "log"), "-w", "-t", "60", "start"], _asPostgres);
            if (start != 0)
            {
                var log = File.Exists(Path.Combine(_folder, "log")) ? File.ReadAllText(Path.Combine(_folder, "log")) : "";
                throw new InvalidOperationException($"pg_ctl start failed: {Last(startError + "\n" + log)}");
            }
            Started = true;
        }
        catch (Exception e)
        {
            SkipReason = "no PostgreSQL server for this test: " + e.Message;
            Cleanup();
        }
    }

    /// <summary>Whether the server runs.</summary>
    public bool Started { get; }

    /// <summary>Why the server could not be started (null when it runs).</summary>
    public string? SkipReason { get; }

    /// <summary>The server's port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>
    /// Creates a new, empty database and returns its URL (<c>postgres://postgres@127.0.0.1:PORT/NAME</c>); reports the calling
    /// test skipped, with the reason, when the server could not be started.
    /// </summary>
    public string NewDatabaseUrl(string prefix = "t")
    {
        if (!Started) Assert.Skip(SkipReason ?? "no PostgreSQL server");
        var name = string.Create(CultureInfo.InvariantCulture, $"{prefix}_{Environment.ProcessId}_{Interlocked.Increment(ref _databases)}");
        var (rc, error) = Run(Path.Combine(_bin!, "createdb"), ["-h", "127.0.0.1", "-p", Port.ToString(CultureInfo.InvariantCulture), "-U", "postgres", name], _asPostgres);
        if (rc != 0) throw new InvalidOperationException($"createdb {name} failed: {Last(error)}");
        return string.Create(CultureInfo.InvariantCulture, $"postgres://postgres@127.0.0.1:{Port}/{name}");
    }

    /// <summary>Stops the server (fast shutdown) and deletes its folder.</summary>
    public ValueTask DisposeAsync()
    {
        if (Started) Run(Path.Combine(_bin!, "pg_ctl"), ["-D", Path.Combine(_folder!, "data"), "-m", "fast", "-w", "stop"], _asPostgres);
        Cleanup();
        return ValueTask.CompletedTask;
    }

    private void Cleanup()
    {
        try
        {
            if (_folder is not null && Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static string? FindBin()
    {
        const string root = "/usr/lib/postgresql";
        if (!Directory.Exists(root)) return null;
        return Directory.GetDirectories(root)
            .Select(d => (Dir: d, Version: int.TryParse(Path.GetFileName(d), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : -1))
            .Where(d => d.Version >= 0 && File.Exists(Path.Combine(d.Dir, "bin", "initdb")))
            .OrderByDescending(d => d.Version)
            .Select(d => Path.Combine(d.Dir, "bin"))
            .FirstOrDefault();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static (int ExitCode, string Error) Run(string program, string[] arguments, bool asPostgres)
    {
        var start = new ProcessStartInfo(asPostgres ? "runuser" : program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // The postgres user may not read the test's working folder.
            WorkingDirectory = "/",
        };
        if (asPostgres)
        {
            foreach (var a in new[] { "-u", "postgres", "--", program }) start.ArgumentList.Add(a);
        }
        foreach (var a in arguments) start.ArgumentList.Add(a);
        try
        {
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(120_000))
            {
                process.Kill(entireProcessTree: true);
                return (-1, $"{program} did not finish within 120 s");
            }
            return (process.ExitCode, stderr.Result + stdout.Result);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, $"cannot run {start.FileName}: {e.Message}");
        }
    }

    private static string Last(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return string.Join(" | ", lines.TakeLast(4));
    }

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEuid();
}

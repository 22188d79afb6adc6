using System.Diagnostics;
using System.Runtime.InteropServices;
using Xunit;

namespace Encore.Cli.Tests;

/// <summary>What one run of the `encore` command printed and returned.</summary>
public sealed record EncoreRun(int ExitCode, string Output, string Error)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Output}--- stderr\n{Error}";
}

/// <summary>
/// Runs the real `encore` program (the encore.dll built beside the tests) as a child process, with its
/// output redirected as in CI, and an environment of the test's choosing so that no run touches the
/// user's own database.
/// </summary>
public static class EncoreProcess
{
    public static async Task<EncoreRun> RunAsync(IReadOnlyDictionary<string, string?> environment, CancellationToken ct, params string[] args)
    {
        using var process = Process.Start(StartInfo(environment, args)) ?? throw new InvalidOperationException("could not start encore");
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var error = process.StandardError.ReadToEndAsync(ct);
        try
        {
            await process.WaitForExitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return new EncoreRun(process.ExitCode, await output, await error);
    }

    /// <summary>Runs with a private database location: ENCORE_DB unset and XDG_DATA_HOME at <paramref name="dataHome"/>.</summary>
    public static Task<EncoreRun> RunAsync(string dataHome, CancellationToken ct, params string[] args)
        => RunAsync(PrivateDatabase(dataHome), ct, args);

    /// <summary>Starts the program without waiting for it, so that a test can interrupt or kill it mid-run.</summary>
    public static EncoreChild Start(string dataHome, params string[] args) => new(StartInfo(PrivateDatabase(dataHome), args));

    private static Dictionary<string, string?> PrivateDatabase(string dataHome)
        => new() { ["ENCORE_DB"] = null, ["XDG_DATA_HOME"] = dataHome };

    internal static ProcessStartInfo StartInfo(IReadOnlyDictionary<string, string?> environment, string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "encore.dll");
        if (!File.Exists(dll)) throw new FileNotFoundException("encore.dll is not beside the tests; build Encore.Cli", dll);
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        foreach (var a in args) start.ArgumentList.Add(a);
        foreach (var (name, value) in environment)
        {
            if (value is null) start.Environment.Remove(name);
            else start.Environment[name] = value;
        }
        return start;
    }
}

/// <summary>
/// A running `encore` whose standard error is read line by line as it comes (progress lines), so that a test can
/// wait for a point in the run and then interrupt it (SIGINT, as Ctrl+C sends) or kill it (SIGKILL, no clean-up).
/// </summary>
public sealed partial class EncoreChild : IDisposable
{
    private readonly Process _process;
    private readonly Task<string> _output;
    private readonly Task _errorPump;
    private readonly List<string> _errorLines = [];
    private readonly SemaphoreSlim _newLine = new(0);

    internal EncoreChild(ProcessStartInfo start)
    {
        _process = Process.Start(start) ?? throw new InvalidOperationException("could not start encore");
        _output = _process.StandardOutput.ReadToEndAsync();
        _errorPump = Task.Run(async () =>
        {
            while (await _process.StandardError.ReadLineAsync() is { } line)
            {
                lock (_errorLines) _errorLines.Add(line);
                _newLine.Release();
            }
            _newLine.Release();
        });
    }

    public bool HasExited => _process.HasExited;

    /// <summary>Waits until standard error has a line that matches <paramref name="match"/>; false when the program ended first.</summary>
    public async Task<bool> WaitForErrorLineAsync(Func<string, bool> match, TimeSpan timeout, CancellationToken ct)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        int seen = 0;
        while (true)
        {
            lock (_errorLines)
            {
                for (; seen < _errorLines.Count; seen++)
                    if (match(_errorLines[seen])) return true;
                if (_errorPump.IsCompleted) return false;
            }
            await _newLine.WaitAsync(limit.Token);
        }
    }

    /// <summary>Sends SIGINT, what Ctrl+C on a terminal sends.</summary>
    public void Interrupt()
    {
        if (!TryInterrupt()) throw new InvalidOperationException($"kill -INT {_process.Id} failed: the process has already exited");
    }

    /// <summary>Sends SIGINT unless the process has already exited (and been reaped); says which.</summary>
    public bool TryInterrupt()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS(), "sending SIGINT needs a POSIX system");
        if (Kill(_process.Id, 2) == 0) return true;
        int errno = Marshal.GetLastPInvokeError();
        const int NoSuchProcess = 3;
        if (errno == NoSuchProcess) return false;
        throw new InvalidOperationException($"kill -INT {_process.Id} failed: errno {errno}");
    }

    /// <summary>Kills the process at once (SIGKILL): no cancellation, no clean-up, as a power cut or `kill -9` leaves it.</summary>
    public void Kill() => _process.Kill(entireProcessTree: true);

    public async Task<EncoreRun> WaitForExitAsync(CancellationToken ct)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(TimeSpan.FromSeconds(120));
        try
        {
            await _process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            throw;
        }
        await _errorPump;
        string error;
        lock (_errorLines) error = string.Join("", _errorLines.Select(l => l + "\n"));
        return new EncoreRun(_process.ExitCode, await _output, error);
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
        _newLine.Dispose();
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}

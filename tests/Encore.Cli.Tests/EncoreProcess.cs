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

    /// <summary>
    /// Starts the program without waiting for it, so that a test can interrupt or kill it mid-run. With
    /// <paramref name="signalAt"/>, <paramref name="signal"/> is sent the moment standard error shows a matching line,
    /// from the thread that reads it: a test host busy with other tests cannot delay the signal past the end of the run.
    /// </summary>
    public static EncoreChild Start(string dataHome, string[] args, Func<string, bool>? signalAt = null, ChildSignal signal = ChildSignal.Interrupt,
        IReadOnlyDictionary<string, string?>? environment = null)
    {
        var env = PrivateDatabase(dataHome);
        foreach (var (k, v) in environment ?? new Dictionary<string, string?>()) env[k] = v;
        return new(StartInfo(env, args), signalAt, signal);
    }

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

/// <summary>What a test sends a running child: SIGINT (Ctrl+C) or SIGKILL (`kill -9`, no clean-up).</summary>
public enum ChildSignal
{
    Interrupt = 2,
    Kill = 9,
}

/// <summary>
/// A running `encore` whose standard error is read line by line as it comes (progress lines), on a thread of its own,
/// so that a test can signal it at a point of its run: SIGINT (as Ctrl+C sends) or SIGKILL (no clean-up).
/// </summary>
public sealed partial class EncoreChild : IDisposable
{
    private readonly Process _process;
    private readonly Thread _outputPump;
    private readonly List<string> _outputLines = [];
    private readonly TaskCompletionSource _outputDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Thread _errorPump;
    private readonly TaskCompletionSource _errorDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<bool> _signalled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<string> _errorLines = [];

    internal EncoreChild(ProcessStartInfo start, Func<string, bool>? signalAt, ChildSignal signal)
    {
        _process = Process.Start(start) ?? throw new InvalidOperationException("could not start encore");
        _outputPump = new Thread(() =>
        {
            try
            {
                while (_process.StandardOutput.ReadLine() is { } line)
                    lock (_outputLines) _outputLines.Add(line);
                _outputDone.TrySetResult();
            }
            catch (Exception e) { _outputDone.TrySetException(e); }
        }) { IsBackground = true, Name = "encore stdout" };
        _outputPump.Start();
        _errorPump = new Thread(() =>
        {
            try
            {
                while (_process.StandardError.ReadLine() is { } line)
                {
                    // Signal first, keep the line after: the run goes on while this thread works.
                    if (signalAt is not null && !_signalled.Task.IsCompleted && signalAt(line))
                        _signalled.TrySetResult(Send(signal));
                    lock (_errorLines) _errorLines.Add(line);
                }
                _signalled.TrySetResult(false);
                _errorDone.TrySetResult();
            }
            catch (Exception e)
            {
                _signalled.TrySetException(e);
                _errorDone.TrySetException(e);
            }
        }) { IsBackground = true, Name = "encore stderr" };
        _errorPump.Start();
    }

    /// <summary>
    /// Waits until the signal given to <see cref="EncoreProcess.Start"/> was sent: true when it reached the running
    /// program, false when the program ended (or its standard error closed) before a line matched.
    /// </summary>
    public async Task<bool> SignalledAsync(CancellationToken ct)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(TimeSpan.FromSeconds(120));
        return await _signalled.Task.WaitAsync(limit.Token);
    }

    public bool HasExited => _process.HasExited;

    /// <summary>The first line of standard output that matches, once it comes; null when the program ended (or the time ran out) first.</summary>
    public async Task<string?> WaitForOutputLineAsync(Func<string, bool> match, TimeSpan timeout, CancellationToken ct)
    {
        var until = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < until)
        {
            lock (_outputLines)
                foreach (var line in _outputLines)
                    if (match(line)) return line;
            if (_outputDone.Task.IsCompleted) return null;
            await Task.Delay(100, ct);
        }
        return null;
    }

    /// <summary>Standard output so far.</summary>
    public string OutputSoFar
    {
        get { lock (_outputLines) return string.Join("", _outputLines.Select(l => l + "\n")); }
    }

    /// <summary>Sends SIGKILL (as `kill -9` or a power cut: no clean-up) unless the process has already exited; says which.</summary>
    public bool Kill() => Send(ChildSignal.Kill);

    /// <summary>Sends SIGINT, what Ctrl+C on a terminal sends, unless the process has already exited; says which.</summary>
    public bool TryInterrupt() => Send(ChildSignal.Interrupt);

    private bool Send(ChildSignal signal)
    {
        Assert.SkipUnless(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS(), "sending signals needs a POSIX system");
        if (Kill(_process.Id, (int)signal) == 0) return true;
        int errno = Marshal.GetLastPInvokeError();
        const int NoSuchProcess = 3;
        if (errno == NoSuchProcess) return false;
        throw new InvalidOperationException($"kill -{(int)signal} {_process.Id} failed: errno {errno}");
    }

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
        await _errorDone.Task;
        await _outputDone.Task;
        string error;
        lock (_errorLines) error = string.Join("", _errorLines.Select(l => l + "\n"));
        return new EncoreRun(_process.ExitCode, OutputSoFar, error);
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}

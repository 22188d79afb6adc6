using System.Diagnostics;

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
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start encore");
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
        => RunAsync(new Dictionary<string, string?> { ["ENCORE_DB"] = null, ["XDG_DATA_HOME"] = dataHome }, ct, args);
}

using System.Diagnostics;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using Encore.Packaging.Tests;
using Xunit;

[assembly: AssemblyFixture(typeof(PackedFeed))]

namespace Encore.Packaging.Tests;

/// <summary>What one child process printed and returned.</summary>
public sealed record ProcessRun(string Command, int ExitCode, string Output, string Error)
{
    public override string ToString() => $"{Command}\nexit {ExitCode}\n--- stdout\n{Output}--- stderr\n{Error}";
}

/// <summary>
/// Packs Encore once for the whole test run, as a user's feed: `dotnet pack Encore.Packages.slnf --no-build` (the
/// src/ projects as this build made them) into a temporary folder laid out like the repository (artifacts/packages,
/// with a copy of samples/ beside it, so that the samples' own nuget.config finds the feed), then installs the
/// `encore` tool from it into a temporary tool folder. The version gets a suffix of its own
/// (VersionPrefix-ptest.TIME.PID), so that no package restored earlier under the same version is taken from a cache.
/// </summary>
public sealed class PackedFeed : IDisposable
{
    private readonly TestSupport.TempFolder _root = new();

    public PackedFeed()
    {
        RepositoryRoot = Metadata("Encore.RepositoryRoot");
        Configuration = Metadata("Encore.Configuration");
        VersionPrefix = Regex.Match(File.ReadAllText(Path.Combine(RepositoryRoot, "Directory.Build.props")), "<VersionPrefix>([^<]+)</VersionPrefix>") is { Success: true } m
            ? m.Groups[1].Value : throw new InvalidOperationException("Directory.Build.props names no <VersionPrefix>");
        Version = $"{VersionPrefix}-ptest.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}";
        Feed = Path.Combine(_root.Path, "artifacts", "packages");
        Samples = Path.Combine(_root.Path, "samples");
        ToolFolder = Path.Combine(_root.Path, "tools");
        RestoredPackages = Path.Combine(_root.Path, "nuget-packages");
        var watch = Stopwatch.StartNew();
        Pack = Dotnet(RepositoryRoot, TimeSpan.FromMinutes(8), "pack", "Encore.Packages.slnf", "-c", Configuration, "--no-build", "--nologo",
            "-v", "quiet", "-o", Feed, $"-p:VersionSuffix={Version[(VersionPrefix.Length + 1)..]}", "--disable-build-servers");
        PackSeconds = watch.Elapsed.TotalSeconds;
        if (Pack.ExitCode != 0) return;
        CopyFolder(Path.Combine(RepositoryRoot, "samples"), Samples);
        ToolInstall = Dotnet(_root.Path, TimeSpan.FromMinutes(3), "tool", "install", "--tool-path", ToolFolder, "--add-source", Feed,
            "Encore.Cli", "--version", Version);
    }

    public string RepositoryRoot { get; }
    /// <summary>The configuration the src/ projects were built in (this test assembly's).</summary>
    public string Configuration { get; }
    public string VersionPrefix { get; }
    /// <summary>The version every package of this run was packed with.</summary>
    public string Version { get; }
    public string Feed { get; }
    /// <summary>A copy of the repository's samples/ folder, beside the feed as in the repository.</summary>
    public string Samples { get; }
    public string ToolFolder { get; }
    /// <summary>Where the samples' restores put the packages they take (the machine's global folder serves as a fallback).</summary>
    public string RestoredPackages { get; }
    public ProcessRun Pack { get; }
    public double PackSeconds { get; }
    public ProcessRun? ToolInstall { get; }

    /// <summary>The installed `encore` command.</summary>
    public string Encore => Path.Combine(ToolFolder, OperatingSystem.IsWindows() ? "encore.exe" : "encore");

    /// <summary>The feed's packages, by id.</summary>
    public IReadOnlyDictionary<string, string> Packages
        => Directory.GetFiles(Feed, "*.nupkg").ToDictionary(p => Path.GetFileName(p)[..^$".{Version}.nupkg".Length], p => p);

    public void RequirePacked() => Assert.True(Pack.ExitCode == 0, "dotnet pack failed:\n" + Pack);

    public void RequireTool()
    {
        RequirePacked();
        Assert.True(ToolInstall is { ExitCode: 0 }, "dotnet tool install failed:\n" + ToolInstall);
    }

    /// <summary>
    /// Builds a sample (a copy under <see cref="Samples"/>) against the feed with this run's version. A restore that
    /// fails only because a package source cannot be reached (no network, and a dependency missing from the machine's
    /// package folder) skips the test with the reason; any other failure fails it.
    /// </summary>
    public string BuildSample(string name)
    {
        RequirePacked();
        var project = Path.Combine(Samples, name);
        var args = new List<string>
        {
            "build", project, "-c", "Release", "--nologo", "-v", "quiet", "-clp:ErrorsOnly", "--disable-build-servers",
            $"-p:EncoreVersion={Version}", $"-p:RestorePackagesPath={RestoredPackages}",
        };
        var global = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } set ? set
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        if (Directory.Exists(global)) args.Add($"-p:RestoreFallbackFolders={global}");
        var build = Dotnet(_root.Path, TimeSpan.FromMinutes(5), [.. args]);
        if (build.ExitCode != 0 && (build.Output + build.Error).Contains("NU1301", StringComparison.Ordinal))
            Assert.Skip($"restoring {name} needs a package source that cannot be reached here (NU1301): {FirstLine(build.Output + build.Error, "NU1301")}");
        Assert.True(build.ExitCode == 0, $"building {name} against the packed feed failed:\n{build}");
        var dll = Path.Combine(project, "bin", "Release", "net10.0", name + ".dll");
        Assert.True(File.Exists(dll), $"{dll} was not built");
        return dll;
    }

    private static string FirstLine(string text, string containing)
        => text.Split('\n').FirstOrDefault(l => l.Contains(containing, StringComparison.Ordinal))?.Trim() ?? "";

    /// <summary>Runs `dotnet ARGS` in <paramref name="folder"/>, ending it (and its children) past <paramref name="limit"/>.</summary>
    public static ProcessRun Dotnet(string folder, TimeSpan limit, params string[] args)
        => Run(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet", folder, limit, null, args);

    /// <summary>Runs a program to its end, with the environment changes given (null removes a variable).</summary>
    public static ProcessRun Run(string program, string folder, TimeSpan limit, IReadOnlyDictionary<string, string?>? environment, params string[] args)
    {
        using var process = new Process { StartInfo = StartInfo(program, folder, environment, args) };
        var output = new StringBuilder();
        var error = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (error) error.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            return new ProcessRun($"{program} {string.Join(' ', args)}", -1, output.ToString(), error + $"\n(ended after {limit.TotalSeconds:F0} s)");
        }
        process.WaitForExit();
        return new ProcessRun($"{program} {string.Join(' ', args)}", process.ExitCode, output.ToString(), error.ToString());
    }

    public static ProcessStartInfo StartInfo(string program, string folder, IReadOnlyDictionary<string, string?>? environment, string[] args)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args) start.ArgumentList.Add(a);
        // A child MSBuild must not inherit the test host's build variables; its CLI output stays in English and plain.
        foreach (var inherited in new[] { "MSBuildSDKsPath", "MSBUILD_EXE_PATH", "MSBuildExtensionsPath", "MSBuildLoadMicrosoftTargetsReadOnly", "ENCORE_DB" })
            start.Environment.Remove(inherited);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null) start.Environment.Remove(name);
            else start.Environment[name] = value;
        }
        return start;
    }

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        foreach (var folder in Directory.GetDirectories(from))
        {
            var name = Path.GetFileName(folder);
            if (name is "bin" or "obj") continue; // a developer's own build of the samples stays out of the copy
            CopyFolder(folder, Path.Combine(to, name));
        }
    }

    private static string Metadata(string key)
        => typeof(PackedFeed).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == key)?.Value
            ?? throw new InvalidOperationException($"the test assembly has no {key} metadata");

    public void Dispose() => _root.Dispose();
}

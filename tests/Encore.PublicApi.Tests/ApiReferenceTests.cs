using System.Diagnostics;
using System.Text;
using Xunit;

namespace Encore.PublicApi.Tests;

/// <summary>
/// The API reference of issue 15 is built from the libraries' XML documentation by docfx (docs/api/build.sh, a local
/// .NET tool), every warning an error: a broken cref or xref, or a link to nothing, fails this test with docfx's message.
/// </summary>
public sealed class ApiReferenceTests
{
    [Fact]
    public void The_api_reference_builds_from_the_xml_documentation_with_no_broken_reference()
    {
        var root = RepositoryRoot();
        var restore = Execute(root, "dotnet", "tool", "restore");
        if (restore.Code != 0 && restore.Output.Contains("NU1301", StringComparison.Ordinal))
            Assert.Skip("docfx (a local .NET tool) cannot be restored here: no package source can be reached (NU1301)");
        Assert.True(restore.Code == 0, $"dotnet tool restore failed (exit {restore.Code}):\n{restore.Output}");

        var (code, output) = Execute(root, "bash", "docs/api/build.sh");
        Assert.True(code == 0, $"docs/api/build.sh failed (exit {code}); docfx's warnings are errors:\n{output}");
        Assert.Contains("0 warning(s)", output);
        // The reference holds a page for a type of every layer, so the libraries were really read.
        foreach (var type in new[] { "Encore.Core.ViewingEvent", "Encore.Storage.IEventStore", "Encore.Models.IRecommender", "Encore.Cluster.IMemberGrain" })
            Assert.True(File.Exists(Path.Combine(root, "docs", "api", "_site", "reference", type + ".html")), $"no page for {type} in docs/api/_site/reference");
    }

    static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Encore.slnx"))) return dir.FullName;
        throw new InvalidOperationException($"no Encore.slnx above {AppContext.BaseDirectory}: the test must run from a build of the repository");
    }

    static (int Code, string Output) Execute(string directory, string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(TimeSpan.FromMinutes(8)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', arguments)} ran for more than 8 minutes:\n{output}");
        }
        process.WaitForExit();
        lock (output) return (process.ExitCode, output.ToString());
    }
}

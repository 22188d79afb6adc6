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
        var root = Processes.RepositoryRoot();
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

    static (int Code, string Output) Execute(string directory, string file, params string[] arguments)
        => Processes.Run(directory, TimeSpan.FromMinutes(8), file, arguments);
}

using System.IO.Compression;
using System.Xml.Linq;
using Xunit;

namespace Encore.Packaging.Tests;

/// <summary>What `dotnet pack` puts in the feed: exactly the src/ projects, each with the metadata a user sees on NuGet.</summary>
public sealed class PackageTests(PackedFeed feed)
{
    private static readonly string[] Libraries =
    [
        "Encore.Core", "Encore.Storage", "Encore.Storage.Postgres", "Encore.Ingestion", "Encore.Signals", "Encore.Models",
        "Encore.Ranking", "Encore.Analytics", "Encore.Evaluation", "Encore.Simulation", "Encore.Service",
        "Encore.Cluster", "Encore.Cluster.Training", "Encore.Plots",
    ];

    private static XElement Nuspec(string package, out ZipArchive zip)
    {
        zip = ZipFile.OpenRead(package);
        var entry = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal) && !e.FullName.Contains('/'));
        using var stream = entry.Open();
        return XDocument.Load(stream).Root!;
    }

    private static XElement? Child(XElement parent, string name) => parent.Elements().FirstOrDefault(e => e.Name.LocalName == name);

    [Fact]
    public void The_feed_holds_one_package_and_its_symbols_for_each_src_project_and_nothing_else()
    {
        feed.RequirePacked();
        var expected = Libraries.Concat(["Encore.Server", "Encore.Cli"]).Order(StringComparer.Ordinal).ToList();
        var srcProjects = Directory.GetDirectories(Path.Combine(feed.RepositoryRoot, "src")).Select(d => Path.GetFileName(d)!).Order(StringComparer.Ordinal).ToList();
        // A new project under src/ packs too (Directory.Build.props): it must be named here and in Encore.Packages.slnf.
        Assert.Equal(expected, srcProjects);
        Assert.Equal(expected, feed.Packages.Keys.Order(StringComparer.Ordinal).ToList());
        foreach (var id in expected)
            Assert.True(File.Exists(Path.Combine(feed.Feed, $"{id}.{feed.Version}.snupkg")), $"no symbols package for {id}");
    }

    [Fact]
    public void Every_package_carries_its_id_version_description_licence_readme_and_commit()
    {
        feed.RequirePacked();
        foreach (var (id, path) in feed.Packages)
        {
            var nuspec = Child(Nuspec(path, out var zip), "metadata")!;
            using (zip)
            {
                Assert.Equal(id, Child(nuspec, "id")?.Value);
                Assert.Equal(feed.Version, Child(nuspec, "version")?.Value);
                var description = Child(nuspec, "description")?.Value ?? "";
                Assert.True(description.Length > 40 && description != "Package Description", $"{id}: description '{description}'");
                var license = Child(nuspec, "license");
                Assert.Equal("expression", license?.Attribute("type")?.Value);
                Assert.Equal("MIT", license?.Value);
                Assert.Equal("README.md", Child(nuspec, "readme")?.Value);
                Assert.Contains(zip.Entries, e => e.FullName == "README.md" && e.Length > 500);
                // Source Link: the commit the package was built from (and the repository's address where it has a remote).
                Assert.Matches("^[0-9a-f]{40}$", Child(nuspec, "repository")?.Attribute("commit")?.Value ?? "");
                // Dependencies between Encore's packages name this very version.
                foreach (var dependency in nuspec.Descendants().Where(e => e.Name.LocalName == "dependency"))
                    if (dependency.Attribute("id")!.Value.StartsWith("Encore.", StringComparison.Ordinal))
                        Assert.Equal(feed.Version, dependency.Attribute("version")!.Value);
            }
        }
    }

    [Fact]
    public void The_libraries_and_the_server_ship_their_assembly_and_the_cli_is_the_encore_tool()
    {
        feed.RequirePacked();
        foreach (var id in Libraries)
        {
            using var zip = ZipFile.OpenRead(feed.Packages[id]);
            Assert.Contains(zip.Entries, e => e.FullName == $"lib/net10.0/{id}.dll");
        }

        using (var server = ZipFile.OpenRead(feed.Packages["Encore.Server"]))
        {
            Assert.Contains(server.Entries, e => e.FullName == "lib/net10.0/encore-server.dll");
            var nuspec = Nuspec(feed.Packages["Encore.Server"], out var zip);
            using (zip)
                Assert.Contains(nuspec.Descendants(), e => e.Name.LocalName == "frameworkReference" && e.Attribute("name")?.Value == "Microsoft.AspNetCore.App");
        }

        var tool = Nuspec(feed.Packages["Encore.Cli"], out var cli);
        using (cli)
        {
            Assert.Contains(tool.Descendants(), e => e.Name.LocalName == "packageType" && e.Attribute("name")?.Value == "DotnetTool");
            var settings = cli.Entries.Single(e => e.FullName == "tools/net10.0/any/DotnetToolSettings.xml");
            using var stream = settings.Open();
            var command = XDocument.Load(stream).Descendants("Command").Single();
            Assert.Equal("encore", command.Attribute("Name")?.Value);
            Assert.Equal("encore.dll", command.Attribute("EntryPoint")?.Value);
        }
    }

    [Fact]
    public void The_samples_use_the_version_the_repository_packs()
    {
        // samples/Directory.Build.props names the Encore version a user of the samples restores; it follows VersionPrefix.
        var props = File.ReadAllText(Path.Combine(feed.RepositoryRoot, "samples", "Directory.Build.props"));
        Assert.Contains($">{feed.VersionPrefix}</EncoreVersion>", props, StringComparison.Ordinal);
        Assert.Contains($"## [{feed.VersionPrefix}]", File.ReadAllText(Path.Combine(feed.RepositoryRoot, "CHANGELOG.md")), StringComparison.Ordinal);
    }
}

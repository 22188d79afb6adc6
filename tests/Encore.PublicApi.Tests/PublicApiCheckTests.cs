using Encore.TestSupport;
using Xunit;

namespace Encore.PublicApi.Tests;

/// <summary>
/// The public-API check of issue 15, exercised for real: a small library is laid out in a temporary copy of the
/// repository's build settings (Directory.Build.props, Directory.Packages.props and tools/public-api.sh, copied from this
/// checkout), built with `dotnet build`, changed, and built again. An undeclared change of its public surface must fail
/// the build and name the symbol; `tools/public-api.sh update` must declare it so that the next build passes.
/// </summary>
public sealed class PublicApiCheckTests
{
    const string Shipped = """
        #nullable enable
        Encore.Tiny.Greeter
        Encore.Tiny.Greeter.Greeter() -> void
        Encore.Tiny.Greeter.Hello(string! name) -> string!
        """;

    const string Greeter = """
        namespace Encore.Tiny;

        /// <summary>Greets people.</summary>
        public sealed class Greeter
        {
            /// <summary>A greeting for <paramref name="name"/>.</summary>
            /// <param name="name">Who is greeted.</param>
            public string Hello(string name) => "Hello, " + name;
        }
        """;

    [Fact]
    public void An_undeclared_public_member_fails_the_build_with_RS0016_naming_it_until_the_update_script_declares_it()
    {
        using var repo = TinyRepository.Create(Shipped, Greeter);
        repo.BuildSucceeds();

        repo.Write("Greeter.cs", Greeter.Replace(
            "    public string Hello(string name) => \"Hello, \" + name;",
            """
                public string Hello(string name) => "Hello, " + name;

                /// <summary><paramref name="text"/> in capitals.</summary>
                /// <param name="text">What is shouted.</param>
                public string Shout(string text) => text.ToUpperInvariant();
            """));
        var failed = repo.BuildFails();
        Assert.Contains("error RS0016: Symbol 'Encore.Tiny.Greeter.Shout(string! text) -> string!' is not part of the declared public API", failed);

        repo.Run("bash", "tools/public-api.sh", "update");
        Assert.Equal(["#nullable enable", "Encore.Tiny.Greeter.Shout(string! text) -> string!"], repo.Lines("PublicAPI.Unshipped.txt"));
        repo.BuildSucceeds();
    }

    [Fact]
    public void A_declared_member_that_is_gone_fails_the_build_with_RS0017_until_the_update_script_records_its_removal()
    {
        using var repo = TinyRepository.Create(Shipped, Greeter);
        repo.Write("Greeter.cs", Greeter.Replace("    public string Hello(", "    internal string Hello("));
        var failed = repo.BuildFails();
        Assert.Contains("error RS0017: Symbol 'Encore.Tiny.Greeter.Hello(string! name) -> string!' is part of the declared API, but is either not public or could not be found", failed);

        repo.Run("bash", "tools/public-api.sh", "update");
        // A shipped symbol is not deleted from PublicAPI.Shipped.txt: its removal is an unshipped change, reviewed as such.
        Assert.Equal(["#nullable enable", "*REMOVED*Encore.Tiny.Greeter.Hello(string! name) -> string!"], repo.Lines("PublicAPI.Unshipped.txt"));
        repo.BuildSucceeds();
    }

    [Fact]
    public void A_public_member_without_a_doc_comment_fails_the_build_of_a_documented_library()
    {
        using var repo = TinyRepository.Create(Shipped, Greeter.Replace("    /// <summary>A greeting for <paramref name=\"name\"/>.</summary>\n    /// <param name=\"name\">Who is greeted.</param>\n", ""));
        var failed = repo.BuildFails();
        Assert.Contains("error CS1591", failed);
        Assert.Contains("Greeter.Hello(string)", failed);
    }

    [Fact]
    public void Every_packed_library_declares_its_public_api()
    {
        var root = TinyRepository.RepositoryRoot();
        var libraries = Directory.GetDirectories(Path.Combine(root, "src"))
            .Where(d => Directory.GetFiles(d, "*.csproj").Length == 1 && Path.GetFileName(d) != "Encore.Cli")
            .ToList();
        Assert.NotEmpty(libraries);
        foreach (var library in libraries)
            foreach (var file in new[] { "PublicAPI.Shipped.txt", "PublicAPI.Unshipped.txt" })
            {
                var path = Path.Combine(library, file);
                Assert.True(File.Exists(path), $"{path} is missing: run `tools/public-api.sh update {Path.GetFileName(library)}`");
                Assert.Equal("#nullable enable", File.ReadLines(path).FirstOrDefault());
            }
    }

    /// <summary>A temporary folder laid out like the repository: its build settings and script, and src/Encore.Tiny.</summary>
    sealed class TinyRepository : IDisposable
    {
        readonly TempFolder _folder = new();
        string Library => Path.Combine(_folder.Path, "src", "Encore.Tiny");

        public static string RepositoryRoot() => Processes.RepositoryRoot();

        public static TinyRepository Create(string shipped, string greeter)
        {
            var root = RepositoryRoot();
            var repo = new TinyRepository();
            var target = repo._folder.Path;
            foreach (var file in new[] { "Directory.Build.props", "Directory.Packages.props", "global.json", "NuGet.config" })
                if (File.Exists(Path.Combine(root, file))) File.Copy(Path.Combine(root, file), Path.Combine(target, file));
            Directory.CreateDirectory(Path.Combine(target, "tools"));
            File.Copy(Path.Combine(root, "tools", "public-api.sh"), Path.Combine(target, "tools", "public-api.sh"));
            Directory.CreateDirectory(repo.Library);
            repo.Write("Encore.Tiny.csproj", "<Project Sdk=\"Microsoft.NET.Sdk\" />\n");
            repo.Write("PublicAPI.Shipped.txt", shipped + "\n");
            repo.Write("PublicAPI.Unshipped.txt", "#nullable enable\n");
            repo.Write("Greeter.cs", greeter);
            return repo;
        }

        public void Write(string name, string text) => File.WriteAllText(Path.Combine(Library, name), text);

        public string[] Lines(string name) => File.ReadAllLines(Path.Combine(Library, name));

        public void BuildSucceeds()
        {
            var (code, output) = Build();
            Assert.True(code == 0, $"dotnet build failed (exit {code}):\n{output}");
        }

        public string BuildFails()
        {
            var (code, output) = Build();
            Assert.True(code != 0, $"dotnet build succeeded, expected it to fail:\n{output}");
            return output;
        }

        (int Code, string Output) Build() =>
            Execute("dotnet", "build", "src/Encore.Tiny/Encore.Tiny.csproj", "-c", "Release", "-nologo", "-tl:off", "-v", "quiet", "-clp:NoSummary;ForceNoAlign");

        public void Run(string file, params string[] arguments)
        {
            var (code, output) = Execute(file, arguments);
            Assert.True(code == 0, $"{file} {string.Join(' ', arguments)} failed (exit {code}):\n{output}");
        }

        (int Code, string Output) Execute(string file, params string[] arguments)
            => Processes.Run(_folder.Path, TimeSpan.FromMinutes(5), file, arguments);

        public void Dispose() => _folder.Dispose();
    }
}

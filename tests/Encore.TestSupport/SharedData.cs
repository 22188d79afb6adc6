using Xunit;

namespace Encore.TestSupport;

/// <summary>
/// Finds the data sets kept outside the repository in <c>../shared/data</c> (research use only; never copied
/// here). Tests that need one call <see cref="RequireMl100k"/>, which reports the test as skipped, with the
/// reason, on a machine that does not have it.
/// </summary>
public static class SharedData
{
    /// <summary>The shared data folder: $ENCORE_SHARED_DATA, else the first ancestor's sibling shared/data.</summary>
    public static string? DataRoot
    {
        get
        {
            var env = Environment.GetEnvironmentVariable("ENCORE_SHARED_DATA");
            if (!string.IsNullOrEmpty(env) && Directory.Exists(env)) return env;
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "shared", "data");
                if (Directory.Exists(candidate)) return candidate;
            }
            return null;
        }
    }

    /// <summary>The MovieLens 100K folder, or a skip of the calling test naming what is missing.</summary>
    public static string RequireMl100k()
    {
        var root = DataRoot;
        var folder = root is null ? null : Path.Combine(root, "ml-100k");
        if (folder is null || !File.Exists(Path.Combine(folder, "u.data")))
            Assert.Skip("MovieLens 100K not found: expected ../shared/data/ml-100k/u.data beside the repository (or set ENCORE_SHARED_DATA)");
        return folder!;
    }
}

/// <summary>A temporary folder deleted when disposed.</summary>
public sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "encore-test-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

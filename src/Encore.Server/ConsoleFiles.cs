using System.Collections.Frozen;
using System.Reflection;

namespace Encore.Server;

/// <summary>
/// The web console: its files are embedded in the server's assembly (console/...), served at / with their content types,
/// never fetched from elsewhere (no network at run time).
/// </summary>
internal static class ConsoleFiles
{
    private static readonly FrozenDictionary<string, (byte[] Content, string Type)> Files = Load();

    private static FrozenDictionary<string, (byte[], string)> Load()
    {
        var assembly = typeof(ConsoleFiles).Assembly;
        var files = new Dictionary<string, (byte[], string)>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames())
        {
            if (!name.StartsWith("console/", StringComparison.Ordinal)) continue;
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            files[name["console/".Length..]] = (copy.ToArray(), TypeOf(name));
        }
        return files.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static string TypeOf(string name) => Path.GetExtension(name) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        ".png" => "image/png",
        ".ico" => "image/x-icon",
        _ => "application/octet-stream",
    };

    public static void Map(WebApplication app)
    {
        app.MapGet("/", () => Serve("index.html")).ExcludeFromDescription();
        app.MapGet("/console/{*path}", (string path) => Serve(path)).ExcludeFromDescription();
    }

    private static IResult Serve(string path)
        => Files.TryGetValue(path, out var file)
            ? Results.Bytes(file.Content, file.Type)
            : Problems.NotFound($"no console file '{Core.UnicodeText.Clip(path)}'");
}

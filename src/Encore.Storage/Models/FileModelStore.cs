using System.Globalization;
using System.Text.RegularExpressions;

namespace Encore.Storage.Models;

/// <summary>
/// A model store in a folder: <c>v0001.model</c> (the payload) and <c>v0001.json</c> (the description). A payload is
/// written to a temporary file of its own, then the first free <c>vNNNN.model</c> name is claimed by creating it
/// exclusively (so two processes sharing the folder never take the same number) and the payload renamed over it, then
/// the description is written beside its name
/// and moved over it; a version is listed only once its description exists, so a cut-off write is never visible.
/// What a write cut off by a crash leaves (its temporary file, or a payload whose description was never written) is
/// removed when the store is next opened, once untouched for <see cref="AbandonedAfter"/> (a write still going on in
/// another process keeps its file fresh).
/// </summary>
public sealed partial class FileModelStore : IModelStore
{
    /// <summary>Opens (creating it where needed) the store in <paramref name="directory"/>.</summary>
    public FileModelStore(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory = Path.GetFullPath(directory);
        System.IO.Directory.CreateDirectory(Directory);
        RemoveAbandoned(DateTime.UtcNow - AbandonedAfter);
    }

    /// <summary>How long a temporary file or a payload without a description is left alone before it counts as abandoned.</summary>
    public static readonly TimeSpan AbandonedAfter = TimeSpan.FromHours(1);

    /// <summary>The folder the versions are in.</summary>
    public string Directory { get; }

    /// <inheritdoc />
    public string Location => Directory;

    /// <inheritdoc />
    public IReadOnlyList<StoredModel> List()
    {
        var found = new List<StoredModel>();
        foreach (var file in System.IO.Directory.EnumerateFiles(Directory, "v*.json"))
        {
            if (Number(Path.GetFileNameWithoutExtension(file)) is not { } number) continue;
            if (!File.Exists(PayloadPath(number))) continue;
            string description;
            try { description = File.ReadAllText(file); }
            catch (FileNotFoundException) { continue; }
            found.Add(new StoredModel(number, description));
        }
        found.Sort((a, b) => a.Number.CompareTo(b.Number));
        return found;
    }

    /// <inheritdoc />
    public StoredModel Add(Action<Stream> writePayload, Func<int, string> describe)
    {
        ArgumentNullException.ThrowIfNull(writePayload);
        ArgumentNullException.ThrowIfNull(describe);
        var temp = Path.Combine(Directory, ".upload-" + Guid.NewGuid().ToString("N") + ".tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                writePayload(stream);
                stream.Flush(flushToDisk: true);
            }
            // The number is claimed by creating its payload file exclusively (O_CREAT | O_EXCL: one writer wins, even
            // across processes), then the written payload is renamed over the claim. (A no-overwrite File.Move is not
            // atomic on every platform: two writers racing for one number both succeeded here.)
            int number = HighestNumber() + 1;
            while (true)
            {
                try
                {
                    using (new FileStream(PayloadPath(number), FileMode.CreateNew, FileAccess.Write, FileShare.None)) { }
                    break;
                }
                catch (IOException) when (File.Exists(PayloadPath(number)))
                {
                    number++; // another writer took it first
                }
            }
            File.Move(temp, PayloadPath(number), overwrite: true);
            var description = describe(number);
            var path = DescriptionPath(number);
            File.WriteAllText(path + ".tmp", description);
            File.Move(path + ".tmp", path, overwrite: true);
            return new StoredModel(number, description);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// An empty <c>vNNNN.deleted</c> file is written first and stays (it keeps the number taken), then the description is
    /// removed (the version stops being listed), then the payload; a delete cut off after the first step leaves a payload
    /// without a description, removed as abandoned.
    /// </remarks>
    public bool Delete(int number)
    {
        if (number < 1 || !File.Exists(DescriptionPath(number))) return false;
        File.WriteAllBytes(Path.Combine(Directory, Name(number) + ".deleted"), []);
        try { File.Delete(DescriptionPath(number)); }
        catch (FileNotFoundException) { return false; }
        File.Delete(PayloadPath(number));
        return true;
    }

    /// <inheritdoc />
    public Stream OpenRead(int number)
    {
        if (number < 1 || !File.Exists(DescriptionPath(number)) || !File.Exists(PayloadPath(number)))
            throw new KeyNotFoundException($"{Directory}: no model version {number}");
        return new FileStream(PayloadPath(number), FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
    }

    /// <summary>
    /// Removes the leftovers of cut-off writes last written before <paramref name="before"/>: <c>.upload-*.tmp</c> payloads,
    /// <c>v*.json.tmp</c> descriptions, and <c>vNNNN.model</c> payloads that never got their description (never listed,
    /// so a later write may take their number again). Returns the files removed.
    /// </summary>
    internal int RemoveAbandoned(DateTime before)
    {
        int removed = 0;
        foreach (var file in System.IO.Directory.EnumerateFiles(Directory))
        {
            var name = Path.GetFileName(file);
            bool leftover = (name.StartsWith(".upload-", StringComparison.Ordinal) && name.EndsWith(".tmp", StringComparison.Ordinal))
                || (name.StartsWith('v') && name.EndsWith(".json.tmp", StringComparison.Ordinal))
                || (name.EndsWith(".model", StringComparison.Ordinal) && Number(Path.GetFileNameWithoutExtension(name)) is { } n && !File.Exists(DescriptionPath(n)));
            if (!leftover) continue;
            try
            {
                if (File.GetLastWriteTimeUtc(file) >= before) continue;
                File.Delete(file);
                removed++;
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return removed;
    }

    private int HighestNumber()
    {
        int highest = 0;
        foreach (var file in System.IO.Directory.EnumerateFiles(Directory, "v*.*"))
        {
            var name = Path.GetFileName(file);
            int dot = name.IndexOf('.', StringComparison.Ordinal);
            if (dot > 0 && Number(name[..dot]) is { } n) highest = Math.Max(highest, n);
        }
        return highest;
    }

    private string PayloadPath(int number) => Path.Combine(Directory, Name(number) + ".model");

    private string DescriptionPath(int number) => Path.Combine(Directory, Name(number) + ".json");

    /// <summary>The file name of version <paramref name="number"/>: v0001, v0002, ...</summary>
    public static string Name(int number) => string.Create(CultureInfo.InvariantCulture, $"v{number:D4}");

    private static int? Number(string name)
        => VersionName().IsMatch(name) && int.TryParse(name.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0 ? n : null;

    [GeneratedRegex("^v[0-9]{4,9}$")]
    private static partial Regex VersionName();
}

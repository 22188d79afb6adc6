namespace Encore.Plots;

/// <summary>The image formats a figure is written in, chosen by the file's extension.</summary>
public enum FigureFormat
{
    /// <summary>A PNG raster image (<c>.png</c>).</summary>
    Png,

    /// <summary>An SVG vector image (<c>.svg</c>).</summary>
    Svg,
}

/// <summary>
/// Where a figure goes: a <c>.png</c> or <c>.svg</c> path whose folder exists and can be written. <see cref="Parse"/>
/// checks all of it before any work starts, so a run that will fail to save its figure fails at once, with the reason.
/// </summary>
public sealed record FigureFile
{
    private FigureFile(string path, FigureFormat format) => (Path, Format) = (path, format);

    /// <summary>The full path of the image.</summary>
    public string Path { get; }

    /// <summary>The format, from the extension.</summary>
    public FigureFormat Format { get; }

    /// <summary>
    /// Checks <paramref name="path"/>: the extension is <c>.png</c> or <c>.svg</c> (any case), its folder exists, and a file
    /// can be created there (probed by creating it, and removing it again when it did not exist before).
    /// </summary>
    /// <exception cref="ArgumentException">The path is empty, has another extension, or cannot be written (the message says why).</exception>
    public static FigureFile Parse(string path)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new ArgumentException("the figure path is empty (give a .png or .svg file)", nameof(path));
        var extension = System.IO.Path.GetExtension(path);
        FigureFormat format = extension.ToLowerInvariant() switch
        {
            ".png" => FigureFormat.Png,
            ".svg" => FigureFormat.Svg,
            _ => throw new ArgumentException(
                $"{path}: a figure is a .png or .svg file ({(extension.Length == 0 ? "no extension" : "not " + extension)})", nameof(path)),
        };
        string full;
        try { full = System.IO.Path.GetFullPath(path); }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new ArgumentException($"{path}: not a usable file path ({e.Message})", nameof(path), e);
        }
        var folder = System.IO.Path.GetDirectoryName(full)!;
        if (!Directory.Exists(folder)) throw new ArgumentException($"{path}: no such folder {folder}", nameof(path));
        if (Directory.Exists(full)) throw new ArgumentException($"{path}: is a folder, not a file", nameof(path));
        bool existed = File.Exists(full);
        try
        {
            using (new FileStream(full, FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite)) { }
            if (!existed) File.Delete(full);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"{path}: cannot be written ({e.Message})", nameof(path), e);
        }
        return new FigureFile(full, format);
    }
}

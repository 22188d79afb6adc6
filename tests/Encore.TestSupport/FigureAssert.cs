using System.Xml.Linq;
using SkiaSharp;
using Xunit;

namespace Encore.TestSupport;

/// <summary>
/// Checks a figure file as a reader would open it: a PNG is decoded (SkiaSharp) and must have the expected size and
/// more than a few distinct colours (not a blank or one-colour image); an SVG is parsed as XML and must declare the
/// expected width and height and draw text and shapes.
/// </summary>
public static class FigureAssert
{
    /// <summary>Fewest distinct colours a drawn figure has: a blank image has 1, anti-aliased text and bars give hundreds.</summary>
    public const int MinColours = 16;

    /// <summary>Decodes the PNG at <paramref name="path"/> and returns its number of distinct colours.</summary>
    public static int Png(string path, int width, int height)
    {
        Assert.True(File.Exists(path), $"no figure at {path}");
        var bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length > 8 && bytes[0] == 0x89 && bytes[1] == (byte)'P' && bytes[2] == (byte)'N' && bytes[3] == (byte)'G',
            $"{path} does not start with the PNG signature");
        using var bitmap = SKBitmap.Decode(bytes);
        Assert.True(bitmap is not null, $"{path} could not be decoded as an image");
        Assert.Equal(width, bitmap.Width);
        Assert.Equal(height, bitmap.Height);
        var colours = new HashSet<uint>();
        foreach (var pixel in bitmap.Pixels) colours.Add((uint)pixel);
        Assert.True(colours.Count > MinColours, $"{path} has only {colours.Count} distinct colours: a blank figure");
        return colours.Count;
    }

    /// <summary>Parses the SVG at <paramref name="path"/>; returns the document.</summary>
    public static XDocument Svg(string path, int width, int height)
    {
        Assert.True(File.Exists(path), $"no figure at {path}");
        var document = XDocument.Load(path);
        var root = document.Root!;
        Assert.Equal("svg", root.Name.LocalName);
        Assert.Equal(width, Pixels(root.Attribute("width")?.Value));
        Assert.Equal(height, Pixels(root.Attribute("height")?.Value));
        var drawn = root.Descendants().Count(e => e.Name.LocalName is "path" or "rect" or "line" or "polyline");
        var text = root.Descendants().Count(e => e.Name.LocalName == "text");
        Assert.True(drawn > 10, $"{path} draws only {drawn} shapes");
        Assert.True(text > 5, $"{path} has only {text} texts");
        return document;
    }

    private static int Pixels(string? value)
    {
        Assert.False(string.IsNullOrEmpty(value), "the SVG declares no size");
        var number = value!.EndsWith("px", StringComparison.Ordinal) ? value[..^2] : value;
        return (int)Math.Round(double.Parse(number, System.Globalization.CultureInfo.InvariantCulture));
    }
}

using ScottPlot;
using SkiaSharp;

namespace Encore.Plots;

/// <summary>
/// One image: one or more ScottPlot panels laid out in a grid of <see cref="Rows"/> x <see cref="Columns"/>, row by row,
/// rendered to PNG or SVG at <see cref="Width"/> x <see cref="Height"/> pixels.
/// </summary>
public sealed class Figure
{
    /// <summary>The default width in pixels: small enough for a README, wide enough for a dozen labelled bars.</summary>
    public const int DefaultWidth = 800;

    /// <summary>The default height in pixels.</summary>
    public const int DefaultHeight = 500;

    /// <summary>The face every text of a figure is drawn in (DejaVu Sans comes with the base image's fonts-dejavu-core).</summary>
    public const string FontName = "DejaVu Sans";

    /// <summary>A figure of the given panels, <paramref name="columns"/> to a row.</summary>
    /// <exception cref="ArgumentException">No panels, a size under 100 x 100 pixels, or fewer than one column.</exception>
    public Figure(IReadOnlyList<Plot> panels, int columns = 1, int width = DefaultWidth, int height = DefaultHeight)
    {
        if (panels.Count == 0) throw new ArgumentException("a figure needs at least one panel", nameof(panels));
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 100);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 100);
        Panels = panels;
        Columns = Math.Min(columns, panels.Count);
        Rows = (panels.Count + Columns - 1) / Columns;
        Width = width;
        Height = height;
        foreach (var panel in panels)
        {
            panel.Font.Set(FontName);
            panel.Legend.FontName = FontName;
        }
    }

    /// <summary>The panels, row by row.</summary>
    public IReadOnlyList<Plot> Panels { get; }

    /// <summary>Panels to a row.</summary>
    public int Columns { get; }

    /// <summary>Rows of panels.</summary>
    public int Rows { get; }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>Writes the figure to <paramref name="file"/> in its format (a temporary file first, moved into place once whole).</summary>
    /// <exception cref="IOException">The file could not be written.</exception>
    public void Save(FigureFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        var temporary = file.Path + ".tmp-" + Environment.ProcessId;
        try
        {
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write))
            {
                if (file.Format == FigureFormat.Png) WritePng(stream);
                else WriteSvg(stream);
            }
            File.Move(temporary, file.Path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }

    /// <summary>The figure as PNG bytes.</summary>
    public byte[] ToPng()
    {
        using var stream = new MemoryStream();
        WritePng(stream);
        return stream.ToArray();
    }

    private void WritePng(Stream stream)
    {
        using var surface = SKSurface.Create(new SKImageInfo(Width, Height, SKColorType.Rgba8888, SKAlphaType.Premul))
            ?? throw new InvalidOperationException($"SkiaSharp could not allocate a {Width} x {Height} surface");
        Draw(surface.Canvas);
        using var image = surface.Snapshot();
        using var data = image.Encode(SKEncodedImageFormat.Png, 100)
            ?? throw new InvalidOperationException("SkiaSharp could not encode the figure as PNG");
        data.SaveTo(stream);
    }

    private void WriteSvg(Stream stream)
    {
        using (var managed = new SKManagedWStream(stream, disposeManagedStream: false))
        using (var canvas = SKSvgCanvas.Create(SKRect.Create(Width, Height), managed))
        {
            Draw(canvas);
        }
        stream.Flush();
    }

    private void Draw(SKCanvas canvas)
    {
        canvas.Clear(SKColors.White);
        float cellWidth = (float)Width / Columns, cellHeight = (float)Height / Rows;
        for (int i = 0; i < Panels.Count; i++)
        {
            int row = i / Columns, column = i % Columns;
            float left = column * cellWidth, top = row * cellHeight;
            // A panel clears its background: the clip keeps it to its own cell.
            canvas.Save();
            canvas.ClipRect(SKRect.Create(left, top, cellWidth, cellHeight));
            Panels[i].Render(canvas, new PixelRect(left, left + cellWidth, top + cellHeight, top));
            canvas.Restore();
        }
        canvas.Flush();
    }
}

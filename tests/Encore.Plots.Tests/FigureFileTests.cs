using Encore.TestSupport;
using Xunit;

namespace Encore.Plots.Tests;

/// <summary><see cref="FigureFile.Parse"/>: the format by extension, and every path that cannot take a figure refused with the reason.</summary>
public sealed class FigureFileTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("a.png", FigureFormat.Png)]
    [InlineData("a.PNG", FigureFormat.Png)]
    [InlineData("a.svg", FigureFormat.Svg)]
    [InlineData("a.Svg", FigureFormat.Svg)]
    public void The_extension_chooses_the_format_and_probing_leaves_no_file(string name, FigureFormat format)
    {
        var path = _temp.File(name);
        var file = FigureFile.Parse(path);
        Assert.Equal(format, file.Format);
        Assert.Equal(Path.GetFullPath(path), file.Path);
        Assert.False(File.Exists(path), "checking a new path must not leave an empty file behind");
    }

    [Fact]
    public void An_existing_file_is_kept_as_it_was()
    {
        var path = _temp.File("old.png");
        File.WriteAllText(path, "previous");
        FigureFile.Parse(path);
        Assert.Equal("previous", File.ReadAllText(path));
    }

    [Theory]
    [InlineData("plot.jpg", "a figure is a .png or .svg file (not .jpg)")]
    [InlineData("plot", "a figure is a .png or .svg file (no extension)")]
    [InlineData("plot.png.txt", "a figure is a .png or .svg file (not .txt)")]
    public void Another_extension_is_refused_by_name(string name, string reason)
    {
        var e = Assert.Throws<ArgumentException>(() => FigureFile.Parse(_temp.File(name)));
        Assert.Contains(reason, e.Message);
        Assert.Contains(name, e.Message);
    }

    [Fact]
    public void A_missing_folder_is_named()
    {
        var folder = _temp.File("nowhere");
        var e = Assert.Throws<ArgumentException>(() => FigureFile.Parse(Path.Combine(folder, "a.png")));
        Assert.Contains("no such folder " + folder, e.Message);
    }

    [Fact]
    public void A_folder_is_not_a_file()
    {
        var folder = _temp.File("figure.png");
        Directory.CreateDirectory(folder);
        var e = Assert.Throws<ArgumentException>(() => FigureFile.Parse(folder));
        Assert.Contains("is a folder, not a file", e.Message);
    }

    [Fact]
    public void A_folder_that_cannot_be_written_is_refused_before_any_work()
    {
        var folder = _temp.File("locked");
        Directory.CreateDirectory(folder);
        using (ReadOnlyPaths.Make(folder))
        {
            var e = Assert.Throws<ArgumentException>(() => FigureFile.Parse(Path.Combine(folder, "a.svg")));
            Assert.Contains("cannot be written", e.Message);
        }
    }

    [Fact]
    public void An_empty_path_is_refused()
        => Assert.Contains("the figure path is empty", Assert.Throws<ArgumentException>(() => FigureFile.Parse(" ")).Message);
}

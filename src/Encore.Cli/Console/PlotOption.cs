using System.CommandLine;
using Encore.Plots;

namespace Encore.Cli.Terminal;

/// <summary>
/// The `--plot FILE` option of `encore eval`, `encore tune` and `encore simulate --report`: the figure of the run as a
/// PNG, or SVG when FILE ends in .svg. The path is checked while the command line is parsed (extension, folder,
/// write access), so a figure that cannot be saved is a usage error before any work; the drawing is Encore.Plots'.
/// </summary>
public static class PlotOption
{
    /// <summary>The option, described as drawing <paramref name="what"/>.</summary>
    public static Option<string?> Create(string what)
    {
        var option = new Option<string?>("--plot")
        {
            Description = $"Also draw {what} into FILE: a PNG ({Figure.DefaultWidth} x {Figure.DefaultHeight} pixels or so), or SVG when FILE ends in .svg.",
            HelpName = "FILE",
        };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string?>() is not { } path) return;
            try { FigureFile.Parse(path); }
            catch (ArgumentException e) { result.AddError("--plot " + CliException.PlainMessage(e)); }
        });
        return option;
    }

    /// <summary>The figure file the command line names, or null without --plot.</summary>
    public static FigureFile? Resolve(ParseResult parseResult, Option<string?> option)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        if (parseResult.GetValue(option) is not { } path) return null;
        try { return FigureFile.Parse(path); }
        catch (ArgumentException e) { throw new CliException(ExitCodes.Usage, "--plot " + CliException.PlainMessage(e), e); }
    }

    /// <summary>Draws the figure (when --plot was given) and says where it went on standard error, so standard output stays the result.</summary>
    public static void Save(ParseResult parseResult, FigureFile? file, Func<Figure> draw)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        ArgumentNullException.ThrowIfNull(draw);
        if (file is null) return;
        var figure = draw();
        try { figure.Save(file); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException(ExitCodes.BadInput, $"cannot write --plot {file.Path}: {e.Message}", e);
        }
        parseResult.InvocationConfiguration.Error.WriteLine($"figure: {file.Path} ({figure.Width} x {figure.Height} {file.Format.ToString().ToUpperInvariant()})");
    }
}

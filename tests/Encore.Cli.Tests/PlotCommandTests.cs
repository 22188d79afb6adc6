using Encore.TestSupport;
using Xunit;

namespace Encore.Cli.Tests;

/// <summary>
/// `--plot FILE` on `encore eval`, `encore tune`, `encore simulate --report` and the P-SIM ablation (`encore eval
/// --protocol p-sim`), run as the real program: each writes a decodable image of the promised size that is not blank,
/// and a path that cannot take a figure is a one-line usage error before any work.
/// </summary>
public sealed class PlotCommandTests : IDisposable
{
    private readonly TempFolder _temp = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _temp.Dispose();

    private Task<EncoreRun> Encore(params string[] args) => EncoreProcess.RunAsync(_temp.File("data-home"), Ct, args);

    [Fact]
    public async Task Eval_draws_the_test_figures_of_the_model()
    {
        var data = SharedData.RequireMl100k();
        var png = _temp.File("eval.png");
        var run = await Encore("eval", "--protocol", "p-topn", "--data", data, "--model", "popularity", "--plot", png, "--json");
        Assert.True(run.ExitCode == 0, run.ToString());
        FigureAssert.Png(png, 800, 500);
        Assert.Contains($"figure: {png} (800 x 500 PNG)", run.Error);
        Assert.StartsWith("{", run.Output.TrimEnd().Split('\n')[^1], StringComparison.Ordinal); // the JSON line stays last
    }

    [Fact]
    public async Task Tune_draws_the_curve_of_the_parameter_searched_as_svg()
    {
        var data = SharedData.RequireMl100k();
        var svg = _temp.File("tune.svg");
        var run = await Encore("tune", "--protocol", "p-topn", "--data", data, "--model", "ease", "--grid", "lambda=100,400,1600", "--plot", svg);
        Assert.True(run.ExitCode == 0, run.ToString());
        var text = string.Concat(FigureAssert.Svg(svg, 800, 500).Descendants().Where(e => e.Name.LocalName == "text").Select(e => e.Value));
        Assert.Contains("1600", text);
        Assert.Contains("tuning ease on p-topn validation", text);
    }

    [Fact]
    public async Task Simulate_report_and_the_p_sim_ablation_draw_their_figures()
    {
        var db = _temp.File("sim.db");
        var calibration = _temp.File("calibration.png");
        var sim = await Encore("simulate", "--members", "60", "--titles", "40", "--days", "21", "--db", db, "--report", "--plot", calibration);
        Assert.True(sim.ExitCode == 0, sim.ToString());
        FigureAssert.Png(calibration, 960, 600);

        var ablation = _temp.File("ablation.png");
        var run = await Encore("eval", "--protocol", "p-sim", "--db", db, "--model", "popularity", "--plot", ablation);
        Assert.True(run.ExitCode == 0, run.ToString());
        FigureAssert.Png(ablation, 800, 700);
    }

    [Theory]
    [InlineData("eval", "plot.jpg", "a figure is a .png or .svg file (not .jpg)")]
    [InlineData("tune", "plot", "a figure is a .png or .svg file (no extension)")]
    [InlineData("simulate", "missing/plot.png", "no such folder")]
    public async Task A_path_that_cannot_take_a_figure_is_a_usage_error_before_any_work(string command, string name, string reason)
    {
        var path = _temp.File(name);
        // The data named does not exist: the --plot check comes first, so the error is about the figure.
        string[] args = command switch
        {
            "eval" => ["eval", "--protocol", "p-topn", "--data", _temp.File("no-data"), "--model", "popularity", "--plot", path],
            "tune" => ["tune", "--protocol", "p-topn", "--data", _temp.File("no-data"), "--model", "ease", "--plot", path],
            _ => ["simulate", "--db", _temp.File("sim.db"), "--report", "--plot", path],
        };
        var run = await Encore(args);
        Assert.Equal(1, run.ExitCode);
        var line = Assert.Single(run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"encore: --plot {path}: {reason}", line, StringComparison.Ordinal);
        Assert.EndsWith($"(see `encore {command} --help`)", line, StringComparison.Ordinal);
        Assert.False(File.Exists(_temp.File("sim.db")), "nothing is simulated when the figure cannot be saved");
    }

    [Fact]
    public async Task Simulate_plot_needs_the_report()
    {
        var run = await Encore("simulate", "--no-store", "--export-interactions", _temp.File("x.csv"), "--plot", _temp.File("a.png"));
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("encore: --plot draws the distributions of --report; give --report too", run.Error);
        Assert.False(File.Exists(_temp.File("x.csv")));
    }
}

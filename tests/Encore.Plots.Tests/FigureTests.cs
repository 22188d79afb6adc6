using System.Xml.Linq;
using Encore.Evaluation.Reporting;
using Encore.Evaluation.Tuning;
using Encore.Simulation;
using Encore.TestSupport;
using Xunit;

namespace Encore.Plots.Tests;

/// <summary>
/// Each figure drawn from the typed results its command has, written as PNG and SVG and read back: the size it
/// promises, not blank, and the texts a reader needs (the public figures, the parameters searched).
/// </summary>
public sealed class FigureTests : IDisposable
{
    private readonly TempFolder _temp = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task The_calibration_figure_of_a_small_simulation_draws_its_distributions_beside_the_public_figures()
    {
        var options = new SimulationOptions { Members = 200, Titles = 100, Days = 14, Seed = 7 };
        var report = new SimulationReportSink();
        await new SimulatedService(options).RunAsync(new PopularityPolicy(), report, ct: Ct);
        var figure = CalibrationFigure.Create(report.Build());
        Assert.Equal(6, figure.Panels.Count);

        var png = FigureFile.Parse(_temp.File("calibration.png"));
        figure.Save(png);
        FigureAssert.Png(png.Path, 960, 600);

        var svg = FigureFile.Parse(_temp.File("calibration.svg"));
        figure.Save(svg);
        var text = Texts(FigureAssert.Svg(svg.Path, 960, 600));
        Assert.Contains("public: 70.0% on TV", text);
        Assert.Contains("public: 80.0% recommended; 20.0% search", text);
        Assert.Contains("public: 60-90 s; 10-20 titles", text);
        Assert.Contains("200 x 100 x 14 d, seed 7", text);
    }

    [Fact]
    public void A_two_parameter_search_draws_one_curve_per_parameter_with_the_best_setting_named()
    {
        var trials = new List<RankingTrial>();
        foreach (var lambda in new[] { "50", "200", "800", "3200" })
            foreach (var weighting in new[] { "cosine", "bm25" })
            {
                double l = double.Parse(lambda, System.Globalization.CultureInfo.InvariantCulture);
                double ndcg = 0.2 - Math.Abs(Math.Log10(l) - Math.Log10(200)) * 0.02 + (weighting == "bm25" ? 0.01 : 0);
                trials.Add(new RankingTrial(new Dictionary<string, string> { ["lambda"] = lambda, ["weighting"] = weighting },
                    new Dictionary<string, double> { ["ndcg@20"] = ndcg, ["recall@20"] = ndcg * 1.3 }, 0.1));
            }
        var figure = TuningFigure.Create(trials, "ndcg@20", "tuning itemknn");
        Assert.Equal(2, figure.Panels.Count);
        Assert.Equal((800, 500), (figure.Width, figure.Height)); // two panels side by side
        var svg = FigureFile.Parse(_temp.File("tune.svg"));
        figure.Save(svg);
        var text = Texts(FigureAssert.Svg(svg.Path, 800, 500));
        Assert.Contains("best 0.2100: lambda=200 weighting=bm25", text);
        Assert.Contains("3200", text); // the numeric axis names the values tried
        Assert.Contains("cosine", text);

        var png = FigureFile.Parse(_temp.File("tune.png"));
        figure.Save(png);
        FigureAssert.Png(png.Path, 800, 500);
    }

    [Fact]
    public void A_search_of_one_setting_draws_its_trials_and_a_missing_metric_is_refused()
    {
        var trial = new RankingTrial(new Dictionary<string, string> { ["lambda"] = "200" }, new Dictionary<string, double> { ["hr@10"] = 0.14 }, 0.1);
        var figure = TuningFigure.Create([trial], "hr@10", "one setting");
        Assert.Equal((800, 500), (figure.Width, figure.Height));
        FigureAssert.Png(Save(figure, "one.png"), 800, 500);
        Assert.Contains("no ndcg@20", Assert.Throws<ArgumentException>(() => TuningFigure.Create([trial], "ndcg@20", "x")).Message);
        Assert.Throws<ArgumentException>(() => TuningFigure.Create(Array.Empty<RankingTrial>(), "hr@10", "x"));
    }

    [Fact]
    public void The_ablation_takes_only_p_sim_reports_with_a_signal_setting()
    {
        var report = new EvaluationReport("p-topn", "ml-100k", "ease", new Dictionary<string, string>(), new Encore.Evaluation.Ranking.SplitSizes(10, 5, 2),
            [new ReportMetric("ndcg@20", 0.1)], 0.1);
        var e = Assert.Throws<ArgumentException>(() => AblationFigure.Create([report]));
        Assert.Contains("not a P-SIM report with a signal setting", e.Message);
        Assert.Throws<ArgumentException>(() => AblationFigure.Create([]));
    }

    [Fact]
    public void A_rating_search_marks_the_lowest_rmse_as_best_and_a_rating_report_draws_every_fold()
    {
        var trials = new[] { 2.0, 5.0, 10.0 }.Select(d => new Encore.Evaluation.Rating.RatingTrial(
            new Dictionary<string, string> { ["user-damping"] = d.ToString(System.Globalization.CultureInfo.InvariantCulture) }, 0.94 + Math.Abs(d - 5) * 0.001, 0.1)).ToList();
        var tuning = TuningFigure.Create(trials, "tuning baseline");
        var text = Texts(FigureAssert.Svg(Save(tuning, "rating-tune.svg"), 800, 500));
        Assert.Contains("best 0.9400: user-damping=5", text);

        var report = new EvaluationReport("p-rating", "ml-100k", "baseline", new Dictionary<string, string>(), new Encore.Evaluation.Ranking.SplitSizes(80_000, 20_000, 940),
            [new ReportMetric("rmse", 0.944), new ReportMetric("mae", 0.748), new ReportMetric("rmseFolds", double.NaN, [0.95, 0.94, 0.94, 0.945, 0.946])], 1.2);
        var figure = EvaluationFigure.Create(report);
        var labels = Texts(FigureAssert.Svg(Save(figure, "rating.svg"), 800, 500));
        foreach (var name in new[] { "RMSE", "MAE", "RMSE fold 1", "RMSE fold 5", "0.9440" }) Assert.Contains(name, labels);
        FigureAssert.Png(Save(figure, "rating.png"), 800, 500);
    }

    private string Save(Figure figure, string name)
    {
        var file = FigureFile.Parse(_temp.File(name));
        figure.Save(file);
        return file.Path;
    }

    private static string Texts(XDocument svg)
        => string.Join("\n", svg.Descendants().Where(e => e.Name.LocalName == "text").Select(e => e.Value));
}

using System.Globalization;
using Encore.Core;
using Encore.Simulation;
using ScottPlot;

namespace Encore.Plots;

/// <summary>
/// A public figure the simulated service is calibrated against (docs/SIMULATION.md, "Calibration"): what it says,
/// its value or range, and where it comes from.
/// </summary>
/// <param name="Name">What the figure measures.</param>
/// <param name="Low">Its value, or the low end of its range.</param>
/// <param name="High">The high end of its range (the value again when it is one number).</param>
/// <param name="Source">Where it was published.</param>
public sealed record PublicFigure(string Name, double Low, double High, string Source)
{
    /// <summary>About 70% of Netflix viewing hours are on TV screens (Reed Hastings, 2018, widely reported).</summary>
    public static readonly PublicFigure TvShareOfHours = new("share of viewing hours on TV screens", 0.70, 0.70, "Netflix, 2018");

    /// <summary>About 80% of hours streamed are influenced by recommendations (Gomez-Uribe and Hunt, ACM TMIS 2015).</summary>
    public static readonly PublicFigure RecommendedShare = new("share of plays from recommendations", 0.80, 0.80, "Gomez-Uribe & Hunt 2015");

    /// <summary>The rest, about 20%, comes from search (the same paper).</summary>
    public static readonly PublicFigure SearchShare = new("share of plays from search", 0.20, 0.20, "Gomez-Uribe & Hunt 2015");

    /// <summary>Members lose interest after 60-90 s of choosing (the same paper).</summary>
    public static readonly PublicFigure PatienceSeconds = new("seconds of browsing before giving up", 60, 90, "Gomez-Uribe & Hunt 2015");

    /// <summary>... having reviewed 10-20 titles (the same paper).</summary>
    public static readonly PublicFigure PatienceTitles = new("titles looked at before giving up", 10, 20, "Gomez-Uribe & Hunt 2015");

    /// <summary>A long tail of titles, Pareto-like: the top 20% of titles take about 80% of viewing.</summary>
    public static readonly PublicFigure Top20PercentShare = new("share of viewers of the top 20% of titles", 0.80, 0.80, "Pareto 80/20");

    /// <summary>Netflix averaged about 2 hours a day per account (2023 engagement reports); the default service does not match it, to stay small.</summary>
    public static readonly PublicFigure HoursPerMemberDay = new("hours watched per member per day", 2.0, 2.0, "Netflix 2023");
}

/// <summary>
/// The distributions of a simulated run (<see cref="SimulationReport"/>, `encore simulate --report`) against the public
/// figures they are calibrated to (<see cref="PublicFigure"/>): viewing hours by device, where plays start,
/// popularity concentration, browsing patience, hours per member-day, and completion by true utility (a behaviour
/// check with no public figure). Simulated values are bars or points in colour; public figures are red marks or bands.
/// </summary>
public static class CalibrationFigure
{
    private static readonly Color Public = Colors.Red;

    /// <summary>The six panels of <paramref name="report"/>.</summary>
    public static Figure Create(SimulationReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var panels = new List<Plot> { Devices(report), Sources(report), Popularity(report), Patience(report), Hours(report), Completion(report) };
        var c = CultureInfo.InvariantCulture;
        panels[0].Title(string.Create(c, $"{report.Members:N0} x {report.Titles:N0} x {report.Days} d, seed {report.Seed}\nviewing hours by device"), size: 11);
        return new Figure(panels, columns: 3, width: 960, height: 600);
    }

    private static Plot Devices(SimulationReport r)
    {
        var plot = Panels.New("viewing hours by device", "share of hours");
        var names = SimMembers.Devices.Select(d => d.ToString().ToLowerInvariant()).ToList();
        var hours = SimMembers.Devices.Select(d => r.HoursShareByDevice.GetValueOrDefault(d)).ToArray();
        Panels.GroupedBars(plot, names, ["simulated"], [hours], "0%");
        PublicMarks(plot, hours.Max(), ((int)DeviceKind.Tv, PublicFigure.TvShareOfHours, " on TV"));
        return plot;
    }

    private static Plot Sources(SimulationReport r)
    {
        var plot = Panels.New("where plays start", "share of plays");
        Panels.GroupedBars(plot, ["homepage\n(recommended)", "search"], ["simulated"], [[r.ShareFromRecommendations, r.ShareFromSearch]], "0%");
        PublicMarks(plot, Math.Max(r.ShareFromRecommendations, r.ShareFromSearch), (0, PublicFigure.RecommendedShare, " recommended"), (1, PublicFigure.SearchShare, " search"));
        return plot;
    }

    private static Plot Popularity(SimulationReport r)
    {
        var plot = Panels.New("popularity: the most watched titles' share", "share of viewers", "top % of titles");
        double[] xs = [0, 1, 10, 20];
        double[] ys = [0, r.PlayShareTop1Percent, r.PlayShareTop10Percent, r.PlayShareTop20Percent];
        var line = plot.Add.Scatter(xs, ys, Panels.ColorOf(0));
        line.LineWidth = 2;
        line.MarkerSize = 7;
        line.LegendText = "simulated";
        var p = PublicFigure.Top20PercentShare;
        plot.Add.Marker(20, p.Low, MarkerShape.OpenCircle, 16, Public).LegendText = $"public: top 20% take {Panels.Percent(p.Low)} ({p.Source})";
        plot.Axes.SetLimits(0, 22, 0, 1);
        plot.ShowLegend(Alignment.LowerRight);
        plot.Legend.FontSize = 9;
        return plot;
    }

    private static Plot Patience(SimulationReport r)
    {
        var plot = Panels.New("giving up on the homepage", "average before giving up");
        Panels.GroupedBars(plot, ["seconds browsing", "titles looked at"], ["simulated"], [[r.AbandonedBrowseSeconds, r.AbandonedTitlesLookedAt]], "0.0");
        PublicMarks(plot, Math.Max(r.AbandonedBrowseSeconds, r.AbandonedTitlesLookedAt), (0, PublicFigure.PatienceSeconds, " s"), (1, PublicFigure.PatienceTitles, " titles"));
        return plot;
    }

    private static Plot Hours(SimulationReport r)
    {
        var plot = Panels.New("hours watched per member-day", "hours");
        Panels.GroupedBars(plot, ["simulated"], ["simulated"], [[r.HoursPerMemberDay]], "0.00");
        PublicMarks(plot, r.HoursPerMemberDay, (0, PublicFigure.HoursPerMemberDay, " h, not matched"));
        return plot;
    }

    private static Plot Completion(SimulationReport r)
    {
        var plot = Panels.New("completion by true utility (no public figure)", "share of plays to the credits", "true utility u");
        var bands = new List<string>();
        var values = new double[r.CompletionByUtility.Count];
        float lower = float.NegativeInfinity;
        for (int b = 0; b < values.Length; b++)
        {
            float upper = SimulationReportSink.UtilityBands[b];
            bands.Add(float.IsNegativeInfinity(lower) ? string.Create(CultureInfo.InvariantCulture, $"<{upper}")
                : float.IsPositiveInfinity(upper) ? string.Create(CultureInfo.InvariantCulture, $">={lower}")
                : string.Create(CultureInfo.InvariantCulture, $"{lower}..{upper}"));
            values[b] = r.PlaysByUtility[b] == 0 ? double.NaN : r.CompletionByUtility[b];
            lower = upper;
        }
        Panels.GroupedBars(plot, bands, ["simulated"], [values], "0%");
        return plot;
    }

    /// <summary>
    /// The public figures <paramref name="marks"/>, each at its bar: a red line for a value, a red band for a range, named in
    /// the legend; the y axis then runs from 0 to a fifth above the highest bar or figure.
    /// </summary>
    private static void PublicMarks(Plot plot, double highestBar, params (int Position, PublicFigure Figure, string Suffix)[] marks)
    {
        double top = highestBar;
        foreach (var (position, figure, _) in marks)
        {
            if (figure.High > figure.Low)
            {
                var band = plot.Add.Rectangle(position - 0.45, position + 0.45, figure.Low, figure.High);
                band.FillColor = Public.WithAlpha(0.18);
                band.LineColor = Public;
                band.LineWidth = 1;
            }
            else
            {
                var line = plot.Add.Line(position - 0.45, figure.Low, position + 0.45, figure.Low);
                line.Color = Public;
                line.LineWidth = 3;
            }
            top = Math.Max(top, figure.High);
        }
        var names = string.Join("; ", marks.Select(m => Format(m.Figure) + m.Suffix));
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = $"public: {names}\n({marks[0].Figure.Source})", LineColor = Public, LineWidth = 3 });
        plot.ShowLegend(Alignment.UpperRight);
        plot.Legend.FontSize = 8;
        plot.Axes.SetLimitsY(0, top * 1.45);
    }

    private static string Format(PublicFigure f)
    {
        var c = CultureInfo.InvariantCulture;
        bool share = f.High <= 1;
        string One(double v) => share ? Panels.Percent(v) : v.ToString("0.#", c);
        return f.High > f.Low ? $"{One(f.Low)}-{One(f.High)}" : One(f.Low);
    }
}

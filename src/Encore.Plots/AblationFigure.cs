using Encore.Evaluation.Reporting;
using Encore.Evaluation.Simulation;
using ScottPlot;

namespace Encore.Plots;

/// <summary>
/// The P-SIM signal ablation as bars: for each signal setting (in the order given, normally
/// <see cref="SignalSetting.Catalogue"/>'s: plays, watch, engagement, explicit, context, all), NDCG@20 against truth
/// (a), the titles begun in the test days and watched to 70%, and against truth (b), the hidden taste's top 20: one
/// panel each. <see cref="Create"/> draws a bar per model (`encore eval --protocol p-sim`); <see cref="CreateBestPerSetting"/>
/// one bar per setting, named by the model chosen for it on validation (bench signal-ablation).
/// </summary>
public static class AblationFigure
{
    /// <summary>The figure of P-SIM reports, one bar per model in each signal setting.</summary>
    /// <exception cref="ArgumentException">No reports, or a report that is not P-SIM's (no "signals" parameter or figures).</exception>
    public static Figure Create(IReadOnlyList<EvaluationReport> reports) => Build(reports, bestPerSetting: false);

    /// <summary>The figure of one report per signal setting (its best model, chosen on validation), each bar named by its model.</summary>
    /// <exception cref="ArgumentException">No reports, a report that is not P-SIM's, or two reports of one setting.</exception>
    public static Figure CreateBestPerSetting(IReadOnlyList<EvaluationReport> reports) => Build(reports, bestPerSetting: true);

    private static Figure Build(IReadOnlyList<EvaluationReport> reports, bool bestPerSetting)
    {
        ArgumentNullException.ThrowIfNull(reports);
        if (reports.Count == 0) throw new ArgumentException("no P-SIM reports to draw", nameof(reports));
        var settings = new List<string>();
        var models = new List<string>();
        foreach (var r in reports)
        {
            if (r.Protocol != PSimProtocol.ProtocolName || !r.Parameters.TryGetValue("signals", out var signals))
                throw new ArgumentException($"the report of {r.Model} on {r.Dataset} is {r.Protocol}'s, not a P-SIM report with a signal setting", nameof(reports));
            if (!settings.Contains(signals)) settings.Add(signals);
            if (!models.Contains(r.Model)) models.Add(r.Model);
        }
        var series = bestPerSetting ? ["best model (chosen on validation)"] : models;
        var panels = new List<Plot>();
        foreach (var (metric, truth) in new[] { ("ndcg@20", "truth (a): begun in the test days, watched >= 70%"), ("ndcg@20_taste", "truth (b): the hidden taste's top 20") })
        {
            var values = new double[series.Count][];
            for (int k = 0; k < values.Length; k++) values[k] = Enumerable.Repeat(double.NaN, settings.Count).ToArray();
            var notes = new string?[settings.Count];
            foreach (var r in reports)
            {
                int g = settings.IndexOf(r.Parameters["signals"]);
                int k = bestPerSetting ? 0 : models.IndexOf(r.Model);
                if (!double.IsNaN(values[k][g]))
                    throw new ArgumentException($"two reports of {r.Model} under the signal setting {r.Parameters["signals"]}", nameof(reports));
                values[k][g] = Metric(r, metric);
                notes[g] = r.Model;
            }
            var plot = Panels.New($"P-SIM ablation, {truth}", "NDCG@20 on the test days", "signals (each setting adds a group to the one before)");
            Panels.GroupedBars(plot, settings, series, values, "0.000", labelValues: series.Count <= 3, barNotes: bestPerSetting ? notes : null);
            if (series.Count > 1) plot.ShowLegend(Alignment.LowerRight);
            panels.Add(plot);
        }
        var first = reports[0];
        panels[0].Title($"P-SIM ablation on {first.Dataset}: {panels[0].Axes.Title.Label.Text["P-SIM ablation, ".Length..]}", size: 13);
        return new Figure(panels, columns: 1, height: 700);
    }

    private static double Metric(EvaluationReport r, string name)
    {
        foreach (var m in r.Metrics)
            if (m.Name == name) return m.Value;
        throw new ArgumentException($"the P-SIM report of {r.Model} has no {name}", nameof(r));
    }
}

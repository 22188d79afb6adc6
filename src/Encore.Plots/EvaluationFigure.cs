using System.Globalization;
using Encore.Evaluation.Reporting;
using Encore.Evaluation.Tuning;
using ScottPlot;

namespace Encore.Plots;

/// <summary>
/// The figure of one `encore eval` run (<see cref="EvaluationReport"/>):
/// <list type="bullet">
/// <item>a named model: its test figures as bars (Recall@20, NDCG@20 and Coverage@20 for P-TOPN; HR@10 and MRR@10 for
/// P-NEXT; RMSE per fold beside the mean RMSE and MAE for P-RATING);</item>
/// <item><c>--model auto</c>: every setting the search scored, by model and setting, on the validation split carved out
/// of the training data (the protocol's two ranking figures side by side, the chosen one marked), above the chosen
/// setting's test figures.</item>
/// </list>
/// P-SIM's reports, one per model and signal setting, are drawn by <see cref="AblationFigure"/>.
/// </summary>
public static class EvaluationFigure
{
    /// <summary>The figure of <paramref name="report"/>.</summary>
    /// <exception cref="ArgumentException">The report has no figure to draw.</exception>
    public static Figure Create(EvaluationReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var test = TestPanel(report);
        if (report.Selection is not { } selection) return new Figure([test]);
        var search = SearchPanel(report, selection);
        return new Figure([search, test], columns: 1, height: 700);
    }

    private static Plot TestPanel(EvaluationReport r)
    {
        string heading = r.Selection is null
            ? $"{r.Protocol} on {r.Dataset}: {r.Model} {Panels.Setting(r.Parameters, 4).Replace('\n', ' ')}"
            : $"test split: {r.Model} {Panels.Setting(r.Selection.Parameters, 4).Replace('\n', ' ')} (chosen by auto, refitted)";
        if (heading.Length > 110) heading = heading[..107] + "...";
        var plot = Panels.New(heading);
        var names = new List<string>();
        var values = new List<double>();
        IReadOnlyList<double>? folds = null;
        foreach (var m in r.Metrics)
        {
            if (m.Values is { } v) { folds = v; continue; }
            if (double.IsFinite(m.Value)) { names.Add(Label(m.Name)); values.Add(m.Value); }
        }
        if (folds is not null)
        {
            for (int i = 0; i < folds.Count; i++) { names.Add($"RMSE fold {i + 1}"); values.Add(folds[i]); }
        }
        if (names.Count == 0) throw new ArgumentException($"the report of {r.Model} on {r.Dataset} has no figures to draw", nameof(r));
        Panels.GroupedBars(plot, names, [r.Model], [[.. values]], "0.0000");
        plot.YLabel(r.Protocol == "p-rating" ? "error (lower is better)" : "figure on the test split", size: 12);
        return plot;
    }

    private static Plot SearchPanel(EvaluationReport r, ModelSelection s)
    {
        var plot = Panels.New($"{r.Protocol} on {r.Dataset}: settings --model auto scored on validation (carved from train)");
        var scored = s.Candidates.Where(c => c.Status == CandidateStatus.Scored).ToList();
        if (scored.Count == 0) throw new ArgumentException("the model search scored no setting", nameof(r));
        var metrics = RankingFigures(scored[0].Metrics.Keys, s.Metric);
        var groups = new List<string>();
        var values = new double[metrics.Count][];
        for (int k = 0; k < metrics.Count; k++) values[k] = new double[scored.Count];
        int chosen = -1;
        for (int i = 0; i < scored.Count; i++)
        {
            var c = scored[i];
            // A model's later settings are named by what they change (the model is the one before them).
            groups.Add(i > 0 && scored[i - 1].Model == c.Model ? Panels.Setting(c.Parameters, 1) : c.Model + "\n" + Panels.Setting(c.Parameters, 1));
            for (int k = 0; k < metrics.Count; k++) values[k][i] = c[metrics[k]];
            if (c.Model == s.Model && SameSetting(c.Parameters, s.Parameters)) chosen = i;
        }
        Panels.GroupedBars(plot, groups, [.. metrics.Select(Label)], values, labelValues: scored.Count <= 8);
        plot.YLabel("validation figure", size: 12);
        if (chosen >= 0)
        {
            var mark = plot.Add.HorizontalSpan(chosen - 0.48, chosen + 0.48, Colors.Gold.WithAlpha(0.35));
            mark.LegendText = "chosen";
            plot.MoveToBack(mark);
        }
        return plot;
    }

    /// <summary>The ranking figures to draw side by side: recall and NDCG (or HR and MRR), else the compared one.</summary>
    internal static List<string> RankingFigures(IEnumerable<string> available, string compared)
    {
        var have = available.ToHashSet(StringComparer.Ordinal);
        foreach (var pair in new[] { new[] { "recall@20", "ndcg@20" }, ["hr@10", "mrr@10"] })
            if (pair.All(have.Contains)) return [.. pair];
        return [compared];
    }

    private static bool SameSetting(IReadOnlyDictionary<string, string> a, IReadOnlyDictionary<string, string> b)
        => a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var v) && v == kv.Value);

    /// <summary>A metric's name as a reader expects it: "recall@20" as "Recall@20", "rmse" as "RMSE".</summary>
    internal static string Label(string metric)
    {
        var at = metric.IndexOf('@', StringComparison.Ordinal);
        var name = at < 0 ? metric : metric[..at];
        var rest = at < 0 ? "" : metric[at..];
        string pretty = name switch
        {
            "recall" => "Recall",
            "ndcg" => "NDCG",
            "coverage" => "Coverage",
            "hr" => "HR",
            "mrr" => "MRR",
            "rmse" => "RMSE",
            "mae" => "MAE",
            _ => CultureInfo.InvariantCulture.TextInfo.ToTitleCase(name),
        };
        return (pretty + rest).Replace("_taste", " (taste)", StringComparison.Ordinal);
    }
}

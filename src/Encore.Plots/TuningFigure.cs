using System.Globalization;
using Encore.Evaluation.Rating;
using Encore.Evaluation.Tuning;
using ScottPlot;

namespace Encore.Plots;

/// <summary>
/// The tuning curves of an `encore tune` run: one panel per parameter that the search varied, with the validation
/// figure of every setting tried at each of its values (grey points) and the best setting at each value (the curve),
/// the best setting overall marked. Numeric values sit on a numeric axis (logarithmic where they span 20x or more);
/// other values are categories in the order tried. A search that varied nothing draws its trials in order.
/// </summary>
public static class TuningFigure
{
    /// <summary>Most panels drawn: the first parameters varied, in the order of the first setting's keys.</summary>
    public const int MaxPanels = 6;

    /// <summary>The curves of a ranking search (P-TOPN, P-TOPN-R, P-NEXT) maximizing <paramref name="metric"/>.</summary>
    /// <exception cref="ArgumentException">No trials, or a trial without <paramref name="metric"/>.</exception>
    public static Figure Create(IReadOnlyList<RankingTrial> trials, string metric, string title)
    {
        ArgumentNullException.ThrowIfNull(trials);
        var points = new List<(IReadOnlyDictionary<string, string> Parameters, double Value)>(trials.Count);
        foreach (var t in trials)
        {
            if (!t.Metrics.TryGetValue(metric, out var v)) throw new ArgumentException($"a trial has no {metric} figure", nameof(metric));
            points.Add((t.Parameters, v));
        }
        return Build(points, "validation " + EvaluationFigure.Label(metric), higherIsBetter: true, title);
    }

    /// <summary>The curves of a P-RATING search minimizing validation RMSE.</summary>
    /// <exception cref="ArgumentException">No trials.</exception>
    public static Figure Create(IReadOnlyList<RatingTrial> trials, string title)
    {
        ArgumentNullException.ThrowIfNull(trials);
        return Build([.. trials.Select(t => (t.Parameters, t.ValidationRmse))], "validation RMSE (lower is better)", higherIsBetter: false, title);
    }

    private static Figure Build(List<(IReadOnlyDictionary<string, string> Parameters, double Value)> trials, string yLabel, bool higherIsBetter, string title)
    {
        if (trials.Count == 0) throw new ArgumentException("no trials to draw", nameof(trials));
        int best = 0;
        for (int i = 1; i < trials.Count; i++)
            if (higherIsBetter ? trials[i].Value > trials[best].Value : trials[i].Value < trials[best].Value) best = i;
        var axes = new List<string>();
        foreach (var key in trials.SelectMany(t => t.Parameters.Keys).Distinct(StringComparer.Ordinal))
        {
            var values = trials.Select(t => t.Parameters.GetValueOrDefault(key, "")).Distinct(StringComparer.Ordinal).Count();
            if (values > 1 && axes.Count < MaxPanels) axes.Add(key);
        }
        var c = CultureInfo.InvariantCulture;
        string bestText = string.Create(c, $"best {trials[best].Value:0.0000}: {Panels.Setting(trials[best].Parameters, 8)}");
        var panels = new List<Plot>();
        if (axes.Count == 0)
        {
            var plot = Panels.New(title, yLabel, "setting tried");
            var xs = Enumerable.Range(1, trials.Count).Select(i => (double)i).ToArray();
            var line = plot.Add.Scatter(xs, [.. trials.Select(t => t.Value)], Panels.ColorOf(0));
            line.MarkerSize = 7;
            plot.Add.Marker(best + 1, trials[best].Value, MarkerShape.FilledDiamond, 14, Colors.Red).LegendText = bestText;
            plot.ShowLegend(Edge.Right);
            panels.Add(plot);
        }
        foreach (var axis in axes)
        {
            var raw = trials.Select(t => t.Parameters.GetValueOrDefault(axis, "")).ToArray();
            var scale = Scale.Of(raw);
            var plot = Panels.New(axes.Count == 1 ? title : axis, yLabel, axes.Count == 1 ? axis : null);
            var all = plot.Add.Scatter(raw.Select(scale.Position).ToArray(), [.. trials.Select(t => t.Value)], Colors.Gray.WithAlpha(0.55));
            all.LineWidth = 0;
            all.MarkerSize = 5;
            all.LegendText = "every setting tried";
            var curveX = new List<double>();
            var curveY = new List<double>();
            foreach (var value in scale.Values)
            {
                double top = double.NaN;
                for (int i = 0; i < trials.Count; i++)
                {
                    if (raw[i] != value) continue;
                    double v = trials[i].Value;
                    if (double.IsNaN(top) || (higherIsBetter ? v > top : v < top)) top = v;
                }
                curveX.Add(scale.Position(value));
                curveY.Add(top);
            }
            var curve = plot.Add.Scatter(curveX.ToArray(), curveY.ToArray(), Panels.ColorOf(0));
            curve.LineWidth = 2;
            curve.MarkerSize = 7;
            curve.LegendText = "best at this value";
            plot.Add.Marker(scale.Position(raw[best]), trials[best].Value, MarkerShape.FilledDiamond, 14, Colors.Red).LegendText = "best setting";
            plot.Axes.Bottom.SetTicks([.. scale.Values.Select(scale.Position)], [.. scale.Values]);
            plot.Axes.Bottom.TickLabelStyle.FontSize = scale.Values.Count > 8 ? 9 : 11;
            if (panels.Count == 0) plot.ShowLegend(Edge.Right);
            plot.Legend.FontSize = 9;
            panels.Add(plot);
        }
        if (axes.Count > 1)
        {
            panels[0].Title(title + "\n" + bestText, size: 11);
        }
        else
        {
            panels[0].Title(title + "\n" + bestText, size: 12);
        }
        int columns = panels.Count <= 2 ? panels.Count : panels.Count <= 4 ? 2 : 3;
        int rows = (panels.Count + columns - 1) / columns;
        return new Figure(panels, columns, Figure.DefaultWidth, rows == 1 ? Figure.DefaultHeight : 320 * rows);
    }

    /// <summary>Where a parameter's values sit on the x axis: numbers by value (log-spaced when they span 20x), else categories.</summary>
    private sealed class Scale
    {
        private readonly Dictionary<string, double> positions = new(StringComparer.Ordinal);

        public List<string> Values { get; } = [];

        public double Position(string value) => positions[value];

        public static Scale Of(string[] raw)
        {
            var scale = new Scale();
            var distinct = raw.Distinct(StringComparer.Ordinal).ToList();
            var numbers = new double[distinct.Count];
            bool numeric = true;
            for (int i = 0; i < distinct.Count && numeric; i++)
                numeric = double.TryParse(distinct[i], NumberStyles.Float, CultureInfo.InvariantCulture, out numbers[i]) && double.IsFinite(numbers[i]);
            if (numeric)
            {
                double min = numbers.Min(), max = numbers.Max();
                bool log = min > 0 && max / min >= 20;
                var order = Enumerable.Range(0, distinct.Count).OrderBy(i => numbers[i]).ToList();
                foreach (int i in order)
                {
                    scale.Values.Add(distinct[i]);
                    scale.positions[distinct[i]] = log ? Math.Log10(numbers[i]) : numbers[i];
                }
            }
            else
            {
                for (int i = 0; i < distinct.Count; i++)
                {
                    scale.Values.Add(distinct[i]);
                    scale.positions[distinct[i]] = i;
                }
            }
            return scale;
        }
    }
}

using System.Globalization;
using ScottPlot;

namespace Encore.Plots;

/// <summary>Drawing helpers the figures share: labelled bar groups, category ticks and a common look.</summary>
internal static class Panels
{
    private static readonly ScottPlot.Palettes.Category10 Palette = new();

    public static Color ColorOf(int series) => Palette.GetColor(series);

    public static Plot New(string title, string? yLabel = null, string? xLabel = null)
    {
        var plot = new Plot();
        plot.Title(title, size: 13);
        if (yLabel is not null) plot.YLabel(yLabel, size: 12);
        if (xLabel is not null) plot.XLabel(xLabel, size: 12);
        return plot;
    }

    /// <summary>
    /// Grouped bars: <paramref name="values"/>[series][group], NaN for none; a group's bars side by side, groups named
    /// under the axis, series in the legend (when more than one), each bar labelled with its value when asked.
    /// </summary>
    public static void GroupedBars(Plot plot, IReadOnlyList<string> groups, IReadOnlyList<string> series, double[][] values,
        string valueFormat = "0.000", bool labelValues = true, IReadOnlyList<string?>? barNotes = null)
    {
        int s = series.Count;
        double width = 0.8 / s;
        var bars = new List<Bar>();
        for (int k = 0; k < s; k++)
            for (int g = 0; g < groups.Count; g++)
            {
                double v = values[k][g];
                if (double.IsNaN(v)) continue;
                string label = labelValues ? v.ToString(valueFormat, CultureInfo.InvariantCulture) : "";
                if (barNotes is not null && s == 1 && barNotes[g] is { Length: > 0 } note) label = note + "\n" + label;
                bars.Add(new Bar
                {
                    Position = g - 0.4 + width * (k + 0.5),
                    Value = v,
                    FillColor = ColorOf(k),
                    Size = width * 0.92,
                    Label = label,
                });
            }
        var plottable = plot.Add.Bars(bars);
        plottable.ValueLabelStyle.FontSize = s > 3 ? 8 : 10;
        plottable.ValueLabelStyle.FontName = Figure.FontName;
        CategoryTicks(plot, groups);
        plot.Axes.Margins(bottom: 0, top: s > 1 ? 0.4 : 0.18); // room above the bars for the legend
        if (s > 1)
        {
            for (int k = 0; k < s; k++) plot.Legend.ManualItems.Add(new LegendItem { LabelText = series[k], FillColor = ColorOf(k) });
            plot.ShowLegend(Alignment.UpperLeft);
            plot.Legend.FontSize = 10;
        }
    }

    /// <summary>Names <paramref name="labels"/> at positions 0, 1, ... on the bottom axis.</summary>
    public static void CategoryTicks(Plot plot, IReadOnlyList<string> labels)
    {
        var positions = new double[labels.Count];
        for (int i = 0; i < positions.Length; i++) positions[i] = i;
        bool many = labels.Count > 7;
        // Many categories: each on one line, slanted, so that neighbours do not overlap.
        plot.Axes.Bottom.SetTicks(positions, [.. labels.Select(l => many ? l.Replace('\n', ' ') : l)]);
        plot.Axes.Bottom.MajorTickStyle.Length = 0;
        plot.Axes.Bottom.TickLabelStyle.FontSize = many ? 9 : 11;
        if (many)
        {
            plot.Axes.Bottom.TickLabelStyle.Rotation = -30;
            plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleRight;
            plot.Axes.Bottom.MinimumSize = Math.Min(130, 6 * labels.Max(l => l.Length) / 2 + 20); // the slanted labels' height
        }
        plot.HideGrid();
    }

    /// <summary>A short form of a parameter setting for an axis label: "k=v k=v", or "defaults".</summary>
    public static string Setting(IReadOnlyDictionary<string, string> parameters, int wrapAfter = 2)
    {
        if (parameters.Count == 0) return "defaults";
        var parts = parameters.Select(p => p.Key + "=" + p.Value).ToList();
        var lines = new List<string>();
        for (int i = 0; i < parts.Count; i += wrapAfter) lines.Add(string.Join(" ", parts.Skip(i).Take(wrapAfter)));
        return string.Join("\n", lines);
    }

    public static string Percent(double share) => share.ToString("0.0%", CultureInfo.InvariantCulture);
}

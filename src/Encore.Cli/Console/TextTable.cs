using System.Globalization;
using System.Text;

namespace Encore.Cli.Terminal;

/// <summary>
/// A plain-text table for command output: columns padded to their widest cell, numbers right-aligned,
/// no box characters, so that it reads well on a terminal and greps well in a log. A figure that is not a
/// number (NaN, infinity) prints as <see cref="Missing"/>, never as "NaN".
/// </summary>
public sealed class TextTable
{
    private readonly List<string[]> _rows = [];
    private readonly int _columns;

    public TextTable(int columns)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        _columns = columns;
    }

    public TextTable Add(params object?[] cells)
    {
        if (cells.Length != _columns) throw new ArgumentException($"expected {_columns} cells, got {cells.Length}", nameof(cells));
        _rows.Add([.. cells.Select(Format)]);
        return this;
    }

    public void WriteTo(TextWriter writer, string indent = "")
    {
        var widths = new int[_columns];
        foreach (var row in _rows)
            for (int c = 0; c < _columns; c++) widths[c] = Math.Max(widths[c], row[c].Length);
        var line = new StringBuilder();
        foreach (var row in _rows)
        {
            line.Clear().Append(indent);
            for (int c = 0; c < _columns; c++)
            {
                if (c > 0) line.Append("  ");
                bool numeric = c > 0 && IsNumber(row[c]);
                line.Append(numeric ? row[c].PadLeft(widths[c]) : row[c].PadRight(widths[c]));
            }
            writer.WriteLine(line.ToString().TrimEnd());
        }
    }

    /// <summary>What a figure that could not be computed (NaN, e.g. a metric with no member to average over) prints as.</summary>
    public const string Missing = "-";

    private static string Format(object? cell) => cell switch
    {
        null => "",
        double d when !double.IsFinite(d) => Missing,
        float f when !float.IsFinite(f) => Missing,
        double d => d.ToString("0.####", CultureInfo.InvariantCulture),
        float f => f.ToString("0.####", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => cell.ToString() ?? "",
    };

    private static bool IsNumber(string text) => text == Missing || double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _);
}

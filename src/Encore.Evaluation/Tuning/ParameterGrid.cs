using Encore.Core;
using System.Globalization;

namespace Encore.Evaluation.Tuning;

/// <summary>
/// The settings a tuning run tries: axes written <c>key=v1,v2,...</c> (the CLI's <c>--grid</c>), combined as a
/// Cartesian product over fixed parameters, or a seeded random sample of that product (random search).
/// </summary>
public static class ParameterGrid
{
    /// <summary>Parses <c>key=v1,v2,...</c> axes; a key may appear once.</summary>
    public static IReadOnlyList<KeyValuePair<string, IReadOnlyList<string>>> ParseAxes(IEnumerable<string> axes)
    {
        var result = new List<KeyValuePair<string, IReadOnlyList<string>>>();
        var keys = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var axis in axes)
        {
            int eq = axis.IndexOf('=');
            if (eq <= 0 || eq == axis.Length - 1) throw new ArgumentException($"grid axis {UnicodeText.Quote(axis)} is not of the form key=v1,v2,...");
            var key = axis[..eq].Trim();
            if (!keys.Add(key)) throw new ArgumentException($"grid axis {UnicodeText.Quote(key)} is given twice");
            var values = axis[(eq + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (values.Length == 0) throw new ArgumentException($"grid axis '{key}' lists no values");
            result.Add(new(key, values));
        }
        return result;
    }

    /// <summary>Every combination of the axes' values, each over a copy of <paramref name="fixedParameters"/>.</summary>
    public static IReadOnlyList<IReadOnlyDictionary<string, string>> Expand(IReadOnlyList<KeyValuePair<string, IReadOnlyList<string>>> axes,
        IReadOnlyDictionary<string, string>? fixedParameters = null)
    {
        var settings = new List<Dictionary<string, string>>
        {
            fixedParameters is null ? new(StringComparer.OrdinalIgnoreCase) : new(fixedParameters, StringComparer.OrdinalIgnoreCase),
        };
        foreach (var (key, values) in axes)
        {
            var next = new List<Dictionary<string, string>>(settings.Count * values.Count);
            foreach (var s in settings)
                foreach (var v in values)
                    next.Add(new Dictionary<string, string>(s, StringComparer.OrdinalIgnoreCase) { [key] = v });
            settings = next;
        }
        return settings;
    }

    /// <summary><paramref name="count"/> settings drawn without replacement (seeded), in grid order; all when count covers the grid.</summary>
    public static IReadOnlyList<IReadOnlyDictionary<string, string>> Sample(IReadOnlyList<IReadOnlyDictionary<string, string>> grid, int count, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        if (count >= grid.Count) return grid;
        var order = Enumerable.Range(0, grid.Count).ToArray();
        new Random(seed).Shuffle(order);
        var chosen = order[..count];
        Array.Sort(chosen);
        return [.. chosen.Select(i => grid[i])];
    }

    /// <summary>"k1=v1 k2=v2", or "(defaults)".</summary>
    public static string Describe(IReadOnlyDictionary<string, string> parameters)
        => parameters.Count == 0 ? "(defaults)" : string.Join(" ", parameters.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key}={p.Value}")));
}

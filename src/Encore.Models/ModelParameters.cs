using Encore.Core;
using System.Globalization;
using System.Reflection;

namespace Encore.Models;

/// <summary>Options records that can check themselves after binding (ranges, combinations).</summary>
internal interface IModelOptions
{
    /// <summary>Throws an <see cref="ArgumentException"/> naming the field and the reason when a value is out of range.</summary>
    void Validate();
}

/// <summary>One settable parameter of a model: its key, type and default, for help text and `--param k=v`.</summary>
public sealed record ModelParameter(string Key, string Type, string Default);

/// <summary>
/// Binds <c>key=value</c> strings (from <c>--param k=v</c>, a tuning grid, a config file) onto a typed options
/// record. Keys match property names case-insensitively, ignoring '-' and '_' (so <c>half-life-days</c>,
/// <c>half_life_days</c> and <c>HalfLifeDays</c> are one key). Unknown keys and unparsable values are errors
/// that name the key, the value and what was expected.
/// </summary>
public static class ModelParameters
{
    /// <summary>
    /// Binds <paramref name="parameters"/> onto a new <typeparamref name="T"/> and validates it; errors name
    /// <paramref name="model"/> (the catalogue name, e.g. "ease") when given, else the options type.
    /// </summary>
    public static T Bind<T>(IReadOnlyDictionary<string, string>? parameters, string? model = null) where T : class, new()
    {
        var options = new T();
        if (parameters is not null)
        {
            var properties = Settable(typeof(T));
            foreach (var (key, value) in parameters)
            {
                if (!properties.TryGetValue(Normalize(key), out var property))
                    throw new ArgumentException($"unknown parameter {UnicodeText.Quote(key)} for {(model is null ? typeof(T).Name : $"model {UnicodeText.Quote(model)}")}; known: {string.Join(", ", properties.Values.Select(p => Kebab(p.Name)))}");
                property.SetValue(options, Parse(model, key, value, property.PropertyType));
            }
        }
        if (options is IModelOptions validated) validated.Validate();
        return options;
    }

    /// <summary>Parses <c>k=v</c> strings into a dictionary; a later repeat of a key wins.</summary>
    public static IReadOnlyDictionary<string, string> ParsePairs(IEnumerable<string> pairs)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var pair in pairs)
        {
            int eq = pair.IndexOf('=');
            if (eq <= 0) throw new ArgumentException($"parameter {UnicodeText.Quote(pair)} is not of the form key=value");
            result[pair[..eq].Trim()] = pair[(eq + 1)..].Trim();
        }
        return result;
    }

    /// <summary>The parameters of an options type with their defaults.</summary>
    public static IReadOnlyList<ModelParameter> Describe<T>() where T : class, new()
    {
        var defaults = new T();
        return Settable(typeof(T)).Values.OrderBy(p => p.MetadataToken)
            .Select(p => new ModelParameter(Kebab(p.Name), TypeName(p.PropertyType), Format(p.GetValue(defaults))))
            .ToArray();
    }

    /// <summary>The current values of an options record as key -> text (for reports and the JSON "params" object).</summary>
    public static IReadOnlyDictionary<string, string> Values(object options)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in Settable(options.GetType()).Values) result[Kebab(p.Name)] = Format(p.GetValue(options));
        return result;
    }

    private static Dictionary<string, PropertyInfo> Settable(Type type)
    {
        var result = new Dictionary<string, PropertyInfo>(StringComparer.Ordinal);
        foreach (var p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (p.SetMethod is null || !p.SetMethod.IsPublic || p.GetIndexParameters().Length > 0) continue;
            if (!IsSupported(p.PropertyType)) continue;
            result[Normalize(p.Name)] = p;
        }
        return result;
    }

    private static bool IsSupported(Type t)
    {
        t = Nullable.GetUnderlyingType(t) ?? t;
        return t == typeof(int) || t == typeof(long) || t == typeof(float) || t == typeof(double) || t == typeof(bool) || t == typeof(string) || t.IsEnum
            || t == typeof(IReadOnlyList<string>);
    }

    private static object? Parse(string? model, string key, string value, Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type);
        if (underlying is not null && (value.Length == 0 || value.Equals("null", StringComparison.OrdinalIgnoreCase))) return null;
        var t = underlying ?? type;
        var inv = CultureInfo.InvariantCulture;
        object? parsed = null;
        if (t == typeof(string)) parsed = value;
        else if (t == typeof(IReadOnlyList<string>)) parsed = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        else if (t == typeof(int) && int.TryParse(value, NumberStyles.Integer, inv, out var i)) parsed = i;
        else if (t == typeof(long) && long.TryParse(value, NumberStyles.Integer, inv, out var l)) parsed = l;
        else if (t == typeof(float) && float.TryParse(value, NumberStyles.Float, inv, out var f) && float.IsFinite(f)) parsed = f;
        else if (t == typeof(double) && double.TryParse(value, NumberStyles.Float, inv, out var d) && double.IsFinite(d)) parsed = d;
        else if (t == typeof(bool) && bool.TryParse(value, out var b)) parsed = b;
        else if (t.IsEnum)
        {
            var wanted = Normalize(value);
            foreach (var name in Enum.GetNames(t))
                if (Normalize(name) == wanted) parsed = Enum.Parse(t, name);
        }
        return parsed ?? throw new ArgumentException($"{(model is null ? "" : model + ": ")}parameter {UnicodeText.Quote(key)}: {UnicodeText.Quote(value)} is not a valid {TypeName(type)}");
    }

    private static string TypeName(Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        if (t.IsEnum) return "one of " + string.Join("|", Enum.GetNames(t).Select(Kebab));
        if (t == typeof(IReadOnlyList<string>)) return "comma-separated list";
        return t == typeof(int) || t == typeof(long) ? "integer" : t == typeof(float) || t == typeof(double) ? "number" : t == typeof(bool) ? "true|false" : "text";
    }

    private static string Format(object? value) => value switch
    {
        null => "",
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        Enum e => Kebab(e.ToString()),
        IReadOnlyList<string> list => string.Join(",", list),
        IFormattable x => x.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static string Normalize(string key)
    {
        Span<char> buffer = stackalloc char[key.Length];
        int n = 0;
        foreach (var c in key)
            if (c != '-' && c != '_' && c != '.') buffer[n++] = char.ToLowerInvariant(c);
        return new string(buffer[..n]);
    }

    /// <summary>HalfLifeDays -> half-life-days: the spelling used on the command line.</summary>
    private static string Kebab(string name)
    {
        var sb = new System.Text.StringBuilder(name.Length + 4);
        for (int i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0 && !char.IsUpper(name[i - 1])) sb.Append('-');
            sb.Append(char.ToLowerInvariant(name[i]));
        }
        return sb.ToString();
    }
}

using System.Globalization;

namespace Encore.Models.Ratings;

/// <summary>
/// Reads a model's string parameters (from <c>--param k=v</c>) into typed values, with an error that names
/// the model, the key, the value and what is allowed; <see cref="EnsureAllRead"/> rejects unknown keys.
/// </summary>
public sealed class RatingParameters
{
    private readonly string _model;
    private readonly IReadOnlyDictionary<string, string> _values;
    private readonly HashSet<string> _known = new(StringComparer.OrdinalIgnoreCase);

    public RatingParameters(string model, IReadOnlyDictionary<string, string>? values)
    {
        _model = model;
        _values = values ?? new Dictionary<string, string>();
    }

    public int Int(string key, int defaultValue, int min, int max)
    {
        if (!TryRaw(key, out var raw)) return defaultValue;
        if (!int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
            throw Bad(key, raw, $"an integer in [{min}, {max}]");
        if (value < min || value > max) throw Bad(key, raw, $"an integer in [{min}, {max}]");
        return value;
    }

    public float Float(string key, float defaultValue, float min, float max)
    {
        if (!TryRaw(key, out var raw)) return defaultValue;
        if (!float.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !float.IsFinite(value))
            throw Bad(key, raw, $"a number in [{min.ToString(CultureInfo.InvariantCulture)}, {max.ToString(CultureInfo.InvariantCulture)}]");
        if (value < min || value > max)
            throw Bad(key, raw, $"a number in [{min.ToString(CultureInfo.InvariantCulture)}, {max.ToString(CultureInfo.InvariantCulture)}]");
        return value;
    }

    public bool Bool(string key, bool defaultValue)
    {
        if (!TryRaw(key, out var raw)) return defaultValue;
        return raw.ToLowerInvariant() switch
        {
            "true" or "1" or "yes" => true,
            "false" or "0" or "no" => false,
            _ => throw Bad(key, raw, "true or false"),
        };
    }

    public string Text(string key, string defaultValue)
        => TryRaw(key, out var raw) ? raw : defaultValue;

    /// <summary>Throws when a key was given that the model does not read, listing the keys it knows.</summary>
    public void EnsureAllRead()
    {
        foreach (var key in _values.Keys)
        {
            if (!_known.Contains(key))
                throw new ArgumentException(
                    $"model '{_model}' has no parameter '{key}'; its parameters are: {string.Join(", ", _known.Order(StringComparer.Ordinal))}");
        }
    }

    private bool TryRaw(string key, out string raw)
    {
        _known.Add(key);
        foreach (var (k, v) in _values)
        {
            if (string.Equals(k, key, StringComparison.OrdinalIgnoreCase))
            {
                raw = v.Trim();
                return true;
            }
        }
        raw = "";
        return false;
    }

    private ArgumentException Bad(string key, string raw, string expected)
        => new($"model '{_model}': parameter '{key}' = '{raw}' is not valid; expected {expected}");
}

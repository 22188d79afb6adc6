using System.Globalization;

namespace Encore.Models.Ratings;

/// <summary>The range checks of the rating models' <see cref="IModelOptions.Validate"/>: errors name the model, the parameter key and the range.</summary>
internal static class RatingOptionChecks
{
    public static void Number(string model, string key, double value, double min, double max)
    {
        if (double.IsFinite(value) && value >= min && value <= max) return;
        throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{model}: {key} must be a number in [{min}, {max}] (got {value})"), key);
    }

    /// <summary>The range in single precision, as the value is held (so that "1e-6" is not refused by a rounding).</summary>
    public static void Number(string model, string key, float value, float min, float max)
    {
        if (float.IsFinite(value) && value >= min && value <= max) return;
        throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{model}: {key} must be a number in [{min}, {max}] (got {value})"), key);
    }

    public static void Integer(string model, string key, long value, long min, long max)
    {
        if (value >= min && value <= max) return;
        throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{model}: {key} must be an integer in [{min}, {max}] (got {value})"), key);
    }
}

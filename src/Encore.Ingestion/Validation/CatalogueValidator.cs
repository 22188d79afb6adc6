using Encore.Core;

namespace Encore.Ingestion;

/// <summary>
/// The rules a title or a member must follow before the store takes it, whatever it came from (a file, the API): ids as
/// events carry them (well-formed, at most <see cref="IngestionOptions.MaxIdLength"/> characters), names and lists of a
/// sane size, episodes with unique ids and positive numbers, an availability window that ends after it begins.
/// </summary>
public static class CatalogueValidator
{
    /// <summary>Most genres, cast members or directors one title may list.</summary>
    public const int MaxListLength = 200;
    /// <summary>Longest name of a title, episode or list entry, in characters.</summary>
    public const int MaxNameLength = 500;
    /// <summary>Most episodes one title may hold.</summary>
    public const int MaxEpisodes = 20_000;
    /// <summary>Most attributes one member may have.</summary>
    public const int MaxAttributes = 100;

    /// <summary>The broken rules of <paramref name="title"/> (empty when it may be stored).</summary>
    public static IReadOnlyList<ValidationError> Validate(Title title, IngestionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(title);
        options ??= IngestionOptions.Default;
        var errors = new List<ValidationError>();
        Id(title.Id, "id", options, errors);
        Text(title.Name, "name", errors, required: true);
        if (title.RuntimeSeconds is < 0 or > 100 * 3600) errors.Add(new("runtime_seconds", $"{title.RuntimeSeconds} is not a runtime (0 to 100 hours, in seconds)"));
        List(title.Genres, "genres", errors);
        List(title.Cast, "cast", errors);
        List(title.Directors, "directors", errors);
        if (title.MaturityRating is { } rating) Text(rating, "maturity_rating", errors, required: true, max: 20);
        if (title.Language is { } language) Text(language, "language", errors, required: true, max: 20);
        if (title.AvailableFromUtc is { } from && title.AvailableUntilUtc is { } until && until <= from)
            errors.Add(new("available_until", $"{until:O} is not after available_from {from:O}"));
        if (title.Kind == TitleKind.Film && title.Seasons.Count > 0) errors.Add(new("seasons", "a film has no seasons; set kind to series"));
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var numbers = new HashSet<(int, int)>();
        int episodes = 0;
        foreach (var season in title.Seasons)
        {
            if (season.Number < 0) errors.Add(new("seasons", $"season number {season.Number} is negative"));
            foreach (var e in season.Episodes)
            {
                if (++episodes > MaxEpisodes) { errors.Add(new("seasons", $"more than {MaxEpisodes:N0} episodes")); return errors; }
                Id(e.Id, "episodes.id", options, errors);
                if (e.Id is not null && !ids.Add(e.Id)) errors.Add(new("episodes.id", $"{UnicodeText.Quote(e.Id)} is given twice"));
                if (e.EpisodeNumber < 1) errors.Add(new("episodes.number", $"episode {UnicodeText.Quote(e.Id ?? "")}: number {e.EpisodeNumber} is not positive"));
                else if (!numbers.Add((season.Number, e.EpisodeNumber))) errors.Add(new("episodes.number", $"season {season.Number} has two episodes numbered {e.EpisodeNumber}"));
                Text(e.Name, "episodes.name", errors, required: false);
                if (e.RuntimeSeconds is < 0 or > 100 * 3600) errors.Add(new("episodes.runtime_seconds", $"{e.RuntimeSeconds} is not a runtime"));
            }
        }
        return errors;
    }

    /// <summary>The broken rules of <paramref name="member"/> (empty when it may be stored).</summary>
    public static IReadOnlyList<ValidationError> Validate(Member member, IngestionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(member);
        options ??= IngestionOptions.Default;
        var errors = new List<ValidationError>();
        Id(member.Id, "id", options, errors);
        if (member.Country is { } country) Text(country, "country", errors, required: true, max: 20);
        if (member.MaturityLimit is { } limit) Text(limit, "maturity_limit", errors, required: true, max: 20);
        if (member.Attributes.Count > MaxAttributes) errors.Add(new("attributes", $"{member.Attributes.Count} attributes; at most {MaxAttributes}"));
        foreach (var (key, value) in member.Attributes)
        {
            Text(key, "attributes", errors, required: true, max: 100);
            Text(value, "attributes." + UnicodeText.Clip(key), errors, required: false);
        }
        return errors;
    }

    private static void Id(string? id, string field, IngestionOptions options, List<ValidationError> errors)
    {
        if (string.IsNullOrWhiteSpace(id)) errors.Add(new(field, "missing or blank"));
        else if (id.Length > options.MaxIdLength) errors.Add(new(field, $"{UnicodeText.Quote(id)} is longer than {options.MaxIdLength} characters"));
        else if (!UnicodeText.IsWellFormed(id)) errors.Add(new(field, "is not well-formed text (a lone surrogate)"));
        else if (id.AsSpan().IndexOfAny(Controls) >= 0) errors.Add(new(field, $"{UnicodeText.Quote(id)} holds a control character"));
    }

    private static readonly System.Buffers.SearchValues<char> Controls = System.Buffers.SearchValues.Create(
        [.. Enumerable.Range(0, 32).Select(c => (char)c), (char)127]);

    private static void Text(string? text, string field, List<ValidationError> errors, bool required, int max = MaxNameLength)
    {
        if (text is null || (required && string.IsNullOrWhiteSpace(text))) { if (required) errors.Add(new(field, "missing or blank")); return; }
        if (text.Length > max) errors.Add(new(field, $"{UnicodeText.Quote(text)} is longer than {max} characters"));
        else if (!UnicodeText.IsWellFormed(text)) errors.Add(new(field, "is not well-formed text (a lone surrogate)"));
    }

    private static void List(IReadOnlyList<string> values, string field, List<ValidationError> errors)
    {
        if (values.Count > MaxListLength) { errors.Add(new(field, $"{values.Count} entries; at most {MaxListLength}")); return; }
        foreach (var v in values) Text(v, field, errors, required: true);
    }
}

using Encore.Core;

namespace Encore.Ingestion;

/// <summary>
/// The rules every event passes before it is stored. Each rule is its own method that appends what it finds
/// to <c>errors</c> (nothing when the event is fine), so rules can be tested one at a time; <see cref="Validate"/>
/// runs them all in a fixed order. Field names are the <see cref="ViewingEvent"/> property names.
/// No rule allocates for a valid event. Messages echo ids through <see cref="UnicodeText.Quote"/>, so a huge id
/// cannot flood them.
/// </summary>
internal static class EventValidator
{
    /// <summary>Runs every rule; returns true when the event broke none.</summary>
    public static bool Validate(ViewingEvent? e, ValidationContext context, ICollection<ValidationError> errors)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(errors);
        int before = errors.Count;
        if (e is null)
        {
            errors.Add(new ValidationError("event", "the event is missing (null)"));
            return false;
        }
        CheckIds(e, context.Options, errors);
        CheckKindAndDevice(e, errors);
        CheckTimestamp(e, context.Options, context.NowUtc, errors);
        CheckMember(e, context, errors);
        CheckTitle(e, context, errors);
        CheckFiniteNumbers(e, errors);
        CheckRating(e, context.Options, errors);
        CheckSearch(e, context.Options, errors);
        CheckPause(e, context.Options, errors);
        CheckImpression(e, context.Options, errors);
        CheckPositions(e, context, errors);
        return errors.Count == before;
    }

    /// <summary>EventId, MemberId and SessionId are present, not blank, not too long and free of control characters.</summary>
    public static void CheckIds(ViewingEvent e, IngestionOptions options, ICollection<ValidationError> errors)
    {
        CheckId(e.EventId, nameof(ViewingEvent.EventId), required: true, options, errors);
        CheckId(e.MemberId, nameof(ViewingEvent.MemberId), required: true, options, errors);
        CheckId(e.SessionId, nameof(ViewingEvent.SessionId), required: true, options, errors);
    }

    /// <summary>Kind and Device are values the enums define (a bad cast or a newer sender shows up here).</summary>
    public static void CheckKindAndDevice(ViewingEvent e, ICollection<ValidationError> errors)
    {
        if (!Enum.IsDefined(e.Kind)) errors.Add(new(nameof(ViewingEvent.Kind), $"{(int)e.Kind} is not an event kind"));
        if (!Enum.IsDefined(e.Device)) errors.Add(new(nameof(ViewingEvent.Device), $"{(int)e.Device} is not a device kind"));
    }

    /// <summary>The timestamp is UTC, not before <see cref="IngestionOptions.EarliestTimestampUtc"/> and not beyond now + <see cref="IngestionOptions.MaxFutureSkew"/>.</summary>
    public static void CheckTimestamp(ViewingEvent e, IngestionOptions options, DateTime nowUtc, ICollection<ValidationError> errors)
    {
        const string field = nameof(ViewingEvent.TimestampUtc);
        var t = e.TimestampUtc;
        if (t.Kind == DateTimeKind.Local)
        {
            errors.Add(new(field, "is a local time; send UTC"));
            return;
        }
        if (t < options.EarliestTimestampUtc)
            errors.Add(new(field, $"{t:O} is before {options.EarliestTimestampUtc:yyyy-MM-dd}: a broken clock"));
        else if (t - nowUtc > options.MaxFutureSkew)
            errors.Add(new(field, $"{t:O} is more than {options.MaxFutureSkew} in the future (now {nowUtc:O})"));
    }

    /// <summary>The member was not removed, and is known unless unknown members register themselves (<see cref="ValidationContext.KnownMembers"/> null).</summary>
    public static void CheckMember(ViewingEvent e, ValidationContext context, ICollection<ValidationError> errors)
    {
        if (string.IsNullOrWhiteSpace(e.MemberId)) return;
        if (context.Catalogue.IsRemovedMember(e.MemberId))
        {
            errors.Add(new(nameof(ViewingEvent.MemberId), $"member {UnicodeText.Quote(e.MemberId)} was removed; create it again to send its events"));
            return;
        }
        if (context.KnownMembers is null) return;
        if (!context.KnownMembers.Contains(e.MemberId))
            errors.Add(new(nameof(ViewingEvent.MemberId), $"unknown member {UnicodeText.Quote(e.MemberId)} (unknown members are rejected)"));
    }

    /// <summary>
    /// A title is named where the kind needs one (every kind but search), is in the catalogue unless unknown
    /// titles register themselves, and a given episode is in the catalogue and belongs to that title.
    /// </summary>
    public static void CheckTitle(ViewingEvent e, ValidationContext context, ICollection<ValidationError> errors)
    {
        var options = context.Options;
        if (e.TitleId is null)
        {
            if (Enum.IsDefined(e.Kind) && e.Kind.RequiresTitle())
                errors.Add(new(nameof(ViewingEvent.TitleId), $"is required for {e.Kind.WireName()} events"));
            if (e.EpisodeId is not null)
                errors.Add(new(nameof(ViewingEvent.EpisodeId), "is given without a TitleId"));
            return;
        }
        if (!CheckId(e.TitleId, nameof(ViewingEvent.TitleId), required: true, options, errors)) return;
        bool known = context.Catalogue.ContainsTitle(e.TitleId);
        if (!known && options.UnknownTitles == UnknownTitlePolicy.Reject)
            errors.Add(new(nameof(ViewingEvent.TitleId), $"unknown title {UnicodeText.Quote(e.TitleId)} (not in the catalogue)"));
        if (e.EpisodeId is null || !CheckId(e.EpisodeId, nameof(ViewingEvent.EpisodeId), required: true, options, errors)) return;
        if (!context.Catalogue.TryGetEpisode(e.EpisodeId, out var episode))
            errors.Add(new(nameof(ViewingEvent.EpisodeId), $"unknown episode {UnicodeText.Quote(e.EpisodeId)} (not in the catalogue)"));
        else if (!string.Equals(episode.TitleId, e.TitleId, StringComparison.Ordinal))
            errors.Add(new(nameof(ViewingEvent.EpisodeId), $"episode {UnicodeText.Quote(e.EpisodeId)} belongs to title {UnicodeText.Quote(episode.TitleId)}, not {UnicodeText.Quote(e.TitleId)}"));
    }

    /// <summary>Every number the event carries is finite (no NaN, no infinity).</summary>
    public static void CheckFiniteNumbers(ViewingEvent e, ICollection<ValidationError> errors)
    {
        CheckFinite(e.PositionSeconds, nameof(ViewingEvent.PositionSeconds), errors);
        CheckFinite(e.Rating, nameof(ViewingEvent.Rating), errors);
        CheckFinite(e.PauseSeconds, nameof(ViewingEvent.PauseSeconds), errors);
        CheckFinite(e.SeekFromSeconds, nameof(ViewingEvent.SeekFromSeconds), errors);
        CheckFinite(e.Propensity, nameof(ViewingEvent.Propensity), errors);
    }

    /// <summary>A rating event has a rating within [<see cref="IngestionOptions.MinRating"/>, <see cref="IngestionOptions.MaxRating"/>] (default 0.5..5 stars).</summary>
    public static void CheckRating(ViewingEvent e, IngestionOptions options, ICollection<ValidationError> errors)
    {
        if (e.Kind != EventKind.Rating) return;
        const string field = nameof(ViewingEvent.Rating);
        if (e.Rating is not { } rating) errors.Add(new(field, "is required for rating events"));
        else if (double.IsFinite(rating) && (rating < options.MinRating || rating > options.MaxRating))
            errors.Add(new(field, $"{rating} is outside {options.MinRating}..{options.MaxRating}"));
    }

    /// <summary>A search has a non-blank query of sane length; its results, if listed, are sane ids and not too many.</summary>
    public static void CheckSearch(ViewingEvent e, IngestionOptions options, ICollection<ValidationError> errors)
    {
        if (e.Kind != EventKind.Search) return;
        const string field = nameof(ViewingEvent.Query);
        if (string.IsNullOrWhiteSpace(e.Query)) errors.Add(new(field, "is required for search events"));
        else if (e.Query.Length > options.MaxQueryLength) errors.Add(new(field, $"is {e.Query.Length} characters long; the limit is {options.MaxQueryLength}"));
        else if (!UnicodeText.IsWellFormed(e.Query)) errors.Add(new(field, NotUnicode));
        if (e.ResultsShown is not { } results) return;
        if (results.Count > options.MaxResultsShown)
        {
            errors.Add(new(nameof(ViewingEvent.ResultsShown), $"lists {results.Count} titles; the limit is {options.MaxResultsShown}"));
            return;
        }
        for (int i = 0; i < results.Count; i++)
        {
            var id = results[i];
            if (string.IsNullOrWhiteSpace(id) || id.Length > options.MaxIdLength || HasControlCharacter(id) || !UnicodeText.IsWellFormed(id))
            {
                errors.Add(new(nameof(ViewingEvent.ResultsShown), $"result {i} is not a valid title id (blank, control characters, half a surrogate pair or over {options.MaxIdLength} characters)"));
                return;
            }
        }
    }

    /// <summary>A pause has a length, at least 0 and under <see cref="IngestionOptions.MaxPause"/> (default 24 h).</summary>
    public static void CheckPause(ViewingEvent e, IngestionOptions options, ICollection<ValidationError> errors)
    {
        if (e.Kind != EventKind.Pause) return;
        const string field = nameof(ViewingEvent.PauseSeconds);
        if (e.PauseSeconds is not { } pause) errors.Add(new(field, "is required for pause events"));
        else if (pause < 0) errors.Add(new(field, $"{pause} is negative"));
        else if (pause >= options.MaxPause.TotalSeconds) errors.Add(new(field, $"{pause} s is not under {options.MaxPause.TotalSeconds} s"));
    }

    /// <summary>
    /// An impression names its row (non-blank, sane length) and its zero-based slot; its propensity, when given
    /// (or required by <see cref="IngestionOptions.RequirePropensity"/>), lies in (0, 1].
    /// </summary>
    public static void CheckImpression(ViewingEvent e, IngestionOptions options, ICollection<ValidationError> errors)
    {
        if (e.Kind != EventKind.Impression) return;
        if (string.IsNullOrWhiteSpace(e.Row)) errors.Add(new(nameof(ViewingEvent.Row), "is required for impression events"));
        else if (e.Row.Length > options.MaxRowLength) errors.Add(new(nameof(ViewingEvent.Row), $"is {e.Row.Length} characters long; the limit is {options.MaxRowLength}"));
        else if (!UnicodeText.IsWellFormed(e.Row)) errors.Add(new(nameof(ViewingEvent.Row), NotUnicode));
        if (e.RowPosition is not { } slot) errors.Add(new(nameof(ViewingEvent.RowPosition), "is required for impression events"));
        else if (slot < 0 || slot > options.MaxRowPosition) errors.Add(new(nameof(ViewingEvent.RowPosition), $"{slot} is outside 0..{options.MaxRowPosition}"));
        const string field = nameof(ViewingEvent.Propensity);
        if (e.Propensity is not { } p)
        {
            if (options.RequirePropensity) errors.Add(new(field, "is required for impression events"));
        }
        else if (double.IsFinite(p) && (p <= 0 || p > 1)) errors.Add(new(field, $"{p} is outside (0, 1]"));
    }

    /// <summary>
    /// Kinds with a position have one; a seek has its origin; every position is at least 0 and, where the
    /// episode's or film's runtime is known, not beyond it by more than <see cref="IngestionOptions.RuntimeTolerance"/>.
    /// </summary>
    public static void CheckPositions(ViewingEvent e, ValidationContext context, ICollection<ValidationError> errors)
    {
        if (Enum.IsDefined(e.Kind) && e.Kind.RequiresPosition() && e.PositionSeconds is null)
            errors.Add(new(nameof(ViewingEvent.PositionSeconds), $"is required for {e.Kind.WireName()} events"));
        if (e.Kind == EventKind.Seek && e.SeekFromSeconds is null)
            errors.Add(new(nameof(ViewingEvent.SeekFromSeconds), "is required for seek events"));
        double limit = RuntimeLimit(e, context);
        CheckPosition(e.PositionSeconds, nameof(ViewingEvent.PositionSeconds), limit, errors);
        CheckPosition(e.SeekFromSeconds, nameof(ViewingEvent.SeekFromSeconds), limit, errors);
    }

    /// <summary>Highest valid position in seconds for the event's episode or film, +infinity where unknown.</summary>
    private static double RuntimeLimit(ViewingEvent e, ValidationContext context)
    {
        int runtime = 0;
        if (e.EpisodeId is not null && context.Catalogue.TryGetEpisode(e.EpisodeId, out var episode)) runtime = episode.RuntimeSeconds;
        else if (e.EpisodeId is null && e.TitleId is not null && context.Catalogue.TryGetTitle(e.TitleId, out var titleRuntime)) runtime = titleRuntime;
        return runtime > 0 ? runtime + context.Options.RuntimeTolerance.TotalSeconds : double.PositiveInfinity;
    }

    private static void CheckPosition(double? value, string field, double limit, ICollection<ValidationError> errors)
    {
        if (value is not { } v || !double.IsFinite(v)) return;
        if (v < 0) errors.Add(new(field, $"{v} is negative"));
        else if (v > limit) errors.Add(new(field, $"{v} s is beyond the runtime (at most {limit} s with tolerance)"));
    }

    private static void CheckFinite(double? value, string field, ICollection<ValidationError> errors)
    {
        if (value is { } v && !double.IsFinite(v)) errors.Add(new(field, $"{v} is not a finite number"));
    }

    private static bool CheckId(string? id, string field, bool required, IngestionOptions options, ICollection<ValidationError> errors)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            if (required) errors.Add(new(field, id is null ? "is required" : "is blank"));
            return false;
        }
        if (id.Length > options.MaxIdLength)
        {
            errors.Add(new(field, $"is {id.Length} characters long; the limit is {options.MaxIdLength}"));
            return false;
        }
        if (HasControlCharacter(id))
        {
            errors.Add(new(field, "contains control characters"));
            return false;
        }
        if (!UnicodeText.IsWellFormed(id))
        {
            errors.Add(new(field, NotUnicode));
            return false;
        }
        return true;
    }

    private const string NotUnicode = "is not valid Unicode text (it holds half of a surrogate pair)";

    private static bool HasControlCharacter(string text)
    {
        foreach (var c in text)
        {
            if (char.IsControl(c)) return true;
        }
        return false;
    }
}

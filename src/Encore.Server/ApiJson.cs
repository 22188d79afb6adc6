using System.Text.Json;
using System.Text.Json.Serialization;
using Encore.Core;
using Encore.Ingestion.Importers;
using Encore.Ranking.Pages;
using Encore.Service;

namespace Encore.Server;

/// <summary>
/// How the API writes JSON: snake_case names, enums as snake_case strings, and titles, members and events in the same
/// shape the import files and the request bodies use (<see cref="TitleJson"/>, <see cref="MemberJson"/>, <see cref="EventJson"/>).
/// </summary>
internal static class ApiJson
{
    public static readonly JsonSerializerOptions Options = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            DictionaryKeyPolicy = null,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
            // Served as application/json only: names with apostrophes and accents stay readable.
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
        options.Converters.Add(new WriteOnly<Title>(TitleJson.Write));
        options.Converters.Add(new WriteOnly<Member>(MemberJson.Write));
        options.Converters.Add(new WriteOnly<ViewingEvent>(EventJson.Write));
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    /// <summary>A type the API only writes, through its wire writer.</summary>
    private sealed class WriteOnly<T>(Action<Utf8JsonWriter, T> write) : JsonConverter<T>
    {
        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
            => throw new NotSupportedException($"{typeof(T).Name} is read by its wire parser");

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => write(writer, value);
    }

    public static IResult Ok<T>(T value) => Results.Json(value, Options);
}

// ---- what the API answers ----

public sealed record EventResultDto(int Index, string? EventId, string Status, string? Field, string? Reason);

public sealed record BatchResultDto(int Stored, int Duplicates, int Rejected, IReadOnlyList<EventResultDto> Events)
{
    public static BatchResultDto From(BatchResult r) => new(r.Stored, r.Duplicates, r.Rejected,
        [.. r.Events.Select(e => new EventResultDto(e.Index, e.EventId, e.Outcome.ToString().ToLowerInvariant(), e.Field, e.Reason))]);
}

/// <summary>A title on a row, with what a card shows of it (kind, genres, year) so that a client draws the row without reading each title.</summary>
public sealed record PageEntryDto(string TitleId, string Name, string? EpisodeId, float Score, string Reason, IReadOnlyDictionary<string, float>? Scores,
    string? Kind = null, IReadOnlyList<string>? Genres = null, int? Year = null);

public sealed record PageRowDto(RowKind Kind, string Key, string Label, string Evidence, IReadOnlyList<PageEntryDto> Titles)
{
    public static PageRowDto From(PageRow r, Func<string, Title?>? facts = null) => new(r.Kind, r.Key, r.Label, r.Evidence,
        [.. r.Titles.Select(t => Entry(t, facts?.Invoke(t.TitleId)))]);

    private static PageEntryDto Entry(PageEntry t, Title? title) => new(t.TitleId, t.Name, t.EpisodeId, Finite(t.Score), t.Reason,
        t.Scores?.ToDictionary(kv => kv.Key, kv => Finite(kv.Value)),
        title is null ? null : title.Kind == TitleKind.Series ? "series" : "film", title?.Genres, title?.ReleaseDate?.Year);

    /// <summary>JSON has no infinities: a score that is not a number is written as 0 (it never orders a row).</summary>
    internal static float Finite(float value) => float.IsFinite(value) ? value : 0f;
}

public sealed record HomepageDto(string MemberId, string Device, DateTime At, string? ModelVersion, string Model, IReadOnlyList<PageRowDto> Rows)
{
    public static HomepageDto From(Homepage page, string? version, Func<string, Title?>? facts = null) => new(page.MemberId,
        page.Device.ToString().ToLowerInvariant(), page.AtUtc, version, page.Model, [.. page.Rows.Select(r => PageRowDto.From(r, facts))]);
}

public sealed record RankedTitleDto(string TitleId, string Name, float Score, IReadOnlyList<string> Genres);

public sealed record TitleListDto(IReadOnlyList<RankedTitleDto> Titles)
{
    public static TitleListDto From(IEnumerable<Ranking.RankedTitle> titles)
        => new([.. titles.Select(t => new RankedTitleDto(t.TitleId, t.Name, PageRowDto.Finite(t.Score), t.Genres))]);
}

public sealed record TrendingTitleDto(string TitleId, string Name, double Strength, double Plays);

public sealed record TrendingDto(string Window, DateTime At, IReadOnlyList<TrendingTitleDto> Titles);

public sealed record SearchHitDto(string TitleId, string Name, float Score, float Text, float Member, IReadOnlyList<string> Matched);

public sealed record SearchDto(string Query, string MemberId, IReadOnlyList<string> Tokens, int Matched, int FilteredOut, IReadOnlyList<SearchHitDto> Results);

public sealed record ExplanationDto(string MemberId, string TitleId, bool OnPage, string? Row, string? RowLabel, int? Position, PageEntryDto? Entry, IReadOnlyList<string> Reasons);

public sealed record PagedDto<T>(IReadOnlyList<T> Items, int Offset, int Limit, int Total);

public sealed record ModelDto(string Version, bool Active, DateTime Registered, string Origin, string Model, IReadOnlyDictionary<string, string> Parameters,
    long Events, int Members, int Titles, DateTime TrainedUntil, double FitSeconds, string? Choice, OfflineMetrics? Metrics)
{
    public static ModelDto From(ModelVersion v, string? active) => new(v.Version, v.Version == active, v.RegisteredUtc, v.Origin, v.Info.Model,
        v.Info.Parameters, v.Info.Events, v.Info.Members, v.Info.Titles, v.Info.TrainedUntilUtc, v.Info.FitSeconds, v.Info.Choice, v.Metrics);
}

public sealed record JobDto(string Id, string State, string Model, IReadOnlyDictionary<string, string> Parameters, bool Activate, string Reason,
    DateTime Queued, DateTime? Started, DateTime? Finished, IReadOnlyList<string> Progress, string? Version, string? Error)
{
    public static JobDto From(TrainingJobStatus j) => new(j.Id, j.State.ToString().ToLowerInvariant(), j.Spec.Model, j.Spec.Parameters, j.Spec.Activate,
        j.Spec.Reason, j.QueuedUtc, j.StartedUtc, j.FinishedUtc, j.Progress, j.Version, j.Error);
}

/// <summary>What POST /v1/models/train takes.</summary>
public sealed record TrainRequestDto(string? Model, Dictionary<string, string>? Parameters, bool? Activate, double? Budget);

public sealed record ActivateRequestDto(string? Version);

/// <summary>A proposed title: its metadata, the existing titles it resembles and the one it stands for ("the original").</summary>
public sealed record ProposedTitleDto(string? Name, IReadOnlyList<string>? Genres, string? Format, IReadOnlyList<string>? Cast, IReadOnlyList<string>? Directors,
    string? Language, string? Maturity, int? RuntimeMinutes, int? Year, IReadOnlyList<string>? Like, string? Original);

/// <summary>A targeting request: exactly one of a title, a genre, or attributes (genres, cast, directors, language, maturity).</summary>
public sealed record TargetingRequestDto(string? Title, string? Genre, TargetAttributesDto? Attributes, int? HeldOutDays, int? N);

public sealed record TargetAttributesDto(IReadOnlyList<string>? Genres, IReadOnlyList<string>? Cast, IReadOnlyList<string>? Directors, string? Language, string? Maturity);

/// <summary>A campaign to estimate: its titles (ids) or a genre, the share of slots, the rows, the period, the bootstrap resamples.</summary>
public sealed record CampaignRequestDto(IReadOnlyList<string>? Titles, string? Genre, double? Share, IReadOnlyList<string>? Rows, DateTime? From, DateTime? To, int? Bootstrap);

public sealed record SignalDto(string TitleId, string Name, string Evidence, float Weight, string Rule, bool Played, bool Completed, float WatchShare,
    int Sessions, float? Rating, IReadOnlyDictionary<string, double> Terms);

public sealed record TimelineDto(string MemberId, int Sessions, IReadOnlyList<ViewingEvent> Events, IReadOnlyList<SignalDto> Signals);

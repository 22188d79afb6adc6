using System.Globalization;

namespace Encore.Ranking.Search;

/// <summary>The fields of a title a query is matched against.</summary>
public enum SearchField : byte
{
    Name = 0,
    Cast = 1,
    Director = 2,
    Genre = 3,
}

/// <summary>How a query token matched a word of a title: exactly, as the start of it (the last token, still being typed), or within a few typos.</summary>
public enum MatchKind : byte
{
    Exact = 0,
    Prefix = 1,
    Typo = 2,
}

/// <summary>
/// How search scores a title. A query is normalized (<see cref="SearchText"/>) and cut into tokens; each token matches
/// the index's words exactly, as a prefix (the last token only, unless the query ends with a separator, and only from
/// <see cref="MinPrefixLength"/> characters), or within a bounded edit distance (restricted Damerau-Levenshtein: one
/// edit from <see cref="OneTypoLength"/> characters, two from <see cref="TwoTypoLength"/>; shorter tokens only exactly).
/// <para>
/// A token's match in a title is worth <c>quality x field weight</c>, the best over the title's words: quality 1 for
/// exact, <see cref="PrefixQuality"/> for a prefix, <see cref="TypoQuality"/> for one edit and
/// <see cref="TwoTypoQuality"/> for two (exact &gt; prefix &gt; typo); field weights <see cref="NameWeight"/>,
/// <see cref="CastWeight"/>, <see cref="DirectorWeight"/>, <see cref="GenreWeight"/>. Tokens are weighed by the
/// rarity of the word they stand for, <c>idf = ln(1 + titles / titles with the word)</c> (the exact word, else the best
/// word it matched, else the rarest possible), so "the" counts little and a rare surname much.
/// </para>
/// <para>
/// <c>relevance = sum over tokens of idf x match / sum of idf</c>, in [0, 1]. The name's coverage, the share of the
/// title's name words the query matched (weighed by match quality), separates "The Moon" from "The Moon of the
/// Valley" for the query "the moon": <c>text = (relevance + NameCoverage x coverage) / (1 + NameCoverage)</c>, in [0, 1].
/// </para>
/// <para>
/// For a member, <c>score = text + MemberWeight x z</c>, z being the member's model score standardized over the
/// catalogue (<see cref="MemberTaste"/>); with <see cref="MemberWeight"/> 0 the member's score only breaks ties of
/// text. Ties left are broken by text, then the member's score, then catalogue order.
/// </para>
/// The defaults of <see cref="NameCoverage"/> (0.1) and <see cref="MemberWeight"/> (0.02) were chosen on a validation
/// split carved out of the training days of the default simulated service, never on its test days (docs/SEARCH.md,
/// `dotnet run -c Release --project bench/Encore.Bench -- search-eval DB`); the others are set by hand.
/// </summary>
public sealed record SearchOptions
{
    public static SearchOptions Default { get; } = new();

    public float NameWeight { get; init; } = 1f;
    public float CastWeight { get; init; } = 0.7f;
    public float DirectorWeight { get; init; } = 0.7f;
    public float GenreWeight { get; init; } = 0.5f;

    public float PrefixQuality { get; init; } = 0.8f;
    public float TypoQuality { get; init; } = 0.7f;
    public float TwoTypoQuality { get; init; } = 0.5f;

    /// <summary>The shortest last token matched as a prefix (a shorter one is matched exactly).</summary>
    public int MinPrefixLength { get; init; } = 2;
    /// <summary>Tokens of at least this many characters match within one edit.</summary>
    public int OneTypoLength { get; init; } = 4;
    /// <summary>Tokens of at least this many characters match within two edits.</summary>
    public int TwoTypoLength { get; init; } = 8;

    /// <summary>How much the share of the name's words matched adds to the relevance (γ).</summary>
    public float NameCoverage { get; init; } = 0.1f;

    /// <summary>How much the member's standardized model score adds to the text score (λ; 0: it only breaks ties).</summary>
    public float MemberWeight { get; init; } = 0.02f;

    /// <summary>The weight of a field.</summary>
    public float WeightOf(SearchField field) => field switch
    {
        SearchField.Name => NameWeight,
        SearchField.Cast => CastWeight,
        SearchField.Director => DirectorWeight,
        _ => GenreWeight,
    };

    /// <summary>The quality of a match of that kind and number of edits.</summary>
    public float QualityOf(MatchKind kind, int edits) => kind switch
    {
        MatchKind.Exact => 1f,
        MatchKind.Prefix => PrefixQuality,
        _ => edits <= 1 ? TypoQuality : TwoTypoQuality,
    };

    /// <summary>Edits a token of <paramref name="length"/> characters may be away from a word (0, 1 or 2).</summary>
    public int MaxEdits(int length) => length >= TwoTypoLength ? 2 : length >= OneTypoLength ? 1 : 0;

    /// <exception cref="ArgumentException">A weight or quality out of range (the message names it).</exception>
    public void Validate()
    {
        Check(nameof(NameWeight), NameWeight, 0, 10);
        Check(nameof(CastWeight), CastWeight, 0, 10);
        Check(nameof(DirectorWeight), DirectorWeight, 0, 10);
        Check(nameof(GenreWeight), GenreWeight, 0, 10);
        Check(nameof(PrefixQuality), PrefixQuality, 0, 1);
        Check(nameof(TypoQuality), TypoQuality, 0, 1);
        Check(nameof(TwoTypoQuality), TwoTypoQuality, 0, 1);
        Check(nameof(NameCoverage), NameCoverage, 0, 10);
        Check(nameof(MemberWeight), MemberWeight, 0, 100);
        if (MinPrefixLength is < 1 or > SearchText.MaxTokenLength)
            throw new ArgumentException($"{nameof(MinPrefixLength)} must be in 1..{SearchText.MaxTokenLength} (got {MinPrefixLength})");
        if (OneTypoLength < 1 || TwoTypoLength < OneTypoLength)
            throw new ArgumentException($"{nameof(OneTypoLength)} must be at least 1 and {nameof(TwoTypoLength)} at least {nameof(OneTypoLength)} (got {OneTypoLength}, {TwoTypoLength})");
    }

    private static void Check(string name, float value, float min, float max)
    {
        if (!(value >= min && value <= max))
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{name} must be in [{min}, {max}] (got {value})"));
    }
}

/// <summary>One search: how many results, when (availability), a maturity limit, and the scoring.</summary>
public sealed record SearchRequest
{
    public const int MaxCount = 1_000;

    public int Count { get; init; } = 20;
    /// <summary>The time the results are for: a title available only later is left out. Null: now.</summary>
    public DateTime? AsOfUtc { get; init; }
    /// <summary>
    /// Only titles rated at most this (e.g. "PG-13", "TV-14", or an age such as "12"), as <see cref="MaturityRatings"/>
    /// orders them; titles of unknown rating are then left out. Null: no limit.
    /// </summary>
    public string? MaturityLimit { get; init; }
    public SearchOptions Options { get; init; } = SearchOptions.Default;

    /// <exception cref="ArgumentException">A count out of range, an unknown maturity rating, or bad options.</exception>
    public void Validate()
    {
        if (Count is < 1 or > MaxCount) throw new ArgumentException($"the result count must be in 1..{MaxCount} (got {Count})");
        if (MaturityLimit is not null) MaturityRatings.RequireAge(MaturityLimit);
        ArgumentNullException.ThrowIfNull(Options);
        Options.Validate();
    }
}

/// <summary>Why a title matched one query token: the field and its value, the word of the index, and how.</summary>
public sealed record SearchMatch(string Token, SearchField Field, string Value, string Word, MatchKind Kind, int Edits)
{
    /// <summary>How it matched, in words: <c>exact 'river'</c>, <c>prefix 'riv' of 'river'</c>, <c>typo 'slient' for 'silent' (1 edit)</c>.</summary>
    public string How => Kind switch
    {
        MatchKind.Exact => $"exact '{Word}'",
        MatchKind.Prefix => $"prefix '{Token}' of '{Word}'",
        _ => $"typo '{Token}' for '{Word}' ({Edits} edit{(Edits == 1 ? "" : "s")})",
    };

    /// <summary>The field, its value and <see cref="How"/>, e.g. <c>cast "Tara Singh": typo 'sign' for 'singh' (1 edit)</c>.</summary>
    public override string ToString() => $"{Field.ToString().ToLowerInvariant()} \"{Value}\": {How}";
}

/// <summary>A title found: its final score, the text and member parts of it, and what matched.</summary>
public sealed record SearchHit(int Index, string TitleId, string Name, float Score, float Text, float Member, IReadOnlyList<SearchMatch> Matches);

/// <summary>The results of one query, best first, with the normalized tokens and how many titles matched before the filters.</summary>
public sealed record SearchResult(IReadOnlyList<string> Tokens, IReadOnlyList<SearchHit> Hits, int Matched, int FilteredOut);

namespace Encore.Ingestion;

/// <summary>What ingestion does with an event from a member the store does not know.</summary>
public enum UnknownMemberPolicy
{
    /// <summary>The member is created on its first event (services rarely send sign-ups separately).</summary>
    Register = 0,
    /// <summary>The event is rejected: members must be imported first.</summary>
    Reject = 1,
}

/// <summary>What ingestion does with an event naming a title the catalogue does not have.</summary>
public enum UnknownTitlePolicy
{
    /// <summary>The event is rejected: a title must be in the catalogue before members can watch it.</summary>
    Reject = 0,
    /// <summary>A bare catalogue entry (name = id, runtime unknown) is created for it.</summary>
    Register = 1,
}

/// <summary>
/// The rules ingestion applies. Defaults suit a live service: new members register themselves, titles must
/// be catalogued first, clocks may run up to a day fast, and nothing is dated before 1990.
/// </summary>
public sealed record IngestionOptions
{
    /// <summary>The defaults for a live service, as documented with each option.</summary>
    public static IngestionOptions Default { get; } = new();

    /// <summary>What an event of a member the store does not know does: register the member (the default) or be rejected.</summary>
    public UnknownMemberPolicy UnknownMembers { get; init; } = UnknownMemberPolicy.Register;

    /// <summary>What an event about a title the catalogue does not hold does: be rejected (the default), or register the title.</summary>
    public UnknownTitlePolicy UnknownTitles { get; init; } = UnknownTitlePolicy.Reject;

    /// <summary>How far in the future (device clocks run fast) a timestamp may be.</summary>
    public TimeSpan MaxFutureSkew { get; init; } = TimeSpan.FromDays(1);

    /// <summary>Anything before this is a broken clock (streaming as we know it did not exist).</summary>
    public DateTime EarliestTimestampUtc { get; init; } = new(1990, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>
    /// How far past the known runtime a position may lie: catalogue runtimes are rounded and often leave out
    /// credits or extended cuts.
    /// </summary>
    public TimeSpan RuntimeTolerance { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Lowest valid rating. Ratings are stars 0.5..5 (thumbs are sent as 1 and 5), as MovieLens uses.</summary>
    public double MinRating { get; init; } = 0.5;

    /// <summary>Highest valid rating.</summary>
    public double MaxRating { get; init; } = 5.0;

    /// <summary>A pause must be shorter than this (a longer one is a session that ended, not a pause).</summary>
    public TimeSpan MaxPause { get; init; } = TimeSpan.FromHours(24);

    /// <summary>Whether impressions must carry the policy's propensity (needed for off-policy estimates).</summary>
    public bool RequirePropensity { get; init; }

    /// <summary>Longest event, member, session, title, episode or result id, in characters.</summary>
    public int MaxIdLength { get; init; } = 128;

    /// <summary>Longest search query, in characters.</summary>
    public int MaxQueryLength { get; init; } = 1000;

    /// <summary>Most results a search may list.</summary>
    public int MaxResultsShown { get; init; } = 1000;

    /// <summary>Longest impression row name, in characters.</summary>
    public int MaxRowLength { get; init; } = 200;

    /// <summary>Highest impression slot within a row (zero-based).</summary>
    public int MaxRowPosition { get; init; } = 10_000;
}

using Encore.Core;

namespace Encore.Storage;

/// <summary>
/// The durable home of the catalogue, the members and the append-only event log. SQLite is the embedded
/// default; a PostgreSQL store for services that outgrow one machine implements the same contract and must
/// pass the same tests. Every read is streaming: nothing here loads the whole log into memory.
/// </summary>
public interface IEventStore : IAsyncDisposable
{
    /// <summary>Where the store lives, in words for messages and command lines: a file path, a connection's host and database.</summary>
    string Location { get; }

    /// <summary>
    /// A named property kept with the data (small text, e.g. the manifest of the simulation that filled the store),
    /// or null when it was never set.
    /// </summary>
    Task<string?> GetPropertyAsync(string name, CancellationToken ct = default);

    /// <summary>Sets a named property durably (null removes it); the task completes once it is committed.</summary>
    Task SetPropertyAsync(string name, string? value, CancellationToken ct = default);

    /// <summary>Adds or replaces titles (by id).</summary>
    Task UpsertTitlesAsync(IEnumerable<Title> titles, CancellationToken ct = default);

    /// <summary>Adds or replaces members (by id).</summary>
    Task UpsertMembersAsync(IEnumerable<Member> members, CancellationToken ct = default);

    /// <summary>
    /// Removes a title from the catalogue: it is no longer read (<see cref="GetTitleAsync"/>, <see cref="ReadTitlesAsync"/>),
    /// so it is never recommended or found again, while its id keeps its dense index and the events that name it stay
    /// in the log (an upsert of the same id brings it back). False when no such title is in the catalogue.
    /// </summary>
    Task<bool> RemoveTitleAsync(string titleId, CancellationToken ct = default);

    /// <summary>
    /// Removes a member: no longer read (<see cref="GetMemberAsync"/>, <see cref="ReadMembersAsync"/>), their new events are
    /// refused (<see cref="CatalogueSnapshot.IsRemovedMember"/>), their id keeps its dense index and the log keeps their
    /// past events (it is append-only). An upsert of the same id brings the member back. False when no such member.
    /// </summary>
    Task<bool> RemoveMemberAsync(string memberId, CancellationToken ct = default);

    /// <summary>The title, or null when the catalogue has none by that id (or it was removed).</summary>
    Task<Title?> GetTitleAsync(string titleId, CancellationToken ct = default);

    /// <summary>The member, or null when there is none by that id (or it was removed).</summary>
    Task<Member?> GetMemberAsync(string memberId, CancellationToken ct = default);

    /// <summary>Every title of the catalogue (removed ones left out), in the order of their dense indices.</summary>
    IAsyncEnumerable<Title> ReadTitlesAsync(CancellationToken ct = default);

    /// <summary>Every member (removed ones left out), in the order of their dense indices.</summary>
    IAsyncEnumerable<Member> ReadMembersAsync(CancellationToken ct = default);

    /// <summary>
    /// Appends a batch of already validated events in one transaction. When the returned task completes the
    /// batch is durable (it survives the process being killed). An event whose id is already stored is
    /// skipped, counted as a duplicate and listed in <see cref="AppendResult.DuplicateIndices"/>.
    /// </summary>
    Task<AppendResult> AppendAsync(IReadOnlyList<ViewingEvent> events, CancellationToken ct = default);

    /// <summary>Streams events matching <paramref name="query"/> in (timestamp, event id) order.</summary>
    IAsyncEnumerable<ViewingEvent> ReadEventsAsync(EventQuery query, CancellationToken ct = default);

    /// <summary>Counts for `encore stats`.</summary>
    Task<StoreStatistics> GetStatisticsAsync(CancellationToken ct = default);

    /// <summary>
    /// Which titles and episodes exist, with their runtimes: what ingestion validates against. Cheap to call
    /// per batch (a store keeps it cached and replaces it when the catalogue changes).
    /// </summary>
    Task<CatalogueSnapshot> GetCatalogueSnapshotAsync(CancellationToken ct = default);

    /// <summary>The subset of <paramref name="memberIds"/> that are stored members.</summary>
    Task<IReadOnlySet<string>> GetKnownMemberIdsAsync(IReadOnlyCollection<string> memberIds, CancellationToken ct = default);

    /// <summary>
    /// Every member id, in the order of the dense indices used by <see cref="ReadInteractionsAsync"/>
    /// (index i is the member stored (i+1)-th; members are never deleted, so indices never move).
    /// Members created after this map was read have indices at or beyond its Count.
    /// </summary>
    Task<IdMap> ReadMemberIdsAsync(CancellationToken ct = default);

    /// <summary>Every title id, in the order of the dense indices used by <see cref="ReadInteractionsAsync"/>.</summary>
    Task<IdMap> ReadTitleIdsAsync(CancellationToken ct = default);

    /// <summary>
    /// Every episode id, in the order of the dense <see cref="InteractionRow.Episode"/> indices (which title,
    /// season and number each is comes from <see cref="ReadTitlesAsync"/>).
    /// </summary>
    Task<IdMap> ReadEpisodeIdsAsync(CancellationToken ct = default);

    /// <summary>
    /// Streams the events matching <paramref name="query"/> as compact rows (dense indices, no strings) in
    /// timestamp order (ties in the order they were stored): the read path training uses.
    /// </summary>
    IAsyncEnumerable<InteractionRow> ReadInteractionsAsync(EventQuery query, CancellationToken ct = default);
}

/// <summary>What an append stored: how many events, and which were already stored (same id, earlier or in this batch).</summary>
public sealed record AppendResult(int Stored, int Duplicates)
{
    /// <summary>The positions in the appended list of the events skipped as duplicates, ascending.</summary>
    public IReadOnlyList<int> DuplicateIndices { get; init; } = [];
}

/// <summary>A filter over the event log; null fields match everything. Times are UTC, the range half-open.</summary>
public sealed record EventQuery
{
    /// <summary>The query that matches every event.</summary>
    public static readonly EventQuery All = new();

    /// <summary>Only this member's events (null: every member's).</summary>
    public string? MemberId { get; init; }
    /// <summary>Only events about this title (null: any title, and events about none).</summary>
    public string? TitleId { get; init; }
    /// <summary>Only events at or after this time (null: from the first).</summary>
    public DateTime? FromUtc { get; init; }
    /// <summary>Only events before this time (null: to the last).</summary>
    public DateTime? ToUtc { get; init; }
    /// <summary>Kinds to return (null: all; empty: none).</summary>
    public IReadOnlyCollection<EventKind>? Kinds { get; init; }
}

/// <summary>What a store holds, counted.</summary>
/// <param name="Members">How many members the store knows.</param>
/// <param name="Titles">How many titles the catalogue holds.</param>
/// <param name="Events">How many events are stored.</param>
/// <param name="EventsByKind">How many events of each kind are stored (kinds with none may be absent).</param>
/// <param name="FirstEventUtc">The time of the earliest event; null when there is none.</param>
/// <param name="LastEventUtc">The time of the latest event; null when there is none.</param>
public sealed record StoreStatistics(
    long Members,
    long Titles,
    long Events,
    IReadOnlyDictionary<EventKind, long> EventsByKind,
    DateTime? FirstEventUtc,
    DateTime? LastEventUtc);

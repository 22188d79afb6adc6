using Encore.Core;

namespace Encore.Storage;

/// <summary>What <see cref="StoreCopier.CopyAsync"/> copied, with both stores' statistics (checked equal).</summary>
/// <param name="Titles">Titles copied (removed ones included: they keep their place in the key order).</param>
/// <param name="Members">Members copied (removed ones included).</param>
/// <param name="Events">Events stored in the target.</param>
/// <param name="Properties">Named properties copied.</param>
/// <param name="Source">The source's statistics before the copy.</param>
/// <param name="Target">The target's statistics after it.</param>
/// <param name="Elapsed">How long it took.</param>
public sealed record StoreCopyResult(long Titles, long Members, long Events, int Properties, StoreStatistics Source, StoreStatistics Target, TimeSpan Elapsed);

/// <summary>The copy finished but the target's counts differ from the source's; the message lists each difference.</summary>
public sealed class StoreCopyMismatchException(string message) : IOException(message);

/// <summary>
/// Copies one store into another, empty one through <see cref="IEventStore"/> only (e.g. a SQLite file into PostgreSQL for
/// `encore migrate-store`), and checks the counts. Titles and members go over in the order of their dense keys, so the
/// target's keys are the source's; the event log streams over in batches; removed titles and members are removed again
/// at the end (a removed title's details cannot be read back, so it arrives bare: id as its name).
/// </summary>
public static class StoreCopier
{
    /// <summary>The properties copied when no list is given: the active model's version and the simulation manifest.</summary>
    public static readonly IReadOnlyList<string> DefaultProperties = ["active-model", "simulation"];

    /// <summary>Events per append into the target.</summary>
    public const int BatchSize = 5_000;

    /// <summary>Copies <paramref name="source"/> into <paramref name="target"/>, which must be empty, and checks the counts.</summary>
    /// <param name="source">The store to copy.</param>
    /// <param name="target">The empty store to copy into.</param>
    /// <param name="properties">The store properties to copy (<see cref="DefaultProperties"/> where null).</param>
    /// <param name="progress">Told the number of events copied so far, after every batch.</param>
    /// <param name="ct">Cancels the copy.</param>
    /// <exception cref="InvalidOperationException">The target already holds titles, members or events.</exception>
    /// <exception cref="StoreCopyMismatchException">The counts differ after the copy.</exception>
    public static async Task<StoreCopyResult> CopyAsync(IEventStore source, IEventStore target, IReadOnlyList<string>? properties = null,
        IProgress<long>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        var started = System.Diagnostics.Stopwatch.StartNew();
        var existing = await target.GetStatisticsAsync(ct).ConfigureAwait(false);
        if (existing.Events != 0 || existing.Members != 0 || existing.Titles != 0)
            throw new InvalidOperationException($"{target.Location} is not empty ({existing.Titles} titles, {existing.Members} members, {existing.Events} events); copy into an empty store");
        var before = await source.GetStatisticsAsync(ct).ConfigureAwait(false);

        // Titles in key order: the full record where it can be read, a bare one for a removed title.
        var titleIds = await source.ReadTitleIdsAsync(ct).ConfigureAwait(false);
        var titles = new Dictionary<string, Title>(StringComparer.Ordinal);
        await foreach (var t in source.ReadTitlesAsync(ct).ConfigureAwait(false)) titles[t.Id] = t;
        var removedTitles = titleIds.Ids.Where(id => !titles.ContainsKey(id)).ToList();
        if (titleIds.Count > 0)
            await target.UpsertTitlesAsync(titleIds.Ids.Select(id => titles.TryGetValue(id, out var t) ? t : new Title { Id = id, Name = id }), ct).ConfigureAwait(false);

        // Members in key order, in chunks, merging the key map with the (key-ordered) stream of members not removed.
        var memberIds = await source.ReadMemberIdsAsync(ct).ConfigureAwait(false);
        var removedMembers = new List<string>();
        await using (var members = source.ReadMembersAsync(ct).GetAsyncEnumerator(ct))
        {
            bool more = await members.MoveNextAsync().ConfigureAwait(false);
            var chunk = new List<Member>(50_000);
            foreach (var id in memberIds.Ids)
            {
                if (more && members.Current.Id == id)
                {
                    chunk.Add(members.Current);
                    more = await members.MoveNextAsync().ConfigureAwait(false);
                }
                else
                {
                    chunk.Add(new Member { Id = id });
                    removedMembers.Add(id);
                }
                if (chunk.Count == chunk.Capacity)
                {
                    await target.UpsertMembersAsync(chunk, ct).ConfigureAwait(false);
                    chunk.Clear();
                }
            }
            if (chunk.Count > 0) await target.UpsertMembersAsync(chunk, ct).ConfigureAwait(false);
        }

        // The log, streamed in (time, id) order.
        long events = 0;
        var batch = new List<ViewingEvent>(BatchSize);
        async Task FlushAsync()
        {
            var result = await target.AppendAsync(batch, ct).ConfigureAwait(false);
            if (result.Duplicates != 0)
                throw new StoreCopyMismatchException($"{target.Location} already had {result.Duplicates} of the events copied (e.g. {batch[result.DuplicateIndices[0]].EventId})");
            events += result.Stored;
            batch.Clear();
            progress?.Report(events);
        }
        await foreach (var e in source.ReadEventsAsync(EventQuery.All, ct).ConfigureAwait(false))
        {
            batch.Add(e);
            if (batch.Count == BatchSize) await FlushAsync().ConfigureAwait(false);
        }
        if (batch.Count > 0) await FlushAsync().ConfigureAwait(false);

        foreach (var id in removedTitles) await target.RemoveTitleAsync(id, ct).ConfigureAwait(false);
        foreach (var id in removedMembers) await target.RemoveMemberAsync(id, ct).ConfigureAwait(false);
        int copiedProperties = 0;
        foreach (var name in properties ?? DefaultProperties)
        {
            if (await source.GetPropertyAsync(name, ct).ConfigureAwait(false) is { } value)
            {
                await target.SetPropertyAsync(name, value, ct).ConfigureAwait(false);
                copiedProperties++;
            }
        }

        var after = await target.GetStatisticsAsync(ct).ConfigureAwait(false);
        var problems = new List<string>();
        void Check<T>(string what, T want, T got)
        {
            if (!EqualityComparer<T>.Default.Equals(want, got)) problems.Add($"{what}: {want} in {source.Location}, {got} in {target.Location}");
        }
        Check("members", before.Members, after.Members);
        Check("titles", before.Titles, after.Titles);
        Check("events", before.Events, after.Events);
        Check("events copied", before.Events, events);
        foreach (var kind in EventKinds.All)
            Check(kind.WireName() + " events", before.EventsByKind.GetValueOrDefault(kind), after.EventsByKind.GetValueOrDefault(kind));
        Check("first event", before.FirstEventUtc, after.FirstEventUtc);
        Check("last event", before.LastEventUtc, after.LastEventUtc);
        Check("member keys", memberIds.Count, (await target.ReadMemberIdsAsync(ct).ConfigureAwait(false)).Count);
        Check("title keys", titleIds.Count, (await target.ReadTitleIdsAsync(ct).ConfigureAwait(false)).Count);
        if (problems.Count > 0) throw new StoreCopyMismatchException("the copy's counts differ: " + string.Join("; ", problems));
        return new StoreCopyResult(titleIds.Count, memberIds.Count, events, copiedProperties, before, after, started.Elapsed);
    }
}

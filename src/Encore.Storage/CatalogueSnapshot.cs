namespace Encore.Storage;

/// <summary>
/// An immutable, cheap-to-query view of which titles and episodes exist and how long they run: what
/// validation needs on every event, without reading whole <see cref="Encore.Core.Title"/> records.
/// </summary>
public sealed class CatalogueSnapshot
{
    /// <summary>A catalogue with no titles, no episodes and no removed members.</summary>
    public static readonly CatalogueSnapshot Empty = new(new Dictionary<string, int>(), new Dictionary<string, EpisodeInfo>());

    private readonly Dictionary<string, int> _titleRuntimes;
    private readonly Dictionary<string, EpisodeInfo> _episodes;
    private readonly HashSet<string> _removedMembers;

    /// <summary>A snapshot of the given titles, episodes and removed members (copied).</summary>
    /// <param name="titleRuntimes">
    /// Title id to the runtime in seconds that bounds positions in it: a film's runtime; 0 for a series (its
    /// episodes carry their own) and where unknown.
    /// </param>
    /// <param name="episodes">Episode id to its title and runtime.</param>
    /// <param name="removedMembers">Members that were removed (<see cref="IEventStore.RemoveMemberAsync"/>): their events are refused.</param>
    public CatalogueSnapshot(IReadOnlyDictionary<string, int> titleRuntimes, IReadOnlyDictionary<string, EpisodeInfo> episodes,
        IEnumerable<string>? removedMembers = null)
    {
        _titleRuntimes = new Dictionary<string, int>(titleRuntimes, StringComparer.Ordinal);
        _episodes = new Dictionary<string, EpisodeInfo>(episodes, StringComparer.Ordinal);
        _removedMembers = new HashSet<string>(removedMembers ?? [], StringComparer.Ordinal);
    }

    /// <summary>Whether the member was removed from the service (their new events are refused).</summary>
    public bool IsRemovedMember(string memberId) => _removedMembers.Count > 0 && _removedMembers.Contains(memberId);

    /// <summary>How many titles the catalogue holds.</summary>
    public int TitleCount => _titleRuntimes.Count;
    /// <summary>How many episodes the catalogue holds.</summary>
    public int EpisodeCount => _episodes.Count;

    /// <summary>Whether the catalogue holds the title.</summary>
    public bool ContainsTitle(string titleId) => _titleRuntimes.ContainsKey(titleId);

    /// <summary>Whether the title exists; the runtime bounding its positions is 0 for a series or where unknown.</summary>
    public bool TryGetTitle(string titleId, out int runtimeSeconds) => _titleRuntimes.TryGetValue(titleId, out runtimeSeconds);

    /// <summary>Whether the catalogue holds the episode; if so, <paramref name="episode"/> says its title and runtime.</summary>
    public bool TryGetEpisode(string episodeId, out EpisodeInfo episode) => _episodes.TryGetValue(episodeId, out episode);
}

/// <summary>What validation needs of an episode: which title it belongs to and its runtime (0 where unknown).</summary>
public readonly record struct EpisodeInfo(string TitleId, int RuntimeSeconds);

using Encore.Core;

namespace Encore.Ranking.Pages;

/// <summary>The kinds of row a homepage is made of.</summary>
public enum RowKind
{
    ContinueWatching,
    TopPicks,
    Trending,
    Popular,
    BecauseYouWatched,
    Genre,
    New,
    WatchAgain,
}

/// <summary>One title on a row: its name, the episode to play (Continue Watching), its score in the row, and why it is there.</summary>
/// <param name="Scores">The parts of the score (model, trend, popularity, metadata, context), only when the page was asked to explain itself.</param>
public sealed record PageEntry(string TitleId, string Name, string? EpisodeId, float Score, string Reason,
    IReadOnlyDictionary<string, float>? Scores = null);

/// <summary>A row of the page: its kind, a key unique on the page ("genre:Comedy", "byw:t000750"), its label, and the evidence shown for it.</summary>
public sealed record PageRow(RowKind Kind, string Key, string Label, string Evidence, IReadOnlyList<PageEntry> Titles);

/// <summary>A member's homepage for one device at one moment, and the model version that made it.</summary>
public sealed record Homepage(string MemberId, DeviceKind Device, DateTime AtUtc, string Model, IReadOnlyList<PageRow> Rows)
{
    /// <summary>Every title on the page, row by row.</summary>
    public IEnumerable<string> TitleIds => Rows.SelectMany(r => r.Titles.Select(t => t.TitleId));
}

/// <summary>How many rows, and titles per row, a device shows.</summary>
public sealed record DeviceLayout(int Rows, int TitlesPerRow);

/// <summary>The settings of page generation (documented defaults; every one can be changed per service).</summary>
public sealed record PageOptions
{
    public static readonly PageOptions Default = new();

    /// <summary>Rows and titles per row by device: a TV shows more and longer rows than a phone.</summary>
    public IReadOnlyDictionary<DeviceKind, DeviceLayout> Layouts { get; init; } = new Dictionary<DeviceKind, DeviceLayout>
    {
        [DeviceKind.Tv] = new(10, 40),
        [DeviceKind.Console] = new(10, 40),
        [DeviceKind.Web] = new(9, 30),
        [DeviceKind.Tablet] = new(8, 24),
        [DeviceKind.Phone] = new(6, 16),
    };

    /// <summary>No title appears twice among the first <see cref="AboveFoldTitles"/> titles of the first <see cref="AboveFoldRows"/> rows.</summary>
    public int AboveFoldRows { get; init; } = 4;
    public int AboveFoldTitles { get; init; } = 8;

    /// <summary>The share of the slots of personalized rows (Top Picks, genre rows) given to popular titles, placed at every 1/share-th slot.</summary>
    public float PopularShare { get; init; } = 0.2f;

    /// <summary>In Trending, the weight of trend strength against the member's own score (0..1).</summary>
    public float TrendWeight { get; init; } = 0.5f;

    /// <summary>How many "Because you watched" rows at most, and from titles played in how many days.</summary>
    public int MaxBecauseYouWatched { get; init; } = 3;
    public int BecauseYouWatchedDays { get; init; } = 30;

    /// <summary>Titles available for at most this many days are "New on the service".</summary>
    public int NewDays { get; init; } = 30;

    /// <summary>A row with fewer titles than this is left off the page.</summary>
    public int MinTitlesPerRow { get; init; } = 4;

    /// <summary>
    /// Weight of a title's metadata (genres, cast, director, as the member's viewing favours them) for titles the model
    /// cannot score (new titles no one has played), in standard deviations of the member's model scores.
    /// </summary>
    public float MetadataWeight { get; init; } = 1f;

    /// <summary>
    /// Lay every page out in one fixed order of rows (Continue Watching, Top Picks, Popular, Trending, New, Because You
    /// Watched, the genres by what the whole service plays, Watch Again) instead of choosing and ordering them for the
    /// member and the device: the reference that shows what page generation adds.
    /// </summary>
    public bool FixedRowOrder { get; init; }

    public DeviceLayout LayoutFor(DeviceKind device) => Layouts.TryGetValue(device, out var layout) ? layout : Layouts[DeviceKind.Web];

    public void Validate()
    {
        foreach (var (device, layout) in Layouts)
            if (layout.Rows < 1 || layout.TitlesPerRow < 1) throw new ArgumentException($"the layout for {device} must have at least one row of one title");
        if (AboveFoldRows < 0 || AboveFoldTitles < 0) throw new ArgumentException("above-the-fold rows and titles must be >= 0");
        if (!(PopularShare >= 0 && PopularShare <= 0.5f)) throw new ArgumentException($"popular share must be in [0, 0.5] (got {PopularShare})");
        if (!(TrendWeight >= 0 && TrendWeight <= 1)) throw new ArgumentException($"trend weight must be in [0, 1] (got {TrendWeight})");
        if (MaxBecauseYouWatched < 0 || BecauseYouWatchedDays < 1 || NewDays < 1 || MinTitlesPerRow < 1)
            throw new ArgumentException("because-you-watched rows >= 0, its days >= 1, new days >= 1 and the smallest row >= 1");
        if (!(MetadataWeight >= 0) || !float.IsFinite(MetadataWeight)) throw new ArgumentException($"metadata weight must be >= 0 (got {MetadataWeight})");
    }
}

/// <summary>One page request: whose, for which device, when, the member profile's limits, and whether to explain.</summary>
public sealed record PageRequest
{
    public required string MemberId { get; init; }
    public DeviceKind Device { get; init; } = DeviceKind.Tv;
    /// <summary>The moment the page is for (availability, trends, "new", the part of the day).</summary>
    public required DateTime AtUtc { get; init; }
    /// <summary>Override the device's layout.</summary>
    public int? Rows { get; init; }
    public int? TitlesPerRow { get; init; }
    /// <summary>The profile's maturity limit, an age on <see cref="MaturityRatings"/>' scale (<see cref="MaturityRatings.RequireAge"/>), or null for none.</summary>
    public int? MaturityLimit { get; init; }
    /// <summary>Fill <see cref="PageEntry.Scores"/>.</summary>
    public bool Explain { get; init; }
}

using Encore.Core;
using Encore.Ranking.Pages;
using Encore.Signals;
using Encore.Storage;

namespace Encore.Ranking.Tests;

/// <summary>
/// A small service with known tastes: 12 comedies, 12 crime films, 6 series (4 episodes each, some for adults only),
/// a new crime film and four new comedies nobody has played, and one title not available yet. Members 0-19 like comedy, 20-39 crime; each
/// watches a few titles of their taste to the end on the TV. The model is item-kNN (exact, deterministic).
/// </summary>
internal sealed class HomepageFixture
{
    public static readonly DateTime Start = new(2025, 3, 1, 19, 0, 0, DateTimeKind.Utc);
    public readonly List<Title> Titles = [];
    public RankingCatalogue Catalogue { get; }
    public SignalSet Signals { get; }
    public TrainedModel Model { get; private set; }
    public DateTime Now => Start.AddDays(20);

    public HomepageFixture()
    {
        for (int i = 0; i < 12; i++) Titles.Add(new Title { Id = $"comedy{i}", Name = $"Comedy {i}", RuntimeSeconds = 5_400, Genres = ["Comedy"], MaturityRating = i % 4 == 3 ? "R" : "PG" });
        for (int i = 0; i < 12; i++) Titles.Add(new Title { Id = $"crime{i}", Name = $"Crime {i}", RuntimeSeconds = 6_600, Genres = ["Crime"], MaturityRating = "PG-13", Directors = ["Mann"] });
        for (int i = 0; i < 6; i++)
        {
            var id = $"series{i}";
            Titles.Add(new Title
            {
                Id = id, Name = $"Series {i}", Kind = TitleKind.Series, RuntimeSeconds = 2_700, Genres = [i < 3 ? "Comedy" : "Crime"], MaturityRating = i == 5 ? "TV-MA" : "TV-14",
                Seasons = [new Season(1, [.. Enumerable.Range(1, 4).Select(e => new Episode($"{id}e{e}", 1, e, $"Episode {e}", 2_700))])],
            });
        }
        Titles.Add(new Title { Id = "crime-new", Name = "New Crime", RuntimeSeconds = 6_600, Genres = ["Crime"], MaturityRating = "PG-13", Directors = ["Mann"], AvailableFromUtc = Start.AddDays(15) });
        for (int i = 0; i < 4; i++)
            Titles.Add(new Title { Id = $"comedy-new{i}", Name = $"New Comedy {i}", RuntimeSeconds = 5_400, Genres = ["Comedy"], MaturityRating = "PG", AvailableFromUtc = Start.AddDays(12 + i) });
        Titles.Add(new Title { Id = "comedy-later", Name = "Comedy Later", RuntimeSeconds = 5_400, Genres = ["Comedy"], MaturityRating = "PG", AvailableFromUtc = Start.AddDays(30) });
        Catalogue = RankingCatalogue.Build(new IdMap(Titles.Select(t => t.Id)), new IdMap(Titles.SelectMany(t => t.Episodes).Select(e => e.Id)), Titles);
        Signals = new SignalSet(Catalogue.Signals, new IdMap(Enumerable.Range(0, 40).Select(m => $"m{m}")));
        for (int m = 0; m < 40; m++)
        {
            string genre = m < 20 ? "comedy" : "crime";
            // Titles of the member's taste, each finished on its own evening; neighbours overlap so item-kNN learns the genres.
            for (int k = 0; k < 5; k++) WatchFilm(m, $"{genre}{(m + k) % 10}", Start.AddDays(m % 7 + k));
        }
        Model = Train();
    }

    public TrainedModel Train() => Model = ModelTraining.Fit(Signals, Models.ModelCatalog.CreateTrainer("itemknn"),
        new TrainingRequest { Model = "itemknn", SimilarModel = null }, "fixture");

    public int Title(string id) => Catalogue.Signals.TitleIds.IndexOf(id);

    public void Apply(int member, string title, EventKind kind, DateTime at, float position = 0, string? episode = null, DeviceKind device = DeviceKind.Tv, float value = float.NaN)
    {
        int e = episode is null ? -1 : Catalogue.Signals.EpisodeIds.IndexOf(episode);
        Signals.Apply(new InteractionRow(Signals.MemberIds.GetOrAdd($"m{member}"), Title(title), e, kind, device,
            new DateTimeOffset(at).ToUnixTimeMilliseconds(), position, value));
    }

    public void WatchFilm(int member, string title, DateTime at)
    {
        int runtime = Titles[Title(title)].RuntimeSeconds;
        Apply(member, title, EventKind.PlayStart, at, 0);
        Apply(member, title, EventKind.Completion, at.AddSeconds(runtime), runtime);
    }

    public HomepageBuilder Builder(PageOptions? options = null) => new(Catalogue, Model, options);

    public Homepage Page(int member, DeviceKind device = DeviceKind.Tv, int? maturity = null, DateTime? at = null, bool explain = false)
        => Builder().Build(Signals, new PageRequest { MemberId = $"m{member}", Device = device, AtUtc = at ?? Now, MaturityLimit = maturity, Explain = explain });
}

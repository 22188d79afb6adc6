using Encore.Core;
using Encore.Storage;
using Xunit;

namespace Encore.Signals.Tests;

/// <summary>Context-aware scoring moves the order in the expected direction on a constructed service.</summary>
public sealed class ContextModelTests
{
    // Films are crime dramas; the series are short comedies.
    private static readonly Title[] Titles =
    [
        new() { Id = "f1", Name = "Film 1", RuntimeSeconds = 7_200, Genres = ["Crime"] },
        new() { Id = "f2", Name = "Film 2", RuntimeSeconds = 7_200, Genres = ["Crime"] },
        new() { Id = "f3", Name = "Film 3", RuntimeSeconds = 7_200, Genres = ["Crime"] },
        Short("s1"), Short("s2"), Short("s3"),
    ];

    private static Title Short(string id) => new()
    {
        Id = id, Name = id, Kind = TitleKind.Series, RuntimeSeconds = 1_320, Genres = ["Comedy"],
        Seasons = [new Season(1, [new Episode(id + "e1", 1, 1, "a", 1_320)])],
    };

    /// <summary>Everyone watches films on the TV in the evening and short comedies on the phone in the morning.</summary>
    private static SignalSet Service(int members)
    {
        var catalogue = SignalCatalogue.Build(new IdMap(Titles.Select(t => t.Id)), new IdMap(Titles.SelectMany(t => t.Episodes).Select(e => e.Id)), Titles);
        var set = new SignalSet(catalogue, new IdMap(Enumerable.Range(0, members).Select(m => $"m{m}")));
        long day = new DateTimeOffset(2025, 3, 3, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        for (int m = 0; m < members; m++)
        {
            long evening = day + m * 86_400_000L + 20 * 3_600_000L, morning = day + m * 86_400_000L + 7 * 3_600_000L;
            int film = m % 2, show = 3 + m % 2; // f1/f2 and s1/s2: f3 and s3 are never played
            set.Apply(new InteractionRow(m, film, -1, EventKind.PlayStart, DeviceKind.Tv, evening, 0, float.NaN));
            set.Apply(new InteractionRow(m, film, -1, EventKind.Completion, DeviceKind.Tv, evening + 7_200_000, 7_200, float.NaN));
            int episode = catalogue.EpisodeIds.IndexOf(Titles[show].Id + "e1");
            set.Apply(new InteractionRow(m, show, episode, EventKind.PlayStart, DeviceKind.Phone, morning, 0, float.NaN));
            set.Apply(new InteractionRow(m, show, episode, EventKind.Completion, DeviceKind.Phone, morning + 1_320_000, 1_320, float.NaN));
        }
        return set;
    }

    [Fact]
    public void The_same_scores_rank_short_comedies_first_on_a_phone_and_films_first_on_a_tv()
    {
        var set = Service(20);
        var context = ContextModel.Build(set, new ContextOptions { Weight = 0.5f, Prior = 5 });
        int f3 = 2, s3 = 5;

        float[] Scores(DeviceKind device, int hour)
        {
            var scores = new float[] { float.NegativeInfinity, float.NegativeInfinity, 0.5f, float.NegativeInfinity, float.NegativeInfinity, 0.5f };
            scores[0] = 0.1f; // some spread, so that standardizing is defined
            ScoreBlend.Standardize(scores);
            context.Adjust(0, device, hour, scores);
            return scores;
        }

        var phone = Scores(DeviceKind.Phone, 7);
        var tv = Scores(DeviceKind.Tv, 20);
        Assert.True(phone[s3] > phone[f3], $"phone: s3 {phone[s3]} vs f3 {phone[f3]}");
        Assert.True(tv[f3] > tv[s3], $"tv: f3 {tv[f3]} vs s3 {tv[s3]}");
        Assert.True(float.IsNegativeInfinity(phone[1]), "a masked title stays masked");
    }

    [Fact]
    public void A_member_with_no_plays_on_a_device_gets_the_services_habits_there()
    {
        var set = Service(20);
        // A newcomer who has only watched one film, on the TV.
        int newcomer = set.MemberIds.GetOrAdd("new");
        long t = new DateTimeOffset(2025, 4, 1, 20, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        set.Apply(new InteractionRow(newcomer, 0, -1, EventKind.PlayStart, DeviceKind.Tv, t, 0, float.NaN));
        var context = ContextModel.Build(set);
        var lifts = new float[set.Catalogue.Titles];

        context.Lifts(newcomer, DeviceKind.Phone, 7, lifts);

        Assert.True(lifts[5] > lifts[2], $"short comedy {lifts[5]} vs film {lifts[2]} on the newcomer's phone");
    }

    [Fact]
    public void Shares_saved_and_read_back_give_the_same_lifts_for_a_member_only_signal_set()
    {
        var set = Service(12);
        var shares = ContextShares.Of(set);
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true)) shares.Write(writer);
        buffer.Position = 0;
        var read = ContextShares.Read(new BinaryReader(buffer));

        var full = new float[set.Catalogue.Titles];
        var again = new float[set.Catalogue.Titles];
        ContextModel.Build(set).Lifts(3, DeviceKind.Phone, 8, full);
        ContextModel.With(set, read).Lifts(3, DeviceKind.Phone, 8, again);
        Assert.Equal(full, again);
    }
}

using Encore.Analytics.Audience;
using Encore.Analytics.Targeting;
using Encore.Core;
using Xunit;

namespace Encore.Analytics.Tests;

/// <summary>The audience model's parts on cases whose answers are known.</summary>
public sealed class AudienceTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void Ridge_recovers_a_linear_map_from_one_hot_features()
    {
        // y = 2 * f0 - 1 * f1 + 3 * f2 (+ 0.5 on the second output for f1), every combination of the three features.
        var rows = new List<(int[], float[])>();
        var targets = new List<double>();
        for (int mask = 1; mask < 8; mask++)
        {
            var idx = Enumerable.Range(0, 3).Where(i => (mask & (1 << i)) != 0).ToArray();
            rows.Add((idx, idx.Select(_ => 1f).ToArray()));
            targets.Add(idx.Sum(i => i switch { 0 => 2.0, 1 => -1.0, _ => 3.0 }));
            targets.Add(idx.Contains(1) ? 0.5 : 0);
        }
        var ridge = RidgeRegression.Fit(rows, targets.ToArray(), 3, 2, 1e-6);
        var result = new double[2];
        for (int r = 0; r < rows.Count; r++)
        {
            ridge.Predict(rows[r].Item1, rows[r].Item2, result);
            Assert.Equal(targets[r * 2], result[0], 4);
            Assert.Equal(targets[r * 2 + 1], result[1], 4);
        }
        // A heavy penalty shrinks towards the mean.
        var shrunk = RidgeRegression.Fit(rows, targets.ToArray(), 3, 2, 1e6);
        shrunk.Predict([0], [1f], result);
        Assert.Equal(targets.Where((_, i) => i % 2 == 0).Average(), result[0], 2);
    }

    [Fact]
    public void Spearman_is_one_for_the_same_order_minus_one_reversed_and_handles_ties()
    {
        Assert.Equal(1.0, RankCorrelation.Spearman([1, 2, 3, 4], [10, 20, 30, 400]), 12);
        Assert.Equal(-1.0, RankCorrelation.Spearman([1, 2, 3, 4], [4, 3, 2, 1]), 12);
        Assert.Equal([1.5, 1.5, 3], RankCorrelation.Ranks([5, 5, 7]));
        Assert.True(double.IsNaN(RankCorrelation.Spearman([1, 1, 1], [1, 2, 3])));
    }

    [Fact]
    public void Features_seen_on_too_few_titles_are_dropped_and_named()
    {
        var space = TitleFeatureSpace.Build(
        [
            new Title { Id = "a", Name = "A", Genres = ["Drama"], Directors = ["Jo Park"] },
            new Title { Id = "b", Name = "B", Genres = ["drama"], Directors = ["Ann Lee"] },
        ], minTitles: 2);
        Assert.True(space.IndexOf("genre:drama") >= 0);
        Assert.Equal(-1, space.IndexOf("director:jo park"));
        var proposed = new Title { Id = "p", Name = "P", Genres = ["Drama"], Directors = ["Jo Park"] };
        Assert.Equal(["director:jo park"], space.Unknown(proposed));
        var (idx, val) = space.Encode(proposed);
        Assert.Contains(space.IndexOf("genre:drama"), idx);
        Assert.Equal(idx.Length, val.Length);
    }

    /// <summary>
    /// A planted world: two tastes (members 0-59 like drama, 60-119 comedy), titles whose factors point at their genre's
    /// taste, each title begun by the members of its taste. Director "Jo Park" made drama titles 0 and 2.
    /// </summary>
    private static AudienceData Planted()
    {
        const int members = 120, titles = 40, k = 2, stride = 16;
        var x = new float[members * stride];
        for (int m = 0; m < members; m++) x[m * stride + (m < 60 ? 0 : 1)] = 1f + 0.01f * (m % 7);
        var y = new float[titles * stride];
        var meta = new Title?[titles];
        var started = new InteractionMatrixBuilder(new IdMap(Enumerable.Range(0, members).Select(m => $"m{m}")), new IdMap(Enumerable.Range(0, titles).Select(t => $"t{t}")));
        for (int t = 0; t < titles; t++)
        {
            bool drama = t % 2 == 0;
            y[t * stride + (drama ? 0 : 1)] = 0.8f;
            meta[t] = new Title
            {
                Id = $"t{t}", Name = $"Title {t}", Genres = [drama ? "Drama" : "Comedy"],
                Directors = [t is 0 or 2 ? "Jo Park" : $"Director {t % 5}"], Cast = [$"Actor {t % 3}"],
            };
            // Every other member of the taste begins it (a different half for neighbouring titles).
            for (int m = drama ? 0 : 60; m < (drama ? 60 : 120); m++)
                if ((m + t / 2) % 2 == 0) started.Add(m, t, 1f);
        }
        var matrix = started.Build();
        return new AudienceData
        {
            MemberIds = matrix.MemberIds, TitleIds = matrix.TitleIds, Titles = meta, MemberFactors = x, TitleFactors = y, Factors = k, Stride = stride,
            Started = matrix, Finished = matrix, MemberDevices = Enumerable.Range(0, members).Select(m => (DeviceKind?)(m % 4 == 0 ? DeviceKind.Phone : DeviceKind.Tv)).ToArray(),
        };
    }

    [Fact]
    public void A_proposed_drama_is_predicted_for_the_drama_taste_with_its_audience_size_and_overlaps()
    {
        var model = AudienceModel.Fit(Planted(), new AudienceOptions { TasteClusters = 2, TopMembers = 30 }, Ct);
        var drama = model.Predict(new ProposedTitle
        {
            Metadata = new Title { Id = "p", Name = "New drama", Genres = ["Drama"], Directors = ["Jo Park"], Cast = ["Actor 1"] },
            Original = "t0",
        }, Ct);
        // Each drama title was begun by 30 members: the prediction is about that, with a range around it.
        Assert.InRange(drama.Starts.Expected, 20, 40);
        Assert.True(drama.Starts.Low <= drama.Starts.Expected && drama.Starts.Expected <= drama.Starts.High);
        Assert.All(drama.TopMembers, m => Assert.True(int.Parse(m.MemberId[1..]) < 60, $"{m.MemberId} is a comedy member"));
        // The genre segment "drama" holds the audience; the comedy members' segment barely any.
        var dramaSegment = drama.Segments.Single(s => s.Kind == SegmentKind.Genre && s.Name == "drama");
        Assert.True(dramaSegment.Share > 0.9, $"drama share {dramaSegment.Share}");
        Assert.True(dramaSegment.Lift > 1.8);
        // Overlaps: Jo Park's titles 0 and 2 were finished by the drama members (m + 0) even and (m + 1) even: all 60;
        // the original t0 by the 30 even ones; so the two overlap in 30.
        var director = drama.Overlap.Audiences.Single(a => a.Kind == ExistingAudienceKind.Director);
        Assert.Equal((60, 2), (director.Members, director.Titles.Count));
        var original = drama.Overlap.Audiences.Single(a => a.Kind == ExistingAudienceKind.Original);
        Assert.Equal(30, original.Members);
        var pair = drama.Overlap.Pairs.Single(p => p.First == director.Label && p.Second == original.Label || p.Second == director.Label && p.First == original.Label);
        Assert.Equal(30, pair.Both);
        Assert.Equal(0.5, pair.Jaccard, 6);

        // A comedy goes to the other taste.
        var comedy = model.Predict(new ProposedTitle { Metadata = new Title { Id = "q", Name = "New comedy", Genres = ["Comedy"] } }, Ct);
        Assert.All(comedy.TopMembers, m => Assert.True(int.Parse(m.MemberId[1..]) >= 60, $"{m.MemberId} is a drama member"));
    }

    [Fact]
    public void Resembled_titles_pull_the_prediction_towards_them_and_unknown_ones_are_named()
    {
        var model = AudienceModel.Fit(Planted(), new AudienceOptions { TasteClusters = 2 }, Ct);
        // Metadata says comedy, but it resembles two dramas wholly: the drama members lead.
        var opts = model.Options with { ResemblanceWeight = 1 };
        var strong = AudienceModel.Fit(model.Data, opts, Ct);
        var prediction = strong.Predict(new ProposedTitle { Metadata = new Title { Id = "p", Name = "P", Genres = ["Comedy"] }, Resembles = ["t0", "t2"] }, Ct);
        Assert.Equal(["t0", "t2"], prediction.Blended);
        Assert.True(int.Parse(prediction.TopMembers[0].MemberId[1..]) < 60);
        var e = Assert.Throws<KeyNotFoundException>(() => model.Predict(new ProposedTitle { Metadata = new Title { Id = "p", Name = "P" }, Resembles = ["nope"] }, Ct));
        Assert.Contains("'nope'", e.Message);
    }

    [Fact]
    public void Targeting_ranks_the_genre_s_members_first_and_leaves_out_who_already_began_a_title()
    {
        var model = AudienceModel.Fit(Planted(), new AudienceOptions { TasteClusters = 2 }, Ct);
        var genre = MemberTargeting.Rank(model, new TargetSpec { Genre = "comedy" });
        var order = MemberTargeting.Order(genre.Keys);
        Assert.Equal(120, order.Length);
        Assert.All(order.Take(60), m => Assert.True(m >= 60));
        Assert.Equal(20, genre.MatchingTitles.Count);

        var title = MemberTargeting.Rank(model, new TargetSpec { TitleId = "t0" });
        Assert.Equal(30, title.Excluded);
        var titleOrder = MemberTargeting.Order(title.Keys);
        Assert.Equal(90, titleOrder.Length);
        Assert.All(titleOrder.Take(30), m => Assert.True(m < 60 && m % 2 == 1, $"member {m}"));

        // Attributes: director Jo Park's titles (0 and 2).
        var attributes = MemberTargeting.Rank(model, new TargetSpec { Attributes = new Title { Id = "a", Name = "a", Directors = ["jo park"] } });
        Assert.Equal([0, 2], attributes.MatchingTitles);
        Assert.Throws<KeyNotFoundException>(() => MemberTargeting.Rank(model, new TargetSpec { Genre = "western" }));
        Assert.Throws<KeyNotFoundException>(() => MemberTargeting.Rank(model, new TargetSpec { TitleId = "t999" }));
    }

    [Fact]
    public void Deciles_and_auc_of_a_known_ranking()
    {
        var order = Enumerable.Range(0, 20).ToArray();
        // Responders: members 0, 1 and 5: deciles 1 (0, 1) and 3 (5).
        var responders = new HashSet<int> { 0, 1, 5 };
        var deciles = MemberTargeting.Deciles(order, responders.Contains);
        Assert.Equal((2, 2), deciles[0]);
        Assert.Equal((2, 0), deciles[1]);
        Assert.Equal((2, 1), deciles[2]);
        Assert.Equal(3, deciles.Sum(d => d.Responders));
        // AUC: 0 and 1 outrank all 17 others, 5 outranks 14 of them: (17 + 17 + 14) / (3 * 17).
        Assert.Equal(48.0 / 51, MemberTargeting.Auc(order, responders.Contains), 12);
        Assert.Equal(1.0, MemberTargeting.Auc(order, m => m < 3), 12);
        Assert.True(MemberTargeting.Carries(new Title { Id = "x", Name = "x", Genres = ["Drama", "Crime"], Language = "en" }, new Title { Id = "w", Name = "w", Genres = ["crime"], Language = "EN" }));
        Assert.False(MemberTargeting.Carries(new Title { Id = "x", Name = "x", Genres = ["Drama"] }, new Title { Id = "w", Name = "w", Genres = ["crime"] }));
    }
}

/// <summary>The audience model refuses a store with nothing to learn from, naming it.</summary>
public sealed class AudienceStoreTests
{
    [Fact]
    public async Task An_empty_store_is_refused_with_the_reason()
    {
        using var temp = new Encore.TestSupport.TempFolder();
        var ct = TestContext.Current.CancellationToken;
        await using var store = await Encore.Storage.SqliteEventStore.OpenAsync(temp.File("empty.db"), ct);
        var matrix = new InteractionMatrixBuilder(new IdMap(["m1", "m2"]), new IdMap(["t1", "t2"]));
        matrix.Add(0, 0, 1f);
        matrix.Add(1, 1, 1f);
        var model = (Encore.Models.Ials.IalsRecommender)new Encore.Models.Ials.IalsTrainer(new Encore.Models.Ials.IalsOptions { Factors = 4, Iterations = 1 }).Fit(matrix.Build(), ct);
        var e = await Assert.ThrowsAsync<ArgumentException>(() => AudienceReport.FitAsync(store, model, ct: ct));
        Assert.Contains("holds no events", e.Message);
    }
}

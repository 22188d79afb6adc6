using Encore.Core;
using Encore.Models.Ials;
using Encore.Models.Popularity;
using Xunit;

namespace Encore.Models.Tests;

public sealed class IalsTests
{
    private static IalsOptions Small(int iterations) => new() { Factors = 8, Iterations = iterations, Regularization = 0.05f, Seed = 3, UseRatings = false };

    [Fact]
    public void Loss_decreases_over_iterations()
    {
        var data = SyntheticData.Create(members: 90, titles: 45, perMember: 10);
        var losses = new[] { 0, 1, 2, 4, 8 }
            .Select(it => ((IalsRecommender)new IalsTrainer(Small(it)).Fit(data, TestContext.Current.CancellationToken)).Loss(data))
            .ToArray();
        for (int i = 1; i < losses.Length; i++) Assert.True(losses[i] < losses[i - 1], $"loss went {string.Join(" -> ", losses)}");
        Assert.True(losses[^1] < 0.8 * losses[0]);
    }

    [Fact]
    public void Loss_decreases_over_iterations_when_titles_have_hundreds_of_plays()
    {
        // Each group's first titles have over 300 plays: the title half reads their member rows from one gathered copy
        // (rows of at least 256 entries), the others by gathering.
        var data = SyntheticData.Create(members: 900, titles: 20, perMember: 10);
        var byTitle = new int[data.Columns];
        foreach (var t in data.ColumnIndices) byTitle[t]++;
        Assert.Contains(byTitle, n => n >= 256);
        Assert.Contains(byTitle, n => n is > 0 and < 256);
        var losses = new[] { 0, 1, 2, 4 }
            .Select(it => ((IalsRecommender)new IalsTrainer(Small(it)).Fit(data, TestContext.Current.CancellationToken)).Loss(data))
            .ToArray();
        for (int i = 1; i < losses.Length; i++) Assert.True(losses[i] < losses[i - 1], $"loss went {string.Join(" -> ", losses)}");
        Assert.True(losses[^1] < 0.8 * losses[0], $"loss went {string.Join(" -> ", losses)}");
    }

    [Fact]
    public void The_member_half_in_the_title_gramians_eigenbasis_gives_the_same_scores()
    {
        // Many members per title, as at scale: there the member half is solved where G = a0 Y^T Y is diagonal.
        var data = SyntheticData.Create(members: 3000, titles: 60, perMember: 12);
        // 12 factors in rows of 16: the padding columns stay out of the basis.
        var o = new IalsOptions { Factors = 12, Iterations = 6, UseRatings = false, Seed = 3 };
        int kp = Encore.Models.Numerics.FactorKernels.Stride(o.Factors);
        Assert.True(IalsTrainer.EigenbasisPays(data.Rows, data.Columns, kp, o.CgSteps));
        Assert.True(IalsTrainer.EigenbasisPays(500_000, 50_000, 64, 3), "P-SCALE");
        Assert.False(IalsTrainer.EigenbasisPays(943, 1682, 128, 3), "ML-100K at the default 128 factors");
        Assert.False(IalsTrainer.EigenbasisPays(500_000, 50_000, 256, 3), "256 factors: the decomposition costs too much");
        Assert.False(IalsTrainer.EigenbasisPays(500_000, 50_000, 64, 0), "no CG step: nothing to save");
        var rows = IalsTrainer.WeightedRows(data, o);
        var ct = TestContext.Current.CancellationToken;
        var (x, y, _) = IalsTrainer.TrainFactors(rows, o, null, eigenbasis: false, ct);
        var (ex, ey, _) = IalsTrainer.TrainFactors(rows, o, null, eigenbasis: true, ct);
        double largest = 0, difference = 0, moved = 0;
        for (int m = 0; m < data.Rows; m++)
        {
            moved = Math.Max(moved, Math.Abs(x[m * kp] - ex[m * kp]));
            for (int t = 0; t < data.Columns; t++)
            {
                float plain = System.Numerics.Tensors.TensorPrimitives.Dot(x.AsSpan(m * kp, kp), y.AsSpan(t * kp, kp));
                float rotated = System.Numerics.Tensors.TensorPrimitives.Dot(ex.AsSpan(m * kp, kp), ey.AsSpan(t * kp, kp));
                largest = Math.Max(largest, Math.Abs(plain));
                difference = Math.Max(difference, Math.Abs(plain - rotated));
            }
        }
        // The scores agree to the bfloat16 gathers' rounding (measured 0.4% of the largest score at 16 factors; the same
        // fit from rotated starting factors differs as much), while the factors themselves are in another basis. A member
        // half that skipped turning the warm start into the basis differed by 4% (measured once, at 16 factors).
        Assert.True(difference <= 1e-2 * largest, $"largest score difference {difference} against scores up to {largest}");
        Assert.True(moved > 0.05, $"the factors moved by at most {moved}");
        for (int r = 0; r < data.Rows; r++)
            for (int k = o.Factors; k < kp; k++) Assert.Equal(0f, ex[r * kp + k]);
    }

    [Fact]
    public void Plain_regularization_also_decreases_the_loss()
    {
        var data = SyntheticData.Create();
        var o = Small(1) with { RegularizationExponent = 0, Regularization = 2 };
        double one = ((IalsRecommender)new IalsTrainer(o).Fit(data, TestContext.Current.CancellationToken)).Loss(data);
        double six = ((IalsRecommender)new IalsTrainer(o with { Iterations = 6 }).Fit(data, TestContext.Current.CancellationToken)).Loss(data);
        Assert.True(six < one);
    }

    [Fact]
    public void Fold_in_of_a_training_history_agrees_with_the_trained_member()
    {
        var data = SyntheticData.Create();
        var model = (IalsRecommender)new IalsTrainer(Small(25) with { CgSteps = 6 }).Fit(data, TestContext.Current.CancellationToken);
        var trained = new float[data.Columns];
        var folded = new float[data.Columns];
        for (int m = 0; m < 10; m++)
        {
            model.ScoreMember(m, trained);
            model.ScoreHistory(data.RowColumns(m), data.RowValues(m), folded);
            double cos = System.Numerics.Tensors.TensorPrimitives.CosineSimilarity(trained, folded);
            Assert.True(cos > 0.99, $"member {m}: cosine {cos}");
        }
    }

    [Fact]
    public void Members_of_a_taste_group_get_titles_of_that_group()
    {
        var data = SyntheticData.Create(members: 90, titles: 45, perMember: 10);
        var model = new IalsTrainer(Small(10)).Fit(data, TestContext.Current.CancellationToken);
        int inGroup = 0, total = 0;
        for (int m = 0; m < 30; m++)
        {
            int group = int.Parse(model.MemberIds[m].AsSpan(1)) % 3;
            foreach (var r in Recommendations.Recommend(model, model.MemberIds[m], 5))
            {
                total++;
                if (r.TitleId != SyntheticData.UnwatchedTitle && int.Parse(r.TitleId.AsSpan(1)) % 3 == group) inGroup++;
            }
        }
        Assert.True(inGroup > 0.7 * total, $"{inGroup} of {total} in the member's group");
    }

    [Fact]
    public void A_title_is_most_similar_to_itself_and_cancellation_stops_training()
    {
        var data = SyntheticData.Create();
        var model = new IalsTrainer(Small(5)).Fit(data, TestContext.Current.CancellationToken);
        var s = new float[data.Columns];
        model.SimilarTitles(6, s);
        Assert.Equal(6, Array.IndexOf(s, s.Max()));
        using var cts = new CancellationTokenSource();
        var trainer = new IalsTrainer(Small(50)) { IterationCompleted = (it, _) => { if (it == 2) cts.Cancel(); } };
        Assert.ThrowsAny<OperationCanceledException>(() => trainer.Fit(data, cts.Token));
    }

    /// <summary>
    /// Binary plays on a sparse, large catalogue (600 members x 3,000 titles, about 15 plays each, density 0.5%) with
    /// planted tastes: 12 groups of 250 titles, each member plays mostly in one group (popular titles of the group
    /// more often) and sometimes a globally popular title. Popularity ignores the groups; a working iALS finds them.
    /// One play per member is held out at random. Returns the data without the held-out plays and those plays.
    /// </summary>
    private static (InteractionMatrix Train, Dictionary<string, string> HeldOut) SparseBinaryTastes(int seed = 5)
    {
        const int members = 600, titles = 3000, groups = 12, perGroup = titles / groups;
        var rng = new Random(seed);
        var titleIds = new IdMap(Enumerable.Range(0, titles).Select(t => $"t{t}"));
        var plays = new List<(string Member, string Title)>();
        var heldOut = new Dictionary<string, string>();
        for (int m = 0; m < members; m++)
        {
            int group = m % groups;
            var seen = new HashSet<int>();
            int count = 8 + rng.Next(15);
            while (seen.Count < count)
            {
                // Zipf-like within the group (rank r drawn as perGroup * u^3), or a globally popular title (low ids).
                int t = rng.NextDouble() < 0.85
                    ? group * perGroup + (int)(perGroup * Math.Pow(rng.NextDouble(), 3))
                    : (int)(titles * Math.Pow(rng.NextDouble(), 6));
                seen.Add(t);
            }
            var list = seen.ToArray();
            int held = rng.Next(list.Length);
            for (int k = 0; k < list.Length; k++)
            {
                if (k == held) heldOut[$"m{m}"] = $"t{list[k]}";
                else plays.Add(($"m{m}", $"t{list[k]}"));
            }
        }
        var builder = new InteractionMatrixBuilder(titleIds: titleIds);
        foreach (var (member, title) in plays) builder.Add(member, title, 1f);
        return (builder.Build(), heldOut);
    }

    private static double HitRate(IRecommender model, Dictionary<string, string> heldOut)
    {
        int hits = 0;
        foreach (var (member, title) in heldOut)
            if (Recommendations.Recommend(model, member, 20).Any(r => r.TitleId == title)) hits++;
        return (double)hits / heldOut.Count;
    }

    [Fact]
    public void Default_ials_beats_popularity_on_sparse_binary_data_with_a_large_catalogue()
    {
        // Encore's first defaults (unobserved weight 1 whatever the catalogue, lambda 0.02 fully frequency-scaled)
        // drove the factors to zero on such data (regularization grew with the catalogue, the evidence did not), and
        // iALS then ranked exactly as popularity: that setting is checked first, so that this data keeps telling the two apart.
        var ct = TestContext.Current.CancellationToken;
        var (train, heldOut) = SparseBinaryTastes();
        double popularity = HitRate(new PopularityTrainer().Fit(train, ct), heldOut);
        var first = new IalsOptions { UnobservedWeight = 1f, Regularization = 0.02f, RegularizationExponent = 1f };
        double collapsed = HitRate(new IalsTrainer(first).Fit(train, ct), heldOut);
        Assert.True(Math.Abs(collapsed - popularity) < 0.02, $"first defaults: HR@20 {collapsed:F3}, popularity {popularity:F3}");

        var model = (IalsRecommender)new IalsTrainer().Fit(train, ct);
        double ials = HitRate(model, heldOut);
        Assert.True(ials > 2 * popularity, $"default iALS HR@20 {ials:F3}, popularity {popularity:F3}");
        double norm = 0;
        for (int t = 0; t < train.Columns; t++) norm += System.Numerics.Tensors.TensorPrimitives.Norm(model.TitleFactors(t));
        Assert.True(norm / train.Columns > 1e-2, $"mean title factor norm {norm / train.Columns:G3}");
    }

    [Fact]
    public void Unobserved_weight_follows_the_density_unless_given()
    {
        // a0 = unobserved-ratio x sum of confidences (1 + alpha |w|) / (members x titles): the unobserved pairs weigh
        // unobserved-ratio times the observed ones in total, whatever the catalogue's size. A given weight is kept.
        var ct = TestContext.Current.CancellationToken;
        var data = SyntheticData.Create(members: 200, titles: 900, perMember: 5); // sparse: density 0.6%
        var o = new IalsOptions { Factors = 4, Iterations = 1, UseRatings = false, Alpha = 2 };
        double confidence = data.Values.Sum(w => 1.0 + 2 * Math.Abs(w));
        var model = (IalsRecommender)new IalsTrainer(o).Fit(data, ct);
        Assert.Equal(o.UnobservedRatio * confidence / ((double)data.Rows * data.Columns), model.Options.UnobservedWeight!.Value, 1e-6);

        // The same plays in a catalogue twice as large: half the weight per pair, the same in total.
        var titles = new IdMap(data.TitleIds.Ids.Concat(Enumerable.Range(0, data.Columns).Select(t => $"extra{t}")));
        var builder = new InteractionMatrixBuilder(titleIds: titles);
        for (int m = 0; m < data.Rows; m++)
        {
            var columns = data.RowColumns(m);
            var values = data.RowValues(m);
            for (int k = 0; k < columns.Length; k++) builder.Add(data.MemberIds[m], data.TitleIds[columns[k]], values[k]);
        }
        var larger = (IalsRecommender)new IalsTrainer(o).Fit(builder.Build(), ct);
        Assert.Equal(model.Options.UnobservedWeight!.Value / 2, larger.Options.UnobservedWeight!.Value, 1e-6);

        var given = (IalsRecommender)new IalsTrainer(o with { UnobservedWeight = 0.5f }).Fit(data, ct);
        Assert.Equal(0.5f, given.Options.UnobservedWeight);

        // On dense data (8 plays of 46 titles a member) the rule would weigh an unobserved pair above an observed one: capped at 1.
        var dense = (IalsRecommender)new IalsTrainer(o).Fit(SyntheticData.Create(), ct);
        Assert.Equal(IalsOptions.MaxDerivedUnobservedWeight, dense.Options.UnobservedWeight);
    }
}

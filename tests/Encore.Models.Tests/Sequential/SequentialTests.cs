using Encore.Core;
using Encore.Models.Ease;
using Encore.Models.Sequential;
using Xunit;

namespace Encore.Models.Tests.Sequential;

public sealed class SequentialTests
{
    [Fact]
    public void Transition_counts_pair_each_title_with_the_following_ones_decayed()
    {
        // Two histories: a b c, and b c.  Window 2, decay 0.5: (a,b)=1, (a,c)=0.5, (b,c)=1+1=2.
        int[] pointers = [0, 3, 5];
        int[] titles = [0, 1, 2, 1, 2];
        var m = TitleTransitions.Count(pointers, titles, 3, window: 2, decay: 0.5f, TestContext.Current.CancellationToken);
        Assert.Equal([0, 2, 3, 3], m.Pointers);
        Assert.Equal([1, 2, 2], m.Indices);
        Assert.Equal([1f, 0.5f, 2f], m.Values);

        var normalized = TitleTransitions.Normalize(m, [1, 4, 1], exponent: 0.5f);
        // Row a sums to 1.5: (a,b) = 1/1.5 / sqrt(4), (a,c) = 0.5/1.5 / 1.
        Assert.Equal(1f / 1.5f / 2f, normalized.Values[0], 5);
        Assert.Equal(0.5f / 1.5f, normalized.Values[1], 5);
        Assert.Equal(1f, normalized.Values[2], 5);
    }

    [Fact]
    public void Window_one_counts_only_direct_successors()
    {
        var m = TitleTransitions.Count([0, 4], [3, 1, 2, 0], 4, window: 1, decay: 0.9f, TestContext.Current.CancellationToken);
        Assert.Equal(3, m.NonZeros);
        Assert.Equal([1], m.RowIndices(3).ToArray());
        Assert.Equal([2], m.RowIndices(1).ToArray());
        Assert.Equal([0], m.RowIndices(2).ToArray());
    }

    [Fact]
    public void Standardize_gives_zero_mean_and_unit_spread_over_the_titles_left_in()
    {
        float[] scores = [1, 2, 3, 100, 4];
        Standardize.InPlace(scores, [3]);
        var kept = new[] { scores[0], scores[1], scores[2], scores[4] };
        Assert.Equal(0, kept.Average(), 5);
        Assert.Equal(1, Math.Sqrt(kept.Select(x => (double)x * x).Average()), 4);
        float[] constant = [2, 2, 2];
        Standardize.InPlace(constant);
        Assert.Equal([0f, 0f, 0f], constant);
    }

    [Fact]
    public void The_latest_title_decides_what_comes_next()
    {
        // Everyone who watches title 0 watches title 1 right after it, and title 2 is followed by title 3.
        // Member "probe" watched 2 long ago and 0 last: 1 must outrank 3; with the order reversed, 3 outranks 1.
        var titles = new IdMap(Enumerable.Range(0, 12).Select(i => $"t{i}"));
        var builder = new InteractionMatrixBuilder(titleIds: titles);
        long time = 1_000_000;
        for (int m = 0; m < 30; m++)
        {
            int filler = 4 + m % 8;
            builder.Add($"a{m}", $"t{filler}", 1f, 5f, time++);
            builder.Add($"a{m}", "t0", 1f, 5f, time++);
            builder.Add($"a{m}", "t1", 1f, 5f, time++);
            builder.Add($"b{m}", $"t{filler}", 1f, 5f, time++);
            builder.Add($"b{m}", "t2", 1f, 5f, time++);
            builder.Add($"b{m}", "t3", 1f, 5f, time++);
        }
        builder.Add("probe", "t2", 1f, 5f, time++);
        builder.Add("probe", "t5", 1f, 5f, time++);
        builder.Add("probe", "t0", 1f, 5f, time++);
        builder.Add("reverse", "t0", 1f, 5f, time++);
        builder.Add("reverse", "t5", 1f, 5f, time++);
        builder.Add("reverse", "t2", 1f, 5f, time++);
        var data = builder.Build();
        var model = new SequentialTrainer(new SequentialOptions { Lambda = 10, SimilarLambda = 10, RecencyScale = 1, TransitionScale = 1 })
            .Fit(data, TestContext.Current.CancellationToken);

        var probe = Recommendations.Recommend(model, "probe", 2);
        Assert.Equal("t1", probe[0].TitleId);
        var reverse = Recommendations.Recommend(model, "reverse", 2);
        Assert.Equal("t3", reverse[0].TitleId);
        Assert.Equal("t1", Recommendations.SimilarTitles(model, "t0", 1)[0].TitleId);
        Assert.Equal("t3", Recommendations.SimilarTitles(model, "t2", 1)[0].TitleId);
    }

    [Fact]
    public void History_order_comes_from_timestamps_then_title_index()
    {
        var titles = new IdMap(["x", "y", "z"]);
        var builder = new InteractionMatrixBuilder(titleIds: titles);
        builder.Add("m", "z", 1f, 5f, 10);
        builder.Add("m", "x", 1f, 5f, 30);
        builder.Add("m", "y", 1f, 5f, 10); // same time as z: the lower title index (z=2 > y=1) comes first
        var model = (SequentialRecommender)new SequentialTrainer().Fit(builder.Build(), TestContext.Current.CancellationToken);
        Assert.Equal([1, 2, 0], model.ChronologicalTitles(0).ToArray());
    }

    [Theory]
    [InlineData(false)] // no timestamps at all
    [InlineData(true)]  // a timestamp column holding 0 on every line (the P-SCALE file)
    public void Without_time_order_it_ranks_as_its_EASE_part_instead_of_reading_an_order_into_title_ids(bool zeroTimes)
    {
        // The same positives as SyntheticData, with no time order. Title ids then say nothing about what was
        // watched last or what comes next, so the model must rank exactly as EASE with its lambda (every history
        // title weighing the same), not follow recency weights and transition counts read in title-id order.
        var timed = SyntheticData.Create(members: 60, titles: 45, perMember: 10);
        var builder = new InteractionMatrixBuilder(titleIds: timed.TitleIds);
        for (int m = 0; m < timed.Rows; m++)
        {
            var columns = timed.RowColumns(m);
            for (int k = 0; k < columns.Length; k++)
                builder.Add(timed.MemberIds[m], timed.TitleIds[columns[k]], 1f, null, zeroTimes ? 0 : null);
        }
        var untimed = builder.Build();
        Assert.Equal(zeroTimes, untimed.Timestamps is not null);
        var ct = TestContext.Current.CancellationToken;
        var options = new SequentialOptions { Lambda = 10, SimilarLambda = 10, RecencyScale = 1, TransitionScale = 1, TransitionWeight = 1 };
        var model = new SequentialTrainer(options).Fit(untimed, ct);
        var ease = new EaseTrainer(new EaseOptions { Lambda = 10 }).Fit(untimed, ct);
        for (int m = 0; m < untimed.Rows; m++)
        {
            var member = untimed.MemberIds[m];
            var expected = Recommendations.Recommend(ease, member, 10).Select(r => r.TitleId).ToArray();
            var got = Recommendations.Recommend(model, member, 10).Select(r => r.TitleId).ToArray();
            Assert.True(expected.SequenceEqual(got), $"member {member}: EASE {string.Join(' ', expected)}, sequential {string.Join(' ', got)}");
        }
        Assert.False(((SequentialRecommender)model).TimeOrdered);
        Assert.True(((SequentialRecommender)new SequentialTrainer(options).Fit(timed, ct)).TimeOrdered);
    }

    [Fact]
    public void Bad_options_are_rejected_with_the_parameter_name()
    {
        var e = Assert.Throws<ArgumentException>(() => ModelCatalog.CreateTrainer("sequential", new Dictionary<string, string> { ["decay"] = "1.5" }));
        Assert.Contains("decay", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => ModelCatalog.CreateTrainer("sequential", new Dictionary<string, string> { ["window"] = "0" }));
        Assert.Contains("window", e.Message, StringComparison.Ordinal);
    }
}

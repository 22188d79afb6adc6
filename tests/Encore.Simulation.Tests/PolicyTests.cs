using Encore.Core;
using Encore.Models;
using Encore.Simulation;
using Xunit;

namespace Encore.Simulation.Tests;

public sealed class PolicyTests
{
    private static readonly SimulationOptions Small = new() { Members = 500, Titles = 400, Days = 14, Seed = 11 };

    [Fact]
    public async Task A_better_policy_gives_more_hours_watched()
    {
        var ct = TestContext.Current.CancellationToken;
        var random = await SimulationRun.RunAsync(Small, _ => new RandomPolicy(), ct);
        var popular = await SimulationRun.RunAsync(Small, _ => new PopularityPolicy(), ct);
        var oracle = await SimulationRun.RunAsync(Small, s => new OraclePolicy(s.Catalogue, s.Truth), ct);
        Assert.True(oracle.HoursWatched > popular.HoursWatched * 1.05, $"oracle {oracle.HoursWatched:0} h, popularity {popular.HoursWatched:0} h");
        Assert.True(popular.HoursWatched > random.HoursWatched * 1.05, $"popularity {popular.HoursWatched:0} h, random {random.HoursWatched:0} h");
        // The policy changes what members watch, not only how much.
        double meanUtility(SimulationRun r) => r.Memory.Plays.Average(p => p.Utility);
        Assert.True(meanUtility(oracle) > meanUtility(random));
    }

    [Fact]
    public async Task A_fitted_encore_model_plugs_in_as_a_policy()
    {
        var ct = TestContext.Current.CancellationToken;
        var first = await SimulationRun.RunAsync(Small, null, ct);
        // Fit on what the service saw, then run the same world with the model choosing the homepage.
        var builder = new InteractionMatrixBuilder(new IdMap(first.Service.Members.Ids), new IdMap(first.Service.Catalogue.Ids));
        foreach (var p in first.Memory.Plays) builder.Add(p.Member, p.Title, p.Weight);
        var model = ModelCatalog.CreateTrainer("itemknn").Fit(builder.Build(), ct);

        var service = new SimulatedService(Small);
        var policy = new RecommenderPolicy(model, service.Catalogue);
        var memory = new MemorySink();
        await service.RunAsync(policy, memory, null, ct);
        Assert.Equal("model:" + model.Name, policy.Name);
        var impressions = memory.Events.Where(e => e.Kind == EventKind.Impression && e.Text == "top-picks").ToList();
        Assert.NotEmpty(impressions);
        Assert.All(impressions, e => Assert.InRange(e.Value, float.Epsilon, 1f));
        var modelHours = memory.Sessions.Sum(s => (double)s.WatchSeconds);
        var randomRun = await SimulationRun.RunAsync(Small, _ => new RandomPolicy(), ct);
        Assert.True(modelHours / 3600 > randomRun.HoursWatched, $"model {modelHours / 3600:0} h, random {randomRun.HoursWatched:0} h");
    }

    [Fact]
    public void A_model_policy_folds_in_the_history_oldest_first_by_the_last_day_played()
    {
        var ct = TestContext.Current.CancellationToken;
        var catalogue = new SimulatedService(Small).Catalogue;
        // A sequential model (it reads recency from the history's order), trained on time-ordered histories.
        var builder = new InteractionMatrixBuilder(titleIds: new IdMap(catalogue.Ids));
        var rng = new Random(3);
        long time = 1_000_000;
        for (int m = 0; m < 200; m++)
            for (int k = 0; k < 10; k++) builder.Add($"m{m}", catalogue.Ids[rng.Next(40)], 1f, null, time++);
        var model = ModelCatalog.CreateTrainer("sequential", new Dictionary<string, string> { ["lambda"] = "5", ["similar-lambda"] = "0", ["window"] = "3" })
            .Fit(builder.Build(), ct);
        var policy = new RecommenderPolicy(model, catalogue);

        // The member's list is in the order of first play; the last days played order it b, c, d, a.
        HistoryEntry[] history =
        [
            new() { Title = 1, Weight = 1f, LastDay = 9 },
            new() { Title = 2, Weight = 1f, LastDay = 2 },
            new() { Title = 3, Weight = 2f, LastDay = 5 },
            new() { Title = 4, Weight = 1f, LastDay = 5 },
        ];
        var scores = new float[catalogue.Count];
        policy.ScoreTitles(new PageRequest(0, "someone-new", 10, DeviceKind.Tv, history), scores);

        var byLastDay = new float[model.TitleIds.Count];
        model.ScoreHistory([2, 3, 4, 1], [1f, 2f, 1f, 1f], byLastDay); // the model's titles are the catalogue's, in its order
        var byFirstPlay = new float[model.TitleIds.Count];
        model.ScoreHistory([1, 2, 3, 4], [1f, 1f, 2f, 1f], byFirstPlay);
        Assert.NotEqual(byFirstPlay, byLastDay); // the order matters to this model, so the check below can fail
        Assert.Equal(byLastDay, scores);
    }

    [Fact]
    public void Row_filler_records_the_probability_of_each_slot()
    {
        var page = new Homepage(100);
        int[] pool = Enumerable.Range(0, 100).ToArray();
        int[] ranked = [5, 6, 7, 8, 9];
        var rng = SimRandom.Create(1, 2);
        int greedyFirst = 0;
        const int trials = 4000;
        for (int i = 0; i < trials; i++)
        {
            page.Clear();
            page.BeginRow("test");
            RowFiller.Fill(page, ranked, 3, 0.2, pool, ref rng);
            Assert.Equal(3, page.SlotCount);
            if (page.Title(0) == 5)
            {
                greedyFirst++;
                Assert.Equal(0.8 + 0.2 / 100, page.Propensity(0), 5);
            }
            else Assert.Equal(0.2 / 100, page.Propensity(0), 5);
        }
        // The recorded propensity of the greedy slot matches how often it is shown.
        Assert.InRange(greedyFirst / (double)trials, 0.80 - 0.03, 0.80 + 0.03);
    }
}

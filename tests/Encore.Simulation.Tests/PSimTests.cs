using Encore.Evaluation.Simulation;
using Encore.Simulation;
using Encore.Storage;
using Encore.TestSupport;
using Xunit;

namespace Encore.Simulation.Tests;

/// <summary>P-SIM on a small simulated database: the split, both truths, and the ranking of models.</summary>
public sealed class PSimTests
{
    private static readonly SimulationOptions Options = new() { Members = 400, Titles = 250, Days = 30, Seed = 17 };

    private static async Task<(string Db, MemorySink Memory, SimulatedService Service)> SimulateAsync(TempFolder folder, CancellationToken ct)
    {
        var db = folder.File("sim.db");
        var service = new SimulatedService(Options);
        var memory = new MemorySink();
        await using (var store = await SqliteEventStore.OpenAsync(db, ct))
        {
            await service.RunAsync(new PopularityPolicy(), new CompositeSink(new StoreSink(store), memory), null, ct);
            await SimulationManifest.From(Options, "popularity").SaveAsync(store, ct);
        }
        return (db, memory, service);
    }

    [Fact]
    public async Task The_split_keeps_the_last_14_days_for_truth_and_truth_is_new_well_watched_titles()
    {
        var ct = TestContext.Current.CancellationToken;
        using var folder = new TempFolder();
        var (db, memory, service) = await SimulateAsync(folder, ct);
        PSimData data;
        await using (var store = await SqliteEventStore.OpenAsync(db, ct))
            data = await PSimProtocol.LoadAsync(store, null, ct);
        var split = data.Test;
        var members = split.Signals.MemberIds;
        var titleIds = split.Signals.Catalogue.TitleIds;

        Assert.Equal(Options.StartUtc.AddDays(Options.Days - 14), split.TrainEndUtc);
        Assert.Equal(Options.StartUtc.AddDays(Options.Days - 21), data.Validation.TrainEndUtc);
        Assert.Equal(split.TrainEndMs, data.Validation.TruthEndMs);
        Assert.NotEmpty(split.WatchedTruth);
        Assert.NotEmpty(data.Validation.WatchedTruth);
        long splitMs = split.TrainEndMs;
        foreach (var (member, titles) in split.WatchedTruth)
        {
            foreach (var title in titles)
            {
                // Never started in training (it may have been shown, searched or rated), and the simulator saw this
                // member start it after the split.
                Assert.False(split.Signals.Get(member, title).Played);
                int m = service.Members.IndexOf(members[member]), t = service.Catalogue.IndexOf(titleIds[title]);
                Assert.Contains(memory.Plays, p => p.Member == m && p.Title == t && p.FirstTime && p.TimestampMs >= splitMs);
            }
        }
        // The watched truth leans to titles the member truly likes.
        var utilities = split.WatchedTruth.SelectMany(kv => kv.Value.Select(t =>
            service.Truth.Utility(members[kv.Key], titleIds[t]))).ToList();
        Assert.True(utilities.Average() > GroundTruth.LikeThreshold, $"mean utility of the watched truth {utilities.Average():F2}");

        var taste = data.TasteTruth;
        Assert.NotEmpty(taste);
        Assert.All(taste.Values, top => Assert.InRange(top.Length, 1, 20));
    }

    [Fact]
    public async Task Personalized_models_beat_popularity_on_both_truths()
    {
        var ct = TestContext.Current.CancellationToken;
        using var folder = new TempFolder();
        var (db, _, _) = await SimulateAsync(folder, ct);
        var none = new Dictionary<string, string>();
        var settings = new[] { SignalSetting.Plays, SignalSetting.All };
        PSimData data;
        await using (var store = await SqliteEventStore.OpenAsync(db, ct))
            data = await PSimProtocol.LoadAsync(store, null, ct);
        var popularity = PSimProtocol.Run(data, "popularity", none, settings, null, ct);
        var knn = PSimProtocol.Run(data, "itemknn", none, settings, null, ct);
        Assert.Equal(2, knn.Count);
        foreach (var (pop, model) in popularity.Zip(knn))
        {
            Assert.Equal("p-sim", model.Protocol);
            double Metric(Encore.Evaluation.Reporting.EvaluationReport r, string name) => r.Metrics.First(m => m.Name == name).Value;
            Assert.True(Metric(model, "recall@20") > Metric(pop, "recall@20"), $"{model.Parameters["signals"]}: knn {Metric(model, "recall@20"):F3}, popularity {Metric(pop, "recall@20"):F3}");
            Assert.True(Metric(model, "ndcg@20_taste") > Metric(pop, "ndcg@20_taste"));
            Assert.Contains("\"signals\":", model.ToJson(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Each_signal_setting_keeps_the_groups_before_it_and_everything_is_the_training_default()
    {
        Assert.Equal(Encore.Signals.PreferenceOptions.Plays, SignalSetting.Plays.Preferences);
        Assert.Equal(SignalSetting.Watch.Preferences, SignalSetting.Engagement.Preferences with { Scene = 0, SkipPenalty = 0 });
        Assert.Equal(SignalSetting.Engagement.Preferences, SignalSetting.Explicit.Preferences with { PositiveRating = 0 });
        Assert.Equal(SignalSetting.Explicit.Preferences, SignalSetting.Contextual.Preferences);
        Assert.Equal(SignalSetting.Explicit.Preferences with { HalfLifeDays = 28, IgnoredImpressions = 1, IgnoredWeight = 0.1f }, SignalSetting.All.Preferences);
        Assert.Same(Encore.Signals.PreferenceOptions.Default, SignalSetting.All.Preferences);
        Assert.Equal(["plays", "watch", "engagement", "explicit", "context", "all"], SignalSetting.Catalogue.Select(s => s.Name));
    }

    [Fact]
    public async Task A_database_that_was_not_simulated_is_refused_with_the_reason()
    {
        var ct = TestContext.Current.CancellationToken;
        using var folder = new TempFolder();
        var db = folder.File("plain.db");
        await using var store = await SqliteEventStore.OpenAsync(db, ct);
        var e = await Assert.ThrowsAnyAsync<ArgumentException>(() => PSimProtocol.LoadAsync(store, null, ct));
        Assert.Contains("encore simulate", e.Message, StringComparison.Ordinal);
    }
}

using Encore.Evaluation.Search;
using Encore.Storage;
using Encore.TestSupport;
using Xunit;

namespace Encore.Simulation.Tests;

/// <summary>The search protocol on a small simulated database: its periods, and the member's score helping find what members look for.</summary>
public sealed class SearchProtocolTests
{
    private static readonly SimulationOptions Options = new() { Members = 400, Titles = 250, Days = 30, Seed = 23 };

    [Fact]
    public async Task Searches_are_split_like_P_SIM_and_the_members_score_finds_more_than_text_alone()
    {
        var ct = TestContext.Current.CancellationToken;
        using var folder = new TempFolder();
        var db = folder.File("sim.db");
        await using var store = await SqliteEventStore.OpenAsync(db, ct);
        await new SimulatedService(Options).RunAsync(new PopularityPolicy(), new StoreSink(store), null, ct);
        await SimulationManifest.From(Options, "popularity").SaveAsync(store, ct);

        var data = await SearchProtocol.LoadAsync(store, null, ct);
        Assert.Equal(Options.StartUtc.AddDays(Options.Days - 14), data.Test.TrainEndUtc);
        Assert.Equal(Options.StartUtc.AddDays(Options.Days - 21), data.Validation.TrainEndUtc);
        Assert.NotEmpty(data.ValidationCases);
        Assert.NotEmpty(data.TestCases);
        // Validation searches lie in the training days of the test split, after the validation model's; test searches after both.
        Assert.All(data.ValidationCases, c => Assert.InRange(c.UnixMilliseconds, data.Validation.TrainEndMs, data.Test.TrainEndMs - 1));
        Assert.All(data.TestCases, c => Assert.True(c.UnixMilliseconds >= data.Test.TrainEndMs));
        Assert.True(data.Test.Signals.LastEventMs < data.Test.TrainEndMs);

        var report = SearchProtocol.Run(data, "ials", ct: ct);
        var text = report.Modes.Single(m => m.Mode == "text");
        var member = report.Modes.Single(m => m.Mode == "text + member");
        Assert.All(report.Modes, m => Assert.InRange(m.Mrr, 0, 1));
        Assert.Contains(member.Weight, SearchProtocol.WeightGrid);
        Assert.True(member.Mrr > text.Mrr + 0.01, $"MRR text + member {member.Mrr:F4}, text {text.Mrr:F4}");
        // The blend's grid includes weight 0 (ties only), so on validation it is never worse than ties only.
        Assert.True(member.ValidationMrr >= report.Modes.Single(m => m.Mode == "text, member breaks ties").ValidationMrr - 1e-12);
    }
}

using System.Diagnostics;
using System.Text.Json;
using Encore.Core;
using Encore.Evaluation.Ranking;
using Encore.Evaluation.Reporting;
using Encore.Evaluation.Tuning;
using Encore.Models;
using Xunit;

namespace Encore.Evaluation.Tests.Tuning;

public sealed class ModelSelectorTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// Two tastes: 60 members like titles 0-19, 30 like titles 20-39, 10 to 14 titles each (seeded). The most popular titles are
    /// the first group's, so popularity serves the second group badly and any personalized model does better.
    /// </summary>
    private static InteractionMatrix TwoTastes(bool times)
    {
        var rng = new Random(5);
        var builder = new InteractionMatrixBuilder(new IdMap(), new IdMap(Enumerable.Range(0, 40).Select(t => "t" + t)));
        for (int m = 0; m < 90; m++)
        {
            int offset = m < 60 ? 0 : 20;
            var titles = Enumerable.Range(offset, 20).OrderBy(_ => rng.Next()).Take(10 + m % 5).ToArray();
            for (int k = 0; k < titles.Length; k++)
                builder.Add("m" + m, "t" + titles[k], 1f, null, times ? 1_000 + k * 10 + m : null);
        }
        return builder.Build();
    }

    [Fact]
    public void Auto_scores_every_main_model_and_chooses_a_personalized_one_within_the_budget()
    {
        var watch = Stopwatch.StartNew();
        var budget = TimeSpan.FromSeconds(20);
        var seen = new List<ModelCandidate>();
        var s = ModelSelector.Select(TwoTastes(times: true), new ModelSelectionOptions { Budget = budget }, new Collect(seen), Ct);
        Assert.True(watch.Elapsed < budget + TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
        Assert.Equal(seen, s.Candidates);
        var defaults = s.Candidates.Where(c => c.Parameters.Count == 0).ToList();
        Assert.Equal(ModelCatalog.Main, defaults.Select(c => c.Model));
        Assert.All(defaults, c => Assert.Equal(CandidateStatus.Scored, c.Status));
        Assert.All(defaults, c => Assert.True(c.FitSeconds >= 0 && double.IsFinite(c["ndcg@20"])));
        Assert.NotEqual("popularity", s.Model);
        var popularity = defaults.Single(c => c.Model == "popularity")["ndcg@20"];
        Assert.True(s.Score > popularity * 1.2, $"chose {s.Model} at {s.Score} against popularity's {popularity}");
        // The winner is the best-scoring setting of the family that led at its defaults (or a near tie).
        var bestDefault = defaults.MaxBy(c => c["ndcg@20"])!;
        Assert.True(s.Model == bestDefault.Model || defaults.Single(c => c.Model == s.Model)["ndcg@20"] >= bestDefault["ndcg@20"] * 0.98);
        var family = s.Candidates.Where(c => c.Model == s.Model && c.Status == CandidateStatus.Scored).ToList();
        var chosen = family.Single(c => ParameterGrid.Describe(c.Parameters) == ParameterGrid.Describe(s.Parameters));
        Assert.Equal(chosen["ndcg@20"], s.Score);
        Assert.True(s.Score >= family[0]["ndcg@20"]); // never worse than the family's defaults
        // A setting is taken only for a gain of more than 1%: nothing tried beats the choice by more.
        Assert.True(family.Max(c => c["ndcg@20"]) <= s.Score * 1.01 + 1e-12);
        Assert.Equal(s.Model, s.Fitted.Name);
        Assert.Equal(90, s.Fitted.MemberIds.Count); // refitted on the whole training data, not the validation part
        Assert.False(s.BudgetSpent);
        Assert.Contains("every planned setting was tried", s.Reason, StringComparison.Ordinal);
        Assert.Equal(SplitKind.Chronological, s.Validation.Rule!.Kind);
    }

    [Fact]
    public void Without_timestamps_the_validation_split_is_random_and_sequential_is_skipped()
    {
        var s = ModelSelector.Select(TwoTastes(times: false), new ModelSelectionOptions { Budget = TimeSpan.FromSeconds(20), Seed = 3 }, ct: Ct);
        Assert.Equal(SplitKind.Random, s.Validation.Rule!.Kind);
        Assert.Equal(3UL, s.Validation.Rule.Seed);
        var sequential = Assert.Single(s.Candidates, c => c.Model == "sequential");
        Assert.Equal(CandidateStatus.Skipped, sequential.Status);
        Assert.Contains("no timestamps", sequential.Note, StringComparison.Ordinal);
        Assert.NotEqual("sequential", s.Model);
        Assert.NotEqual("popularity", s.Model);
        Assert.Contains("skipped sequential", s.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_spent_budget_stops_the_search_after_the_first_setting_and_says_so()
    {
        var s = ModelSelector.Select(TwoTastes(times: true), new ModelSelectionOptions { Budget = TimeSpan.Zero }, ct: Ct);
        var only = Assert.Single(s.Candidates);
        Assert.Equal(("popularity", CandidateStatus.Scored), (only.Model, only.Status));
        Assert.True(s.BudgetSpent);
        Assert.Equal("popularity", s.Model);
        Assert.Contains("budget was spent", s.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_options_are_refused_before_any_fit()
    {
        var data = TwoTastes(times: true);
        Assert.Throws<ArgumentOutOfRangeException>(() => ModelSelector.Select(data, new ModelSelectionOptions { Budget = TimeSpan.FromSeconds(-1) }, ct: Ct));
        Assert.Throws<ArgumentException>(() => ModelSelector.Select(data, new ModelSelectionOptions { Metric = "hr@10" }, ct: Ct));
        Assert.Throws<ArgumentException>(() => ModelSelector.Select(data, new ModelSelectionOptions { Models = ["nope"] }, ct: Ct));
        Assert.Contains("--param needs a model name",
            Assert.Throws<ArgumentException>(() => ProtocolRunner.CheckModel("auto", new Dictionary<string, string> { ["lambda"] = "1" })).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_auto_report_names_the_choice_and_every_candidate_in_its_json()
    {
        var m = TwoTastes(times: true);
        // The same data as ranking data, through the one split: train positives in, test part scored by the refitted winner.
        var builder = new System.Text.StringBuilder("user,item,timestamp\n");
        for (int r = 0; r < m.Rows; r++)
            for (int p = m.RowPointers[r]; p < m.RowPointers[r + 1]; p++)
                builder.Append(System.Globalization.CultureInfo.InvariantCulture, $"{m.MemberIds[r]},{m.TitleIds[m.ColumnIndices[p]]},{m.Timestamps![p]}\n");
        var path = Path.Combine(Path.GetTempPath(), "encore-auto-" + Guid.NewGuid().ToString("N") + ".csv");
        File.WriteAllText(path, builder.ToString());
        try
        {
            var data = RankingData.FromInteractions(Encore.Evaluation.Interactions.InteractionsFile.Load(path, Ct));
            var report = ProtocolRunner.Run("p-topn", data, "auto", new Dictionary<string, string>(), new RankingRunOptions { Budget = TimeSpan.FromSeconds(20) }, ct: Ct);
            Assert.NotNull(report.Selection);
            Assert.Equal(report.Selection.Model, report.Model);
            using var json = JsonDocument.Parse(report.ToJson());
            var auto = json.RootElement.GetProperty("auto");
            Assert.Equal("ndcg@20", auto.GetProperty("metric").GetString());
            Assert.Equal(report.Model, auto.GetProperty("model").GetString());
            Assert.Equal(report.Selection.Parameters.Count, auto.GetProperty("changed").EnumerateObject().Count());
            Assert.Equal(20, auto.GetProperty("budgetSeconds").GetDouble());
            Assert.False(auto.GetProperty("budgetSpent").GetBoolean());
            var candidates = auto.GetProperty("candidates").EnumerateArray().ToList();
            Assert.Equal(report.Selection.Candidates.Count, candidates.Count);
            Assert.All(candidates, c => Assert.True(c.GetProperty("fitSeconds").GetDouble() >= 0));
            Assert.Equal("scored", candidates[0].GetProperty("status").GetString());
            Assert.True(candidates[0].GetProperty("metrics").GetProperty("ndcg@20").GetDouble() > 0);
            Assert.Equal("chronological", auto.GetProperty("validation").GetProperty("rule").GetString());
            Assert.Equal(report.Selection.RefitSeconds, report.FitSeconds);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private sealed class Collect(List<ModelCandidate> into) : IProgress<ModelCandidate>
    {
        public void Report(ModelCandidate value) => into.Add(value);
    }
}

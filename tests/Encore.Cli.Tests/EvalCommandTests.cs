using System.Text.Json;
using Encore.Models;
using Encore.TestSupport;
using Xunit;

namespace Encore.Cli.Tests;

/// <summary>`encore eval`, run as the real program: the JSON contract of its last line, and its errors.</summary>
public sealed class EvalCommandTests : IDisposable
{
    private readonly TempFolder _temp = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _temp.Dispose();

    private Task<EncoreRun> Encore(params string[] args) => EncoreProcess.RunAsync(_temp.File("data-home"), Ct, args);

    [Fact]
    public async Task Json_output_ends_with_one_object_in_the_documented_shape()
    {
        var data = SharedData.RequireMl100k();
        var run = await Encore("eval", "--protocol", "p-topn", "--data", data, "--model", "popularity", "--json");
        Assert.True(run.ExitCode == 0, run.ToString());

        var last = run.Output.TrimEnd().Split('\n')[^1];
        using var json = JsonDocument.Parse(last);
        var root = json.RootElement;
        Assert.Equal("p-topn", root.GetProperty("protocol").GetString());
        Assert.Equal("popularity", root.GetProperty("model").GetString());
        Assert.Equal(JsonValueKind.Object, root.GetProperty("params").ValueKind);
        var split = root.GetProperty("split");
        Assert.Equal(44_300, split.GetProperty("train").GetInt32());
        Assert.Equal(11_075, split.GetProperty("test").GetInt32());
        Assert.Equal(938, split.GetProperty("testUsers").GetInt32());
        var metrics = root.GetProperty("metrics");
        Assert.Equal(0.1136, metrics.GetProperty("recall@20").GetDouble(), 0.0005);
        Assert.Equal(0.0901, metrics.GetProperty("ndcg@20").GetDouble(), 0.0005);
        Assert.True(metrics.TryGetProperty("coverage@20", out _));
        Assert.True(root.GetProperty("fitSeconds").GetDouble() >= 0);
    }

    [Fact]
    public async Task P_rating_takes_the_rating_models_parameters_in_the_catalogue_spelling_and_reports_the_full_setting()
    {
        var data = SharedData.RequireMl100k();
        var run = await Encore("eval", "--protocol", "p-rating", "--data", data, "--model", "baseline", "--param", "user-damping=10", "--json");
        Assert.True(run.ExitCode == 0, run.ToString());
        using var json = JsonDocument.Parse(run.Output.TrimEnd().Split('\n')[^1]);
        var parameters = json.RootElement.GetProperty("params");
        Assert.Equal(10, parameters.GetProperty("user-damping").GetDouble());
        Assert.Equal(5, parameters.GetProperty("title-damping").GetDouble());
        Assert.Equal(1, parameters.GetProperty("iterations").GetInt32());

        var tune = await Encore("tune", "--protocol", "p-rating", "--data", data, "--model", "baseline", "--grid", "title-damping=0,5");
        Assert.True(tune.ExitCode == 0, tune.ToString());
        Assert.Contains("title-damping=", tune.Output.Split('\n').Single(l => l.StartsWith("best (validation RMSE", StringComparison.Ordinal)));

        var old = await Encore("eval", "--protocol", "p-rating", "--data", data, "--model", "mf", "--param", "lr=0.01");
        Assert.Equal(1, old.ExitCode);
        Assert.Contains("unknown parameter 'lr' for model 'mf'", old.Error);
        Assert.Contains("learning-rate", old.Error);
    }

    [Fact]
    public async Task An_unknown_protocol_is_a_usage_error_that_lists_the_known_ones()
    {
        var run = await Encore("eval", "--protocol", "p-nope", "--data", _temp.Path, "--model", "ials");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("unknown protocol 'p-nope'; known: p-topn, p-topn-r, p-rating, p-next, p-sim", run.Error);
    }

    [Fact]
    public async Task A_missing_data_folder_is_named_in_a_one_line_error()
    {
        var missing = _temp.File("no-such-folder");
        var run = await Encore("eval", "--protocol", "p-topn", "--data", missing, "--model", "popularity");
        Assert.NotEqual(0, run.ExitCode);
        var line = Assert.Single(run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("no-such-folder", line);
    }


    private static readonly string[] Settings = [.. global::Encore.Evaluation.Simulation.SignalSetting.Catalogue.Select(s => s.Name)];

    [Fact]
    public async Task P_sim_without_a_model_runs_every_main_model_under_every_signal_setting()
    {
        var db = _temp.File("psim.db");
        var sim = await Encore("simulate", "--members", "60", "--titles", "40", "--days", "21", "--db", db);
        Assert.True(sim.ExitCode == 0, sim.ToString());

        var run = await Encore("eval", "--protocol", "p-sim", "--db", db);
        Assert.True(run.ExitCode == 0, run.ToString());
        var rows = run.Output.Split('\n')
            .Select(l => l.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(cells => cells.Length == 8 && Settings.Contains(cells[1]))
            .Select(cells => (Model: cells[0], Signals: cells[1]))
            .ToList();
        Assert.Contains("sequential", ModelCatalog.Main);
        Assert.Equal(ModelCatalog.Main.SelectMany(m => Settings.Select(s => (m, s))), rows);
        Assert.DoesNotContain("NaN", run.Output);
    }

    [Fact]
    public async Task P_sim_with_no_member_to_score_prints_a_dash_and_why_never_NaN()
    {
        // Seed 2 of a one-member service: the member starts nothing before the test days nor a new title in them.
        var db = _temp.File("one-member.db");
        var sim = await Encore("simulate", "--members", "1", "--titles", "20", "--days", "15", "--seed", "2", "--db", db);
        Assert.True(sim.ExitCode == 0, sim.ToString());
        Assert.Contains("note: `encore eval --protocol p-sim` cannot score this service well: --members 1: P-SIM needs at least 20 members", sim.Output);

        var run = await Encore("eval", "--protocol", "p-sim", "--db", db, "--model", "popularity", "--json");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.DoesNotContain("NaN", run.Output, StringComparison.OrdinalIgnoreCase);
        Assert.Matches(@"(?m)^\s+popularity\s+all\s+\d+\s+-\s+-\s+-\s+-\s", run.Output);
        Assert.Contains("-: no member started a new title in the last 14 days and watched 70% of it, so truth (a) has no member to average over", run.Output);
        Assert.Contains("-: no member started a title before the last 14 days, so truth (b) has no member to average over", run.Output);
        // JSON has no NaN: a missing figure is null.
        Assert.Contains("\"recall@20\":null", run.Output.TrimEnd().Split('\n')[^1]);
    }

    [Fact]
    public async Task P_sim_on_a_database_that_is_not_a_simulation_says_what_it_holds()
    {
        var db = _temp.File("imported.db");
        var events = _temp.File("events.jsonl");
        await File.WriteAllTextAsync(events, """{"event_id":"e1","kind":"search","member_id":"m1","device":"tv","timestamp":"2025-01-01T10:00:00Z","session_id":"s1","query":"space"}""" + "\n", Ct);
        var import = await Encore("import", events, "--db", db);
        Assert.True(import.ExitCode == 0, import.ToString());

        var run = await Encore("eval", "--protocol", "p-sim", "--db", db);
        Assert.Equal(3, run.ExitCode);
        var line = Assert.Single(run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("holds 1 event (1 member, 0 titles) and no simulation manifest", line);
        Assert.Contains("not filled by `encore simulate`", line);
    }
}

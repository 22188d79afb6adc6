using System.Text.Json;
using Encore.Evaluation.Reporting;
using Encore.TestSupport;
using Xunit;

namespace Encore.Evaluation.Tests.Reporting;

public sealed class ProtocolRunnerTests
{
    [Fact]
    public void P_topn_report_has_the_documented_json_shape()
    {
        var folder = SharedData.RequireMl100k();
        var report = ProtocolRunner.Run("p-topn", folder, "popularity", new Dictionary<string, string>(), ct: TestContext.Current.CancellationToken);
        using var json = JsonDocument.Parse(report.ToJson());
        var root = json.RootElement;
        Assert.Equal(["protocol", "dataset", "model", "params", "split", "metrics", "fitSeconds"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("p-topn", root.GetProperty("protocol").GetString());
        Assert.Equal("ml-100k", root.GetProperty("dataset").GetString());
        Assert.Equal("popularity", root.GetProperty("model").GetString());
        Assert.Equal(0, root.GetProperty("params").GetProperty("half-life-days").GetDouble());
        Assert.False(root.GetProperty("params").GetProperty("use-weights").GetBoolean());
        var split = root.GetProperty("split");
        Assert.Equal(44_300, split.GetProperty("train").GetInt32());
        Assert.Equal(11_075, split.GetProperty("test").GetInt32());
        Assert.Equal(938, split.GetProperty("testUsers").GetInt32());
        var metrics = root.GetProperty("metrics");
        Assert.Equal(["recall@20", "ndcg@20", "coverage@20"], metrics.EnumerateObject().Select(p => p.Name));
        Assert.InRange(metrics.GetProperty("recall@20").GetDouble(), 0.1086, 0.1186);
        Assert.DoesNotContain('\n', report.ToJson());
    }

    [Fact]
    public void P_next_report_names_hit_rate_and_mrr()
    {
        var folder = SharedData.RequireMl100k();
        var report = ProtocolRunner.Run("p-next", folder, "popularity", new Dictionary<string, string>(), ct: TestContext.Current.CancellationToken);
        using var json = JsonDocument.Parse(report.ToJson());
        Assert.Equal(["hr@10", "mrr@10"], json.RootElement.GetProperty("metrics").EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public void Rating_report_carries_rmse_mae_and_the_folds()
    {
        var report = EvaluationReport.FromRating(new Encore.Evaluation.Rating.RatingProtocolResult("p-rating", "ml-100k", "mean", new Dictionary<string, string>(), "official folds u1..u5",
        [
            new("u1", 80_000, 20_000, 459, 3, 1.15, 0.95, 0.01),
            new("u2", 80_000, 20_000, 653, 2, 1.13, 0.94, 0.02),
        ]));
        using var json = JsonDocument.Parse(report.ToJson());
        var metrics = json.RootElement.GetProperty("metrics");
        Assert.Equal(["rmse", "mae", "rmseFolds"], metrics.EnumerateObject().Select(p => p.Name));
        Assert.Equal(1.14, metrics.GetProperty("rmse").GetDouble(), 9);
        Assert.Equal([1.15, 1.13], metrics.GetProperty("rmseFolds").EnumerateArray().Select(e => e.GetDouble()));
        Assert.Equal(0.03, json.RootElement.GetProperty("fitSeconds").GetDouble(), 9);
        Assert.Equal(556, json.RootElement.GetProperty("split").GetProperty("testUsers").GetInt32());
    }

    [Fact]
    public void Bad_requests_fail_before_reading_data_with_a_clear_message()
    {
        var none = new Dictionary<string, string>();
        var ct = TestContext.Current.CancellationToken;
        Assert.Contains("unknown protocol 'p-x'", Assert.Throws<ArgumentException>(() => ProtocolRunner.Run("p-x", "/nowhere", "ease", none, ct: ct)).Message, StringComparison.Ordinal);
        Assert.Contains("unknown top-N model 'nope'", Assert.Throws<ArgumentException>(() => ProtocolRunner.Run("p-topn", "/nowhere", "nope", none, ct: ct)).Message, StringComparison.Ordinal);
        Assert.Contains("lambda", Assert.Throws<ArgumentException>(() => ProtocolRunner.Run("p-topn", "/nowhere", "ease", new Dictionary<string, string> { ["lambda"] = "x" }, ct: ct)).Message, StringComparison.Ordinal);
        Assert.Contains("/nowhere", Assert.Throws<DirectoryNotFoundException>(() => ProtocolRunner.Run("p-topn", "/nowhere", "ease", none, ct: ct)).Message, StringComparison.Ordinal);
        Assert.Throws<DirectoryNotFoundException>(() => ProtocolRunner.Run("p-rating", "/nowhere", "mean", none, ct: ct));
    }

    [Fact]
    public void Effective_parameters_are_the_defaults_overlaid_with_the_given_ones()
    {
        var p = EvaluationReport.EffectiveParameters("ease", new Dictionary<string, string> { ["LAMBDA"] = "500" });
        Assert.Equal("500", p["lambda"]);
        Assert.True(p.ContainsKey("max-titles"));
        Assert.False(p.ContainsKey("LAMBDA"));
    }
}

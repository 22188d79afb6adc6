using System.Globalization;
using System.Text;
using System.Text.Json;
using Encore.Evaluation.Ranking;
using Encore.Evaluation.Rating;
using Encore.Evaluation.Tuning;
using Encore.Models;

namespace Encore.Evaluation.Reporting;

/// <summary>A named figure of a report: a number, or a list of numbers (per-fold values).</summary>
public sealed record ReportMetric(string Name, double Value, IReadOnlyList<double>? Values = null);

/// <summary>
/// The outcome of one `encore eval` run in the shape every protocol shares, and its one-line JSON form:
/// <c>{"protocol":..,"dataset":..,"model":..,"params":{..},"split":{"train":..,"test":..,"testUsers":..[,"rule":..][,"seed":..]},"metrics":{..},"fitSeconds":..[,"auto":{..}]}</c>.
/// The split's rule is there for the ranking protocols ("chronological", "random" with its seed, "given"); "auto" is
/// there when `--model auto` chose the model (<see cref="Selection"/>: every candidate's validation figures and fit time).
/// </summary>
public sealed record EvaluationReport(string Protocol, string Dataset, string Model, IReadOnlyDictionary<string, string> Parameters,
    SplitSizes Split, IReadOnlyList<ReportMetric> Metrics, double FitSeconds)
{
    /// <summary>What `--model auto` chose and why, when it chose <see cref="Model"/>; <see cref="FitSeconds"/> is then the refit's.</summary>
    public ModelSelection? Selection { get; init; }

    public static EvaluationReport FromTopN(TopNResult r, string protocol = TopNProtocol.ProtocolName) => new(protocol, r.Dataset, r.Model, r.Parameters, r.Split,
    [
        new("recall@20", r.Metrics.Recall), new("ndcg@20", r.Metrics.Ndcg), new("coverage@20", r.Metrics.Coverage),
    ], r.FitSeconds);

    public static EvaluationReport FromNext(NextTitleResult r) => new(NextTitleProtocol.ProtocolName, r.Dataset, r.Model, r.Parameters, r.Split,
    [
        new("hr@10", r.Metrics.HitRate), new("mrr@10", r.Metrics.Mrr),
    ], r.FitSeconds);

    /// <summary>P-RATING: the means over folds, the per-fold RMSE, mean split sizes over folds, total fit time.</summary>
    public static EvaluationReport FromRating(RatingProtocolResult r) => new(r.Protocol, r.Dataset, r.Model, r.Parameters,
        new SplitSizes(r.TrainRatings, r.TestRatings, r.TestMembers),
    [
        new("rmse", r.Rmse), new("mae", r.Mae), new("rmseFolds", double.NaN, r.RmseFolds),
    ], r.FitSeconds);

    /// <summary>
    /// The parameters a model (top-N or rating) ran with: its catalogue defaults overlaid with the given ones (keys in
    /// the catalogue's spelling), so that a report names the full setting.
    /// </summary>
    public static IReadOnlyDictionary<string, string> EffectiveParameters(string model, IReadOnlyDictionary<string, string> given)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (!ModelCatalog.TryGet(model, out var descriptor))
        {
            foreach (var (k, v) in given) result[k] = v;
            return result;
        }
        foreach (var p in descriptor.Parameters) result[p.Key] = p.Default;
        foreach (var (k, v) in given)
        {
            var key = descriptor.Parameters.FirstOrDefault(p => Normalize(p.Key) == Normalize(k))?.Key ?? k;
            result[key] = v;
        }
        return result;
    }

    /// <summary>The report as one line of JSON (numbers rounded to 6 decimals; parameter values as numbers or booleans where they are).</summary>
    public string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("protocol", Protocol);
            json.WriteString("dataset", Dataset);
            json.WriteString("model", Model);
            json.WriteStartObject("params");
            WriteParameters(json, Parameters);
            json.WriteEndObject();
            json.WriteStartObject("split");
            WriteSplit(json, Split);
            json.WriteEndObject();
            json.WriteStartObject("metrics");
            foreach (var m in Metrics)
            {
                if (m.Values is null)
                {
                    WriteNumber(json, m.Name, m.Value);
                    continue;
                }
                json.WriteStartArray(m.Name);
                foreach (var v in m.Values) json.WriteNumberValue(Round(v));
                json.WriteEndArray();
            }
            json.WriteEndObject();
            WriteNumber(json, "fitSeconds", FitSeconds);
            if (Selection is { } selection) WriteSelection(json, selection);
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteSplit(Utf8JsonWriter json, SplitSizes split)
    {
        json.WriteNumber("train", split.Train);
        json.WriteNumber("test", split.Test);
        json.WriteNumber("testUsers", split.TestUsers);
        if (split.Rule is not { } rule) return;
        json.WriteString("rule", rule.Name);
        if (rule.Kind == SplitKind.Random) json.WriteNumber("seed", rule.Seed);
    }

    /// <summary><c>"auto":{"model":..,"changed":{..},"metric":..,"score":..,"budgetSeconds":..,"searchSeconds":..,"budgetSpent":..,"refitSeconds":..,"reason":..,"validation":{..},"candidates":[..]}</c>.</summary>
    private static void WriteSelection(Utf8JsonWriter json, ModelSelection s)
    {
        json.WriteStartObject("auto");
        json.WriteString("model", s.Model);
        json.WriteStartObject("changed"); // the parameters the search moved from the model's defaults
        WriteParameters(json, s.Parameters);
        json.WriteEndObject();
        json.WriteString("metric", s.Metric);
        WriteNumber(json, "score", s.Score);
        WriteNumber(json, "budgetSeconds", s.Budget.TotalSeconds);
        WriteNumber(json, "searchSeconds", s.SearchSeconds);
        json.WriteBoolean("budgetSpent", s.BudgetSpent);
        WriteNumber(json, "refitSeconds", s.RefitSeconds);
        json.WriteString("reason", s.Reason);
        json.WriteStartObject("validation");
        WriteSplit(json, s.Validation);
        json.WriteEndObject();
        json.WriteStartArray("candidates");
        foreach (var c in s.Candidates)
        {
            json.WriteStartObject();
            json.WriteString("model", c.Model);
            json.WriteStartObject("params");
            WriteParameters(json, c.Parameters);
            json.WriteEndObject();
            json.WriteString("status", c.Status switch { CandidateStatus.Scored => "scored", CandidateStatus.Skipped => "skipped", _ => "stopped-at-budget" });
            json.WriteStartObject("metrics");
            foreach (var (name, value) in c.Metrics) WriteNumber(json, name, value);
            json.WriteEndObject();
            WriteNumber(json, "fitSeconds", c.FitSeconds);
            WriteNumber(json, "seconds", c.Seconds);
            json.WriteString("note", c.Note);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteParameters(Utf8JsonWriter json, IReadOnlyDictionary<string, string> parameters)
    {
        foreach (var (k, v) in parameters)
        {
            if (double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number)) json.WriteNumber(k, number);
            else if (bool.TryParse(v, out var flag)) json.WriteBoolean(k, flag);
            else json.WriteString(k, v);
        }
    }

    private static void WriteNumber(Utf8JsonWriter json, string name, double value)
    {
        if (double.IsFinite(value)) json.WriteNumber(name, Round(value));
        else json.WriteNull(name);
    }

    private static double Round(double v) => double.IsFinite(v) ? Math.Round(v, 6) : 0;

    private static string Normalize(string key) => key.Replace("-", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal).ToLowerInvariant();
}

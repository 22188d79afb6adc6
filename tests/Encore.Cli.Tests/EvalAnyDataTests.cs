using System.Globalization;
using System.Text;
using System.Text.Json;
using Encore.TestSupport;
using Xunit;

namespace Encore.Cli.Tests;

/// <summary>`encore eval` and `encore tune` on data other than a MovieLens folder, run as the real program.</summary>
public sealed class EvalAnyDataTests : IDisposable
{
    private readonly TempFolder _temp = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _temp.Dispose();

    private Task<EncoreRun> Encore(params string[] args) => EncoreProcess.RunAsync(_temp.File("data-home"), Ct, args);

    private string Write(string name, string text)
    {
        var path = _temp.File(name);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>90 members of two tastes over 40 titles, 10 to 14 titles each; with a timestamp column or without one.</summary>
    private string TwoTastes(string name, bool times)
    {
        var rng = new Random(5);
        var text = new StringBuilder(times ? "user,item,timestamp\n" : "");
        for (int m = 0; m < 90; m++)
        {
            int offset = m < 60 ? 0 : 20;
            var titles = Enumerable.Range(offset, 20).OrderBy(_ => rng.Next()).Take(10 + m % 5).ToArray();
            for (int k = 0; k < titles.Length; k++)
            {
                text.Append(CultureInfo.InvariantCulture, $"m{m},t{titles[k]}");
                if (times) text.Append(CultureInfo.InvariantCulture, $",{1000 + k * 10 + m}");
                text.Append('\n');
            }
        }
        return Write(name, text.ToString());
    }

    private static JsonElement LastJson(EncoreRun run)
        => JsonDocument.Parse(run.Output.TrimEnd().Split('\n')[^1]).RootElement;

    private static string OneLine(EncoreRun run) => Assert.Single(run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));

    [Fact]
    public async Task An_interactions_file_without_timestamps_needs_p_topn_r_which_states_its_seed()
    {
        var file = TwoTastes("plays.csv", times: false);
        var topn = await Encore("eval", "--protocol", "p-topn", "--data", file, "--model", "popularity");
        Assert.Equal(1, topn.ExitCode);
        var line = OneLine(topn);
        Assert.Contains("has no timestamps (it has no timestamp column)", line);
        Assert.Contains("--protocol p-topn-r", line);

        var random = await Encore("eval", "--protocol", "p-topn-r", "--data", file, "--model", "ease", "--split-seed", "9", "--json");
        Assert.True(random.ExitCode == 0, random.ToString());
        Assert.Contains("random per member (20% to test, seed 9)", random.Output);
        var split = LastJson(random).GetProperty("split");
        Assert.Equal("random", split.GetProperty("rule").GetString());
        Assert.Equal(9, split.GetProperty("seed").GetInt32());
        Assert.Equal(90, split.GetProperty("testUsers").GetInt32());
    }

    [Fact]
    public async Task A_split_made_elsewhere_is_scored_as_given()
    {
        var train = Write("train.csv", "user,item\nu1,a\nu1,b\nu2,a\nu2,c\nu3,a\nu3,b\nu4,d\n");
        var test = Write("test.tsv", "u1\tc\nu1\te\nu2\tb\nu2\ta\nu4\ta\nu5\ta\n");
        var run = await Encore("eval", "--protocol", "p-topn-r", "--train", train, "--test", test, "--model", "popularity", "--json");
        Assert.True(run.ExitCode == 0, run.ToString());
        var root = LastJson(run);
        Assert.Equal("given", root.GetProperty("split").GetProperty("rule").GetString());
        Assert.Equal(7, root.GetProperty("split").GetProperty("train").GetInt32());
        Assert.Equal(6, root.GetProperty("split").GetProperty("test").GetInt32());
        // By hand (see RankingSplitTests): recall (1 + 1/2 + 1 + 1) / 4; NDCG as there.
        Assert.Equal(0.875, root.GetProperty("metrics").GetProperty("recall@20").GetDouble(), 6);
        double idcg2 = 1 + 1 / Math.Log2(3);
        Assert.Equal(((1.5 / idcg2) + (1 / idcg2) + 2) / 4, root.GetProperty("metrics").GetProperty("ndcg@20").GetDouble(), 6);

        var half = await Encore("eval", "--protocol", "p-topn", "--train", train, "--model", "popularity");
        Assert.Equal(1, half.ExitCode);
        Assert.Contains("--train and --test go together", OneLine(half));
    }

    [Fact]
    public async Task An_events_file_is_evaluated_through_a_temporary_store_that_registers_its_titles()
    {
        var lines = new StringBuilder();
        int id = 0;
        var start = new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        for (int m = 0; m < 12; m++)
        {
            for (int k = 0; k < 6; k++)
            {
                var when = start.AddHours(m * 10 + k).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
                lines.Append(CultureInfo.InvariantCulture,
                    $$"""{"event_id":"e{{id++}}","kind":"play_start","member_id":"m{{m}}","title_id":"t{{(m + k) % 9}}","device":"tv","timestamp":"{{when}}","session_id":"s{{m}}","position":0}""");
                lines.Append('\n');
            }
        }
        var events = Write("events.jsonl", lines.ToString());
        var run = await Encore("eval", "--protocol", "p-topn", "--data", events, "--model", "itemknn", "--json");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("reading the events of", run.Error);
        Assert.Contains("72 events, 72 positives (titles begun: preference 'plays'), 9 titles, 12 members", run.Error);
        var split = LastJson(run).GetProperty("split");
        Assert.Equal(12, split.GetProperty("testUsers").GetInt32()); // 6 titles each: 1 to test
        Assert.Equal(60, split.GetProperty("train").GetInt32());
    }

    [Fact]
    public async Task Auto_reports_what_it_chose_and_why_in_text_and_json()
    {
        var file = TwoTastes("timed.csv", times: true);
        var run = await Encore("eval", "--protocol", "p-topn", "--data", file, "--model", "auto", "--budget", "30", "--json");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("auto chose ", run.Output);
        Assert.Contains("why: validation ndcg@20 at the defaults: ", run.Output);
        Assert.Matches(@"(?m)^\s+popularity\s+defaults\s+0\.\d+", run.Output); // the candidates table
        var root = LastJson(run);
        var auto = root.GetProperty("auto");
        Assert.Equal(30, auto.GetProperty("budgetSeconds").GetDouble());
        var candidates = auto.GetProperty("candidates").EnumerateArray().ToList();
        Assert.Equal(["popularity", "itemknn", "ease", "ials", "sequential"], candidates.Take(5).Select(c => c.GetProperty("model").GetString()));
        Assert.Contains(candidates, c => c.GetProperty("model").GetString() == root.GetProperty("model").GetString() && c.GetProperty("status").GetString() == "scored");
        Assert.NotEqual("popularity", root.GetProperty("model").GetString());

        var withParam = await Encore("eval", "--protocol", "p-topn", "--data", file, "--model", "auto", "--param", "lambda=5");
        Assert.Equal(1, withParam.ExitCode);
        Assert.Contains("--param needs a model name", OneLine(withParam));
        var badBudget = await Encore("eval", "--protocol", "p-topn", "--data", file, "--model", "auto", "--budget", "-1");
        Assert.Equal(1, badBudget.ExitCode);
        Assert.Contains("--budget must be a number of seconds >= 0", OneLine(badBudget));
    }

    [Fact]
    public async Task Bad_data_is_a_one_line_error_with_its_file_and_line()
    {
        var bad = Write("bad.csv", "user,item,weight\nu1,i1,1\nu1,i2,much\n");
        var run = await Encore("eval", "--protocol", "p-topn-r", "--data", bad, "--model", "popularity");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains($"{bad}:3: weight 'much' is not a finite number", OneLine(run));

        var missing = Write("missing.csv", "user,rating\nu1,5\n");
        run = await Encore("eval", "--protocol", "p-topn-r", "--data", missing, "--model", "popularity");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains($"{missing}:1: the header 'user,rating' lacks an item column", OneLine(run));

        var file = TwoTastes("ok.csv", times: false);
        run = await Encore("eval", "--protocol", "p-topn-r", "--data", file, "--db", _temp.File("x.db"), "--model", "popularity");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("give one data source", OneLine(run));
        run = await Encore("eval", "--protocol", "p-topn-r", "--data", file, "--preference", "watch=1", "--model", "popularity");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("holds plain interactions", OneLine(run));
        run = await Encore("eval", "--protocol", "p-topn", "--db", _temp.File("none.db"), "--model", "popularity");
        Assert.Equal(3, run.ExitCode);
        Assert.Contains("no database at", OneLine(run));
    }

    [Fact]
    public async Task Tune_reads_any_data_and_suggests_the_eval_command_on_it()
    {
        var file = TwoTastes("tune.csv", times: false);
        var run = await Encore("tune", "--protocol", "p-topn-r", "--data", file, "--model", "ease", "--grid", "lambda=10,100");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("tuning ease on p-topn-r validation, random per member (20% to test, seed 1):", run.Output);
        Assert.Contains($"run it on the test split: encore eval --protocol p-topn-r --data {file} --model ease --param lambda=", run.Output);
    }
}

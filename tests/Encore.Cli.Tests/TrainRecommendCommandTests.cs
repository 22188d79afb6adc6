using System.Text;
using System.Text.RegularExpressions;
using Encore.TestSupport;
using Xunit;

namespace Encore.Cli.Tests;

/// <summary>`encore train`, then `encore recommend`, `encore similar` and `encore signals`, from a clean database.</summary>
public sealed class TrainRecommendCommandTests : IDisposable
{
    private readonly TempFolder _temp = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _temp.Dispose();

    private Task<EncoreRun> Encore(params string[] args) => EncoreProcess.RunAsync(_temp.File("data-home"), Ct, args);

    private static IReadOnlyList<string> TitleIds(string output)
        => Regex.Matches(output, @"^\s+\d+\s+.*\((t\d+|\d+)\)", RegexOptions.Multiline).Select(m => m.Groups[1].Value).ToList();

    [Fact]
    public async Task A_simulated_store_trains_then_recommends_and_explains()
    {
        var db = _temp.File("sim.db");
        Assert.Equal(0, (await Encore("simulate", "--members", "80", "--titles", "60", "--days", "21", "--db", db)).ExitCode);

        var train = await Encore("train", "--db", db, "--model", "itemknn");
        Assert.True(train.ExitCode == 0, train.ToString());
        Assert.Contains($"into {db}.model", train.Output);
        Assert.Matches(@"(?m)^\s+positive pairs\s+[1-9]\d*\s*$", train.Output);
        Assert.True(File.Exists(db + ".model"));

        var recommend = await Encore("recommend", "--db", db, "--member", "m0000001", "-n", "5");
        Assert.True(recommend.ExitCode == 0, recommend.ToString());
        var picks = TitleIds(recommend.Output);
        Assert.Equal(5, picks.Count);
        Assert.Equal(picks.Count, picks.Distinct().Count());

        var signals = await Encore("signals", "--db", db, "--member", "m0000001");
        Assert.True(signals.ExitCode == 0, signals.ToString());
        Assert.Matches(@"Member m0000001: [\d,]+ events in [\d,]+ viewing sessions", signals.Output);
        Assert.Contains("weight", signals.Output);
        // A title the member began is never recommended back.
        var begun = Regex.Matches(signals.Output, @"^.*\((t\d+)\): positive: played", RegexOptions.Multiline).Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(begun);
        Assert.Empty(picks.Intersect(begun));

        var similar = await Encore("similar", "--db", db, "--title", picks[0], "-n", "3");
        Assert.True(similar.ExitCode == 0, similar.ToString());
        Assert.Equal(3, TitleIds(similar.Output).Count);
        Assert.DoesNotContain(picks[0], TitleIds(similar.Output));

        var phone = await Encore("recommend", "--db", db, "--member", "m0000001", "-n", "5", "--device", "phone", "--hour", "8");
        Assert.True(phone.ExitCode == 0, phone.ToString());
        Assert.Contains("on phone at 08:00 UTC (context weight 0)", phone.Output);
        // The tuned context weight is 0, so the device alone leaves the order as it is; a weight given moves it by the context.
        Assert.Equal(picks.Take(5), TitleIds(phone.Output));
        var weighed = await Encore("recommend", "--db", db, "--member", "m0000001", "-n", "5", "--device", "phone", "--hour", "8", "--context-weight", "0.5");
        Assert.True(weighed.ExitCode == 0, weighed.ToString());
        Assert.Contains("on phone at 08:00 UTC (context weight 0.5)", weighed.Output);
    }

    [Fact]
    public async Task Train_with_model_auto_chooses_on_the_stores_own_data_and_says_why()
    {
        var db = _temp.File("auto.db");
        Assert.Equal(0, (await Encore("simulate", "--members", "80", "--titles", "60", "--days", "21", "--db", db)).ExitCode);

        var train = await Encore("train", "--db", db, "--model", "auto", "--budget", "20");
        Assert.True(train.ExitCode == 0, train.ToString());
        var chosen = Regex.Match(train.Output, @"^Trained (\w+) ", RegexOptions.Multiline).Groups[1].Value;
        Assert.Contains(chosen, global::Encore.Models.ModelCatalog.Main);
        Assert.Matches(@"(?m)^\s+chosen: validation ndcg@20 at the defaults: ", train.Output);
        Assert.Contains($"chose {chosen}", train.Output);
        var recommend = await Encore("recommend", "--db", db, "--member", "m0000001", "-n", "3");
        Assert.True(recommend.ExitCode == 0, recommend.ToString());

        var withParam = await Encore("train", "--db", db, "--model", "auto", "--param", "factors=8");
        Assert.Equal(1, withParam.ExitCode);
        Assert.Contains("--param needs a named --model", withParam.Error);
    }

    [Fact]
    public async Task An_imported_store_of_ratings_trains_and_recommends_by_genre()
    {
        var folder = Directory.CreateDirectory(_temp.File("ml")).FullName;
        string[] genres = ["unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime", "Documentary", "Drama",
            "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery", "Romance", "Sci-Fi", "Thriller", "War", "Western"];
        File.WriteAllBytes(Path.Combine(folder, "u.genre"), Encoding.Latin1.GetBytes(string.Concat(genres.Select((g, i) => $"{g}|{i}\n"))));
        var items = new StringBuilder();
        for (int i = 1; i <= 8; i++)
            items.Append($"{i}|Title {i} (1995)|01-Jan-1995||http://x|0|{(i % 2 == 0 ? 1 : 0)}|0|0|0|{(i % 2 == 1 ? 1 : 0)}|0|0|0|0|0|0|0|0|0|0|0|0|0\n");
        File.WriteAllBytes(Path.Combine(folder, "u.item"), Encoding.Latin1.GetBytes(items.ToString()));
        File.WriteAllText(Path.Combine(folder, "u.user"), "1|24|M|technician|85711\n2|53|F|other|94043\n3|33|F|writer|10001\n");
        File.WriteAllText(Path.Combine(folder, "u.data"), "1\t1\t5\t874965758\n1\t2\t4\t874965759\n2\t1\t5\t876893171\n2\t3\t5\t876893172\n2\t4\t4\t876893173\n3\t2\t4\t888550871\n3\t5\t5\t888550872\n");
        var db = _temp.File("ml.db");
        Assert.Equal(0, (await Encore("import", folder, "--db", db)).ExitCode);

        var train = await Encore("train", "--db", db, "--model", "itemknn", "--out", _temp.File("ml.model"));
        Assert.True(train.ExitCode == 0, train.ToString());

        var comedy = await Encore("recommend", "--db", db, "--model", _temp.File("ml.model"), "--member", "1", "--genre", "comedy");
        Assert.True(comedy.ExitCode == 0, comedy.ToString());
        var ids = TitleIds(comedy.Output);
        Assert.NotEmpty(ids);
        Assert.All(ids, id => Assert.Equal(1, int.Parse(id) % 2)); // the odd titles are the comedies
        Assert.DoesNotContain("1", ids); // rated by member 1
    }

    [Fact]
    public async Task Errors_say_what_is_missing_or_wrong()
    {
        var db = _temp.File("empty.db");
        var noDb = await Encore("train", "--db", db);
        Assert.Equal(3, noDb.ExitCode);
        Assert.Contains("no database at", noDb.Error);

        Assert.Equal(0, (await Encore("simulate", "--members", "30", "--titles", "30", "--days", "3", "--db", db)).ExitCode);
        var noModel = await Encore("recommend", "--db", db, "--member", "m0000001");
        Assert.Equal(2, noModel.ExitCode);
        Assert.Contains($"no trained model at {db}.model; make one with `encore train`", noModel.Error);

        var badModel = await Encore("train", "--db", db, "--model", "nope");
        Assert.Equal(1, badModel.ExitCode);
        Assert.Contains("unknown model 'nope'", badModel.Error);
        var badSignal = await Encore("train", "--db", db, "--signal", "abandon-share=2");
        Assert.Equal(1, badSignal.ExitCode);
        Assert.Contains("abandon-share must be in [0, 1] (got 2)", badSignal.Error);

        Assert.Equal(0, (await Encore("train", "--db", db, "--model", "popularity")).ExitCode);
        var unknownMember = await Encore("recommend", "--db", db, "--member", "nobody");
        Assert.Equal(2, unknownMember.ExitCode);
        Assert.Contains("no member 'nobody'", unknownMember.Error);
        var badDevice = await Encore("recommend", "--db", db, "--member", "m0000001", "--device", "toaster");
        Assert.Equal(1, badDevice.ExitCode);
        Assert.Contains("--device 'toaster' is not one of tv, phone, tablet, web, console", badDevice.Error);
        var badWeight = await Encore("recommend", "--db", db, "--member", "m0000001", "--device", "tv", "--context-weight", "-1");
        Assert.Equal(1, badWeight.ExitCode);
        Assert.Contains("--context-weight must be in 0..100 (got -1)", badWeight.Error);

        await File.WriteAllTextAsync(db + ".model", "not a model", Ct);
        var damaged = await Encore("recommend", "--db", db, "--member", "m0000001");
        Assert.Equal(2, damaged.ExitCode);
        Assert.Contains("not an Encore trained model", damaged.Error);
    }
}

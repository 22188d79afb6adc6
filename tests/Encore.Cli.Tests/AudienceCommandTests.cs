using System.Text.Json;
using Encore.TestSupport;
using Xunit;

namespace Encore.Cli.Tests;

/// <summary>`encore audience` and `encore campaign target` on a simulated, trained store, and their errors.</summary>
public sealed class AudienceCommandTests : IDisposable
{
    private readonly TempFolder _temp = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _temp.Dispose();

    private Task<EncoreRun> Encore(params string[] args) => EncoreProcess.RunAsync(_temp.File("data-home"), Ct, args);

    [Fact]
    public async Task Audience_and_targeting_answer_from_a_trained_store_and_name_what_is_wrong()
    {
        var db = _temp.File("sim.db");
        Assert.Equal(0, (await Encore("simulate", "--members", "300", "--titles", "150", "--days", "30", "--db", db)).ExitCode);

        // No model yet.
        var noModel = await Encore("audience", "--db", db, "--genre", "drama");
        Assert.Equal(2, noModel.ExitCode);
        Assert.Contains("no trained model at", noModel.Error);

        var train = await Encore("train", "--db", db);
        Assert.True(train.ExitCode == 0, train.ToString());

        var text = await Encore("audience", "--db", db, "--name", "Night Shift", "--genre", "Crime", "--genre", "Drama", "-n", "5");
        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.Matches(@"^Predicted audience of ""Night Shift"" among 300 members:", text.Output);
        Assert.Matches(@"(?m)^  start:  [\d,]+ \(range [\d,]+ to [\d,]+\)$", text.Output);
        Assert.Contains("By taste:", text.Output);
        Assert.Contains("By genre:", text.Output);

        var json = await Encore("audience", "--db", db, "--genre", "comedy", "--like", "t000001", "--original", "t000002", "--json");
        Assert.True(json.ExitCode == 0, json.ToString());
        using (var doc = JsonDocument.Parse(json.Output))
        {
            var root = doc.RootElement;
            double expected = root.GetProperty("starts").GetProperty("expected").GetDouble();
            Assert.InRange(expected, root.GetProperty("starts").GetProperty("low").GetDouble(), root.GetProperty("starts").GetProperty("high").GetDouble());
            Assert.Equal(20, root.GetProperty("top_members").GetArrayLength());
            Assert.Contains(root.GetProperty("overlap").GetProperty("audiences").EnumerateArray(), a => a.GetProperty("kind").GetString() == "original");
            Assert.Equal(["t000001", "t000002"], root.GetProperty("blended").EnumerateArray().Select(e => e.GetString()));
        }

        var target = await Encore("campaign", "target", "--db", db, "--genre", "drama", "-n", "3", "--held-out-days", "7");
        Assert.True(target.ExitCode == 0, target.ToString());
        Assert.Contains("Members most likely to respond to genre drama", target.Output);
        Assert.Matches(@"(?m)^       1  +[\d,]+  +[\d.]+ %", target.Output);
        var title = await Encore("campaign", "target", "--db", db, "--title", "t000003", "--json");
        Assert.True(title.ExitCode == 0, title.ToString());
        using (var doc = JsonDocument.Parse(title.Output))
            Assert.Equal(10, doc.RootElement.GetProperty("deciles").GetArrayLength());

        // Errors: each names what is wrong.
        var genre = await Encore("audience", "--db", db, "--genre", "space opera");
        Assert.Equal(2, genre.ExitCode);
        Assert.Contains("unknown genre 'space opera'; known: ", genre.Error);
        var like = await Encore("audience", "--db", db, "--genre", "drama", "--like", "t999999");
        Assert.Equal(2, like.ExitCode);
        Assert.Contains("title 't999999' is not in the model's catalogue", like.Error);
        var nothing = await Encore("audience", "--db", db);
        Assert.Equal(1, nothing.ExitCode);
        Assert.Contains("describe the title", nothing.Error);
        var format = await Encore("audience", "--db", db, "--genre", "drama", "--format", "opera");
        Assert.Equal(1, format.ExitCode);
        Assert.Contains("--format 'opera' is not film or series", format.Error);
        var two = await Encore("campaign", "target", "--db", db, "--genre", "drama", "--title", "t000003");
        Assert.Equal(1, two.ExitCode);
        Assert.Contains("name one target", two.Error);
        var badTitle = await Encore("campaign", "target", "--db", db, "--title", "t999999");
        Assert.Equal(2, badTitle.ExitCode);
        Assert.Contains("title 't999999' is not in the model", badTitle.Error);
        var badGenre = await Encore("campaign", "target", "--db", db, "--genre", "nope");
        Assert.Equal(2, badGenre.ExitCode);
        Assert.Contains("unknown genre 'nope'", badGenre.Error);
    }
}

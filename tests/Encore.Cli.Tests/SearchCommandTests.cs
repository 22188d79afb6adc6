using System.Text.RegularExpressions;
using Encore.TestSupport;
using Xunit;

namespace Encore.Cli.Tests;

/// <summary>`encore search` on a small simulated store after `encore train`: typos folded, the order ranked per member, why each matched, and errors.</summary>
public sealed class SearchCommandTests : IDisposable
{
    private readonly TempFolder _temp = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _temp.Dispose();

    private Task<EncoreRun> Encore(params string[] args) => EncoreProcess.RunAsync(_temp.File("data-home"), Ct, args);

    /// <summary>The result rows: (title id, name, member score, why).</summary>
    private static IReadOnlyList<(string Id, string Name, string Why)> Rows(string output)
        => Regex.Matches(output, @"^\s+\d+\s+(.+?) \((t\d+)\)\s+[-\d.]+\s+[-\d.]+\s+[-\d.]+\s+(.+)$", RegexOptions.Multiline)
            .Select(m => (m.Groups[2].Value, m.Groups[1].Value, m.Groups[3].Value)).ToList();

    [Fact]
    public async Task A_trained_store_is_searched_with_typos_and_ranked_for_each_member()
    {
        var db = _temp.File("sim.db");
        Assert.Equal(0, (await Encore("simulate", "--members", "60", "--titles", "40", "--days", "21", "--db", db)).ExitCode);
        var train = await Encore("train", "--db", db);
        Assert.True(train.ExitCode == 0, train.ToString());

        // A title's name, typed with two letters of its longest word swapped, finds it first.
        var recommend = await Encore("recommend", "--db", db, "--member", "m0000001", "-n", "1");
        var pick = Regex.Match(recommend.Output, @"^\s+1\s+(.+?) \((t\d+)\)", RegexOptions.Multiline);
        Assert.True(pick.Success, recommend.ToString());
        var (name, id) = (pick.Groups[1].Value, pick.Groups[2].Value);
        var words = name.Split(' ');
        var longest = words.Where(w => w.All(char.IsLetter)).OrderByDescending(w => w.Length).First();
        int at = Enumerable.Range(1, longest.Length - 2).First(i => longest[i] != longest[i + 1]);
        var typo = longest[..at] + longest[at + 1] + longest[at] + longest[(at + 2)..];
        var query = string.Join(' ', words.Select(w => w == longest ? typo : w));
        var search = await Encore("search", "--db", db, "--member", "m0000001", query);
        Assert.True(search.ExitCode == 0, search.ToString());
        Assert.Contains($"Search '{query}' for m0000001:", search.Output);
        var rows = Rows(search.Output);
        Assert.Equal(id, rows[0].Id);
        Assert.Contains($"typo '{typo.ToLowerInvariant()}' for '{longest.ToLowerInvariant()}' (1 edit)", rows[0].Why);
        Assert.StartsWith($"name \"{name}\":", rows[0].Why);

        // A genre matches every title of it equally: each member's own scores order them, differently.
        var first = Rows((await Encore("search", "--db", db, "--member", "m0000001", "-n", "40", "Drama")).Output);
        var second = Rows((await Encore("search", "--db", db, "--member", "m0000002", "-n", "40", "Drama")).Output);
        Assert.True(first.Count >= 3, "the simulated catalogue has dramas");
        Assert.All(first, r => Assert.Equal("genre \"Drama\": exact 'drama'", r.Why));
        Assert.Equal(first.Select(r => r.Id).Order(), second.Select(r => r.Id).Order());
        Assert.NotEqual(first.Select(r => r.Id), second.Select(r => r.Id));

        // A maturity limit is applied, and -n is honoured.
        var kids = await Encore("search", "--db", db, "--member", "m0000001", "--maturity", "G", "-n", "2", "Drama");
        Assert.True(kids.ExitCode == 0, kids.ToString());
        Assert.True(Rows(kids.Output).Count <= 2);
        var nothing = await Encore("search", "--db", db, "--member", "m0000001", "qqqqqqqq");
        Assert.Equal(0, nothing.ExitCode);
        Assert.Contains("0 titles match", nothing.Output);
        Assert.Contains("nothing found for the words 'qqqqqqqq'", nothing.Output);
    }

    [Fact]
    public async Task Errors_say_what_is_wrong_in_one_line()
    {
        var db = _temp.File("sim.db");
        Assert.Equal(0, (await Encore("simulate", "--members", "30", "--titles", "20", "--days", "3", "--db", db)).ExitCode);
        var noModel = await Encore("search", "--db", db, "--member", "m0000001", "river");
        Assert.Equal(2, noModel.ExitCode);
        Assert.Contains($"no trained model at {db}.model; make one with `encore train`", noModel.Error);

        Assert.Equal(0, (await Encore("train", "--db", db, "--model", "popularity")).ExitCode);
        var unknown = await Encore("search", "--db", db, "--member", "nobody", "river");
        Assert.Equal(2, unknown.ExitCode);
        Assert.Equal($"encore: no member 'nobody' in {db}", unknown.Error.Trim());

        var empty = await Encore("search", "--db", db, "--member", "m0000001");
        Assert.Equal(1, empty.ExitCode);
        Assert.StartsWith("encore: the query is empty", empty.Error);
        var blank = await Encore("search", "--db", db, "--member", "m0000001", "  ");
        Assert.Equal(1, blank.ExitCode);
        Assert.StartsWith("encore: the query is empty", blank.Error);
        var symbols = await Encore("search", "--db", db, "--member", "m0000001", "?!");
        Assert.Equal(1, symbols.ExitCode);
        Assert.Contains("the query '?!' has no letter or digit to search for", symbols.Error);

        var maturity = await Encore("search", "--db", db, "--member", "m0000001", "--maturity", "PG-99", "river");
        Assert.Equal(1, maturity.ExitCode);
        Assert.Contains("unknown maturity rating 'PG-99'", maturity.Error);
        var count = await Encore("search", "--db", db, "--member", "m0000001", "-n", "0", "river");
        Assert.Equal(1, count.ExitCode);
        Assert.Contains("-n must be in 1..1000 (got 0)", count.Error);
        Assert.All(new[] { noModel, unknown, empty, symbols, maturity, count }, r => Assert.Single(r.Error.Trim().Split('\n')));
    }
}

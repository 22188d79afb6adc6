using System.Text.RegularExpressions;
using Encore.TestSupport;
using Xunit;

namespace Encore.Cli.Tests;

/// <summary>`encore homepage` on a simulated, trained store: the device's layout, the evidence, explanations, the profile's limit.</summary>
public sealed class HomepageCommandTests : IDisposable
{
    private readonly TempFolder _temp = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _temp.Dispose();

    private Task<EncoreRun> Encore(params string[] args) => EncoreProcess.RunAsync(_temp.File("data-home"), Ct, args);

    /// <summary>Row headings: "Label  (evidence)" at the start of a line.</summary>
    private static List<string> Rows(string output)
        => Regex.Matches(output, @"^(\S.*?)  \((.+)\)$", RegexOptions.Multiline).Select(m => m.Groups[1].Value).ToList();

    [Fact]
    public async Task A_member_gets_a_whole_page_shorter_on_a_phone_explained_on_request_and_within_the_profiles_limit()
    {
        var db = _temp.File("sim.db");
        Assert.Equal(0, (await Encore("simulate", "--members", "80", "--titles", "60", "--days", "21", "--db", db)).ExitCode);
        var train = await Encore("train", "--db", db, "--model", "itemknn");
        Assert.True(train.ExitCode == 0, train.ToString());

        var tv = await Encore("homepage", "--db", db, "--member", "m0000001", "--device", "tv");
        Assert.True(tv.ExitCode == 0, tv.ToString());
        Assert.Matches(@"^Homepage of m0000001 on tv at \d{4}-\d\d-\d\d \d\d:\d\d UTC, \d+ rows, model itemknn trained ", tv.Output);
        var tvRows = Rows(tv.Output);
        Assert.Contains("Top Picks for You", tvRows);
        Assert.Contains(tvRows, r => r.StartsWith("Because You Watched ", StringComparison.Ordinal));

        var phone = await Encore("homepage", "--db", db, "--member", "m0000001", "--device", "phone", "--explain");
        Assert.True(phone.ExitCode == 0, phone.ToString());
        var phoneRows = Rows(phone.Output);
        Assert.InRange(phoneRows.Count, 1, 6);
        Assert.True(phoneRows.Count < tvRows.Count, $"phone {phoneRows.Count} rows, tv {tvRows.Count}");
        Assert.Matches(@"(?m)^\s+1\. .+ \(t\d+\): .+; row=-?[\d.]+ member=-?[\d.]+ (model|metadata)=", phone.Output);

        // A profile limited to PG sees only titles rated at most PG: fewer titles than the unlimited page.
        var kids = await Encore("homepage", "--db", db, "--member", "m0000001", "--maturity", "PG");
        Assert.True(kids.ExitCode == 0, kids.ToString());
        int Titles(string output) => Regex.Matches(output, @"^\s+\d+\. ", RegexOptions.Multiline).Count;
        Assert.True(Titles(kids.Output) < Titles(tv.Output), $"PG page {Titles(kids.Output)} titles, unlimited {Titles(tv.Output)}");

        var unknown = await Encore("homepage", "--db", db, "--member", "nobody");
        Assert.Equal(2, unknown.ExitCode);
        Assert.Equal($"encore: no member 'nobody' in {db}\n", unknown.Error);
        var badLimit = await Encore("homepage", "--db", db, "--member", "m0000001", "--maturity", "XX");
        Assert.Equal(1, badLimit.ExitCode);
        Assert.StartsWith("encore: unknown maturity rating 'XX'; known: G, ", badLimit.Error);
    }
}

/// <summary>`encore search-demand` on a simulated store.</summary>
public sealed class SearchDemandCommandTests : IDisposable
{
    private readonly TempFolder _temp = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Search_demand_prints_what_members_want_and_the_catalogue_lacks_or_as_json()
    {
        var db = _temp.File("sim.db");
        var home = _temp.File("data-home");
        Assert.Equal(0, (await EncoreProcess.RunAsync(home, Ct, "simulate", "--members", "300", "--titles", "150", "--days", "21", "--db", db)).ExitCode);
        var text = await EncoreProcess.RunAsync(home, Ct, "search-demand", "--db", db, "-n", "3");
        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.Matches(@"^[\d,]+ searches \([\d,]+ distinct\), [\d,]+ played nothing", text.Output);
        Assert.Contains("In demand and not in the catalogue:", text.Output);
        Assert.Matches(@"(?m)^  .+: [\d,]+ members, [\d,]+ unmet \(mean [\d.]+ sessions\), demand [\d.]+", text.Output);

        var json = await EncoreProcess.RunAsync(home, Ct, "search-demand", "--db", db, "--json");
        Assert.True(json.ExitCode == 0, json.ToString());
        using var report = System.Text.Json.JsonDocument.Parse(json.Output);
        Assert.Contains(report.RootElement.GetProperty("groups").EnumerateArray(), g => g.GetProperty("kind").GetString() == "absent");

        var bad = await EncoreProcess.RunAsync(home, Ct, "search-demand", "--db", db, "--from", "someday");
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("--from: 'someday' is not a UTC time", bad.Error);
    }
}

using System.Text.Json;
using System.Text.RegularExpressions;
using Encore.TestSupport;
using Xunit;

namespace Encore.Cli.Tests;

/// <summary>`encore campaign estimate` and `encore experiment` on a small simulated store.</summary>
public sealed class CampaignExperimentCommandTests : IDisposable
{
    private readonly TempFolder _temp = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _temp.Dispose();

    private Task<EncoreRun> Encore(params string[] args) => EncoreProcess.RunAsync(_temp.File("data-home"), Ct, args);

    [Fact]
    public async Task A_campaign_is_estimated_and_an_experiment_read_from_a_simulated_store()
    {
        var db = _temp.File("sim.db");
        var simulate = await Encore("simulate", "--members", "120", "--titles", "80", "--days", "14", "--db", db);
        Assert.True(simulate.ExitCode == 0, simulate.ToString());

        var estimate = await Encore("campaign", "estimate", "--db", db, "--genre", "drama", "--share", "0.2", "--bootstrap", "100");
        Assert.True(estimate.ExitCode == 0, estimate.ToString());
        Assert.Contains("Campaign genre:drama", estimate.Output);
        foreach (var name in new[] { "ips", "snips", "direct", "doubly-robust", "switch-dr", "dr-shrinkage", "slate-cascade-ips" })
            Assert.Matches(new Regex($@"^{Regex.Escape(name)}\s+0\.\d{{4}}\s+\[0\.\d{{4}}, [01]\.\d{{4}}\]", RegexOptions.Multiline), estimate.Output);
        Assert.Matches(@"Effective sample size \d+", estimate.Output);

        var json = await Encore("campaign", "estimate", "--db", db, "--genre", "Drama", "--json", "--bootstrap", "50");
        Assert.True(json.ExitCode == 0, json.ToString());
        using (var doc = JsonDocument.Parse(json.Output))
        {
            Assert.True(doc.RootElement.GetProperty("records").GetInt32() > 100);
            Assert.Equal(8, doc.RootElement.GetProperty("estimates").GetArrayLength());
        }

        var experiment = await Encore("experiment", "--db", db, "--name", "cli-test", "--start", "2025-01-13", "--days", "7");
        Assert.True(experiment.ExitCode == 0, experiment.ToString());
        Assert.Matches(@"Sample ratio: \d+/\d+ members, chi-square [\d.]+, p = [\d.E-]+  ok", experiment.Output);
        Assert.Contains("treatment vs control:", experiment.Output);
        Assert.Contains("hours-cuped", experiment.Output);
        Assert.Contains("sequential (mSPRT, daily looks)", experiment.Output);
    }

    [Fact]
    public async Task Usage_errors_name_what_is_wrong()
    {
        var both = await Encore("campaign", "estimate", "--db", _temp.File("none.db"), "--genre", "Drama", "--titles", "t1");
        Assert.Equal(1, both.ExitCode);
        Assert.Contains("exactly one of --titles or --genre", both.Error);
        var share = await Encore("campaign", "estimate", "--genre", "Drama", "--share", "1.5");
        Assert.Equal(1, share.ExitCode);
        Assert.Contains("--share must be in (0, 1]", share.Error);
        var name = await Encore("experiment", "--start", "2025-01-13");
        Assert.Equal(1, name.ExitCode);
        Assert.Contains("--name is required", name.Error);
        var weights = await Encore("experiment", "--name", "x", "--start", "2025-01-13", "--weights", "1");
        Assert.Equal(1, weights.ExitCode);
        Assert.Contains("--weights has 1 values for 2 variants", weights.Error);
    }
}

using Encore.TestSupport;
using Xunit;

namespace Encore.Cli.Tests;

/// <summary>`encore simulate` into a database: once per service, never mixed with other data.</summary>
public sealed class SimulateCommandTests : IDisposable
{
    private readonly TempFolder _temp = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _temp.Dispose();

    private Task<EncoreRun> Encore(params string[] args) => EncoreProcess.RunAsync(_temp.File("data-home"), Ct, args);

    [Fact]
    public async Task The_same_service_is_stored_once_and_another_one_is_refused()
    {
        var db = _temp.File("sim.db");
        var first = await Encore("simulate", "--members", "60", "--titles", "40", "--days", "16", "--db", db);
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Matches(@"(?m)^\s+rejected\s+0\s*$", first.Output);

        var again = await Encore("simulate", "--members", "60", "--titles", "40", "--days", "16", "--db", db);
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains("already holds this simulated service; nothing to store", again.Output);

        // A different seed would reuse the first run's event ids (member, session, sequence) and mix two worlds.
        var other = await Encore("simulate", "--members", "60", "--titles", "40", "--days", "16", "--seed", "5", "--db", db);
        Assert.Equal(3, other.ExitCode);
        Assert.Contains("already holds", other.Error);
        Assert.Contains("events of another data set or simulation", other.Error);
    }
}

using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Xunit;

namespace Encore.Packaging.Tests;

/// <summary>
/// The `encore` .NET tool, installed from the packed feed with `dotnet tool install --tool-path DIR --add-source FEED
/// Encore.Cli`: it prints what the repository's own build of the command prints (./encore runs that build), and
/// imports, trains and recommends from a clean folder.
/// </summary>
public sealed class ToolTests(PackedFeed feed) : IDisposable
{
    private readonly TestSupport.TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private Dictionary<string, string?> Environment() => new() { ["XDG_DATA_HOME"] = _temp.File("data-home"), ["ENCORE_DB"] = null };

    private ProcessRun Tool(params string[] args) => PackedFeed.Run(feed.Encore, _temp.Path, TimeSpan.FromMinutes(3), Environment(), args);

    /// <summary>The same program built in the repository (what ./encore runs), for comparison.</summary>
    private ProcessRun Built(params string[] args)
    {
        var dll = Path.Combine(feed.RepositoryRoot, "src", "Encore.Cli", "bin", feed.Configuration, "net10.0", "encore.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing: build src/Encore.Cli in {feed.Configuration}");
        return PackedFeed.Run("dotnet", _temp.Path, TimeSpan.FromMinutes(3), Environment(), [dll, .. args]);
    }

    [Fact]
    public void The_installed_tool_prints_the_same_help_and_version_as_the_repository_build()
    {
        feed.RequireTool();
        var help = Tool("--help");
        Assert.True(help.ExitCode == 0, help.ToString());
        Assert.Contains("Encore: a recommendation engine for video-streaming services.", help.Output);
        Assert.Matches(@"(?m)^\s+recommend\s", help.Output);
        Assert.Equal(Built("--help").Output, help.Output);

        var version = Tool("--version");
        Assert.True(version.ExitCode == 0, version.ToString());
        Assert.StartsWith(feed.VersionPrefix, version.Output.Trim(), StringComparison.Ordinal);

        // A usage error is the same error, with the same exit code.
        var wrong = Tool("train", "--budget", "x");
        var builtWrong = Built("train", "--budget", "x");
        Assert.NotEqual(0, wrong.ExitCode);
        Assert.Equal(builtWrong.ExitCode, wrong.ExitCode);
        Assert.Equal(builtWrong.Error, wrong.Error);
    }

    [Fact]
    public void The_installed_tool_imports_trains_and_recommends_as_the_repository_build_does()
    {
        feed.RequireTool();
        var events = _temp.File("events.csv");
        File.WriteAllText(events, EventsCsv());
        var db = _temp.File("tool.db");

        var import = Tool("import", events, "--register-titles", "--db", db);
        Assert.True(import.ExitCode == 0, import.ToString());
        Assert.Matches(@"(?m)^\s+events stored\s+480\s*$", import.Output);
        Assert.Matches(@"(?m)^\s+new titles\s+30\s*$", import.Output);
        Assert.Matches(@"(?m)^\s+new members\s+40\s*$", import.Output);

        var train = Tool("train", "--db", db, "--model", "itemknn", "--continue-watching", "none");
        Assert.True(train.ExitCode == 0, train.ToString());
        Assert.True(File.Exists(db + ".model"), train.ToString());

        var recommend = Tool("recommend", "--db", db, "--member", "u001", "-n", "5");
        Assert.True(recommend.ExitCode == 0, recommend.ToString());
        var picks = Regex.Matches(recommend.Output, @"\((t\d+)\)").Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(5, picks.Count);
        // u001, an odd member, watched only odd titles, as did every member like it: item-kNN picks odd titles it has not seen.
        Assert.All(picks, t => Assert.True(int.Parse(t[1..], CultureInfo.InvariantCulture) % 2 == 1, recommend.Output));

        // The repository's build, on the same store and model, recommends exactly the same.
        var built = Built("recommend", "--db", db, "--member", "u001", "-n", "5");
        Assert.True(built.ExitCode == 0, built.ToString());
        Assert.Equal(built.Output, recommend.Output);
    }

    /// <summary>
    /// 40 members over 30 titles: odd members watch only odd titles, even ones only even titles, each
    /// member six titles played and finished, as event CSV with the snake_case header.
    /// </summary>
    private static string EventsCsv()
    {
        var csv = new StringBuilder("event_id,kind,member_id,title_id,device,timestamp,session_id,position\n");
        var start = new DateTime(2026, 3, 1, 20, 0, 0, DateTimeKind.Utc);
        for (int m = 1; m <= 40; m++)
        {
            for (int k = 0; k < 6; k++)
            {
                int title = ((m * 7 + k * 2) % 15) * 2 + (m % 2 == 0 ? 2 : 1);
                var at = start.AddHours(m * 3 + k * 26);
                var session = $"s{m:000}-{k}";
                csv.Append(CultureInfo.InvariantCulture, $"{session}-a,play_start,u{m:000},t{title:00},tv,{at:yyyy-MM-ddTHH:mm:ssZ},{session},0\n");
                csv.Append(CultureInfo.InvariantCulture, $"{session}-b,completion,u{m:000},t{title:00},tv,{at.AddMinutes(95):yyyy-MM-ddTHH:mm:ssZ},{session},5700\n");
            }
        }
        return csv.ToString();
    }
}

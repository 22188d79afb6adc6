using System.Text;
using System.Text.RegularExpressions;
using Encore.TestSupport;
using Xunit;

namespace Encore.Cli.Tests;

/// <summary>`encore import` and `encore stats`, run as the real program with redirected output.</summary>
public sealed class ImportStatsCommandTests : IDisposable
{
    private readonly TempFolder _temp = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _temp.Dispose();

    private string DataHome => _temp.File("data-home");

    private Task<EncoreRun> Encore(params string[] args) => EncoreProcess.RunAsync(DataHome, Ct, args);

    /// <summary>A small MovieLens 100K-layout folder (latin-1), with an optional u.data.</summary>
    private string Ml100kFixture(string? uData = null)
    {
        var folder = Directory.CreateDirectory(_temp.File("ml-100k")).FullName;
        string[] genres = ["unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime", "Documentary", "Drama",
            "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery", "Romance", "Sci-Fi", "Thriller", "War", "Western"];
        File.WriteAllBytes(Path.Combine(folder, "u.genre"), Encoding.Latin1.GetBytes(string.Concat(genres.Select((g, i) => $"{g}|{i}\n"))));
        File.WriteAllBytes(Path.Combine(folder, "u.item"), Encoding.Latin1.GetBytes(
            "1|Toy Story (1995)|01-Jan-1995||http://x|0|0|0|1|1|1|0|0|0|0|0|0|0|0|0|0|0|0|0\n" +
            "2|Misérables, Les (1995)|01-Jan-1995||http://x|0|0|0|0|0|0|0|0|1|0|0|0|1|0|0|0|0|0|0\n"));
        File.WriteAllBytes(Path.Combine(folder, "u.user"), Encoding.Latin1.GetBytes("1|24|M|technician|85711\n2|53|F|other|94043\n3|33|F|writer|10001\n"));
        File.WriteAllText(Path.Combine(folder, "u.data"), uData ?? "1\t1\t5\t874965758\n2\t2\t3\t876893171\n3\t1\t4\t888550871\n");
        return folder;
    }

    private static string Row(string label, object value) => $@"(?m)^\s+{Regex.Escape(label)}\s+{Regex.Escape(value.ToString()!)}\s*$";

    [Fact]
    public async Task Import_then_stats_with_no_flags_uses_the_default_database()
    {
        var folder = Ml100kFixture();

        var import = await Encore("import", folder);
        var stats = await Encore("stats");

        Assert.True(import.ExitCode == 0, import.ToString());
        Assert.Contains("(MovieLens 100K)", import.Output);
        Assert.Matches(Row("events stored", 3), import.Output);
        var defaultDb = Path.Combine(DataHome, "encore", "encore.db");
        Assert.True(File.Exists(defaultDb), "the default database lives under $XDG_DATA_HOME/encore");
        Assert.True(stats.ExitCode == 0, stats.ToString());
        Assert.Contains($"Database {defaultDb}", stats.Output);
        Assert.Matches(Row("members", 3), stats.Output);
        Assert.Matches(Row("titles", 2), stats.Output);
        Assert.Matches(Row("events", 3), stats.Output);
        Assert.Matches(Row("rating", 3), stats.Output);
        Assert.Matches(Row("first event", "1997-09-22 22:02:38 UTC"), stats.Output);
        Assert.Matches(Row("last event", "1998-02-27 03:41:11 UTC"), stats.Output);
    }

    [Fact]
    public async Task Db_option_selects_another_file_and_progress_goes_to_stderr_as_plain_lines()
    {
        var folder = Ml100kFixture();
        var db = _temp.File("elsewhere/my.db");

        var import = await Encore("import", folder, "--db", db);
        var stats = await Encore("stats", "--db", db);
        var defaultStats = await Encore("stats");

        Assert.True(import.ExitCode == 0, import.ToString());
        // The ratings stream like any events file: progress in bytes of u.data.
        Assert.Matches(@"(?m)^u\.data: \d+ B/\d+ B \(100%\)", import.Error);
        Assert.DoesNotContain("\u001b[", import.Error + import.Output);
        Assert.Matches(Row("events", 3), stats.Output);
        Assert.Equal(3, defaultStats.ExitCode);
    }

    [Fact]
    public async Task Reimport_stores_nothing_twice()
    {
        var folder = Ml100kFixture();

        await Encore("import", folder);
        var again = await Encore("import", folder);
        var stats = await Encore("stats");

        Assert.Equal(0, again.ExitCode);
        Assert.Matches(Row("events stored", 0), again.Output);
        Assert.Matches(Row("duplicates", 3), again.Output);
        Assert.Matches(Row("events", 3), stats.Output);
    }

    [Fact]
    public async Task Malformed_line_stops_with_a_one_line_reason_or_is_skipped_on_request()
    {
        var folder = Ml100kFixture("1\t1\t5\t874965758\n2\t2\tthree\t876893171\n3\t1\t4\t888550871\n");

        var stop = await Encore("import", folder);
        var skip = await Encore("import", folder, "--on-error", "skip");

        Assert.Equal(2, stop.ExitCode);
        var line = Assert.Single(stop.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("encore:", StringComparison.Ordinal));
        Assert.Contains($"{Path.Combine(folder, "u.data")}:2: rating 'three' is not a number", line);
        Assert.Contains("the import stopped here; 1 event stored, after 2 titles and 3 members", line);
        Assert.True(skip.ExitCode == 0, skip.ToString());
        // The stopped import kept line 1; the skipping one adds line 3.
        Assert.Matches(Row("events stored", 1), skip.Output);
        Assert.Matches(Row("duplicates", 1), skip.Output);
        Assert.Matches(Row("skipped lines", 1), skip.Output);
        Assert.Contains("u.data:2: rating 'three'", skip.Error);
    }

    [Fact]
    public async Task A_stopped_import_says_where_it_stopped_and_how_many_events_it_stored()
    {
        const string ok = "\"kind\":\"search\",\"member_id\":\"m1\",\"device\":\"web\",\"timestamp\":\"2024-05-01T20:00:00Z\",\"session_id\":\"s1\",\"query\":\"heat\"";
        var events = _temp.File("events.jsonl");
        File.WriteAllText(events, $"{{\"event_id\":\"e1\",{ok}}}\n{{\"event_id\":\"e2\",{ok}}}\n{{\"event_id\":\"e3\",\"kind\":\"teleport\"}}\n");

        var stop = await Encore("import", events);
        var stats = await Encore("stats");

        Assert.Equal(2, stop.ExitCode);
        var line = Assert.Single(stop.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("encore:", StringComparison.Ordinal));
        Assert.Contains($"{events}:3: kind: 'teleport' is not an event kind", line);
        Assert.Contains("the import stopped here; 2 events stored", line);
        Assert.Matches(Row("events", 2), stats.Output);
    }

    [Fact]
    public async Task Empty_jsonl_and_csv_files_import_nothing_alike_and_say_so()
    {
        var jsonl = _temp.File("empty.jsonl");
        var csv = _temp.File("empty.csv");
        File.WriteAllText(jsonl, "");
        File.WriteAllText(csv, "\n");

        var fromJsonl = await Encore("import", jsonl);
        var fromCsv = await Encore("import", csv);

        foreach (var (run, path) in new[] { (fromJsonl, jsonl), (fromCsv, csv) })
        {
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Matches(Row("events read", 0), run.Output);
            Assert.Contains($"{path} held no events", run.Output);
        }
    }

    [Fact]
    public async Task The_summary_counts_members_and_titles_that_events_created()
    {
        string Event(string id, string member, string title)
            => $"{{\"event_id\":\"{id}\",\"kind\":\"play_start\",\"member_id\":\"{member}\",\"title_id\":\"{title}\",\"device\":\"tv\",\"timestamp\":\"2024-05-01T20:00:00Z\",\"session_id\":\"s\",\"position\":0}}";
        var events = _temp.File("events.jsonl");
        File.WriteAllText(events, string.Join("\n", Event("e1", "m1", "heat"), Event("e2", "m2", "heat"), Event("e3", "m3", "ran")) + "\n");

        var rejected = await Encore("import", events);
        var registered = await Encore("import", events, "--register-titles");
        var stats = await Encore("stats");

        Assert.Equal(2, rejected.ExitCode);
        Assert.Contains("title_id: unknown title 'heat' (not in the catalogue)", rejected.Error);
        Assert.True(registered.ExitCode == 0, registered.ToString());
        Assert.Matches(Row("members from files", 0), registered.Output);
        Assert.Matches(Row("new members", 3), registered.Output);
        Assert.Matches(Row("new titles", 2), registered.Output);
        Assert.Matches(Row("events stored", 3), registered.Output);
        Assert.Matches(Row("members", 3), stats.Output);
        Assert.Matches(Row("titles", 2), stats.Output);
    }

    [Fact]
    public async Task A_csv_line_that_is_not_utf8_stops_with_its_line_byte_and_the_events_stored_or_is_skipped()
    {
        var csv = _temp.File("latin1.csv");
        File.WriteAllBytes(csv, Encoding.Latin1.GetBytes(
            "event_id,kind,member_id,device,timestamp,session_id,query\n" +
            "c1,search,m1,web,2024-05-01T20:00:00Z,s1,heat\n" +
            "c2,search,m1,web,2024-05-01T20:00:00Z,s1,ran\n" +
            "c3,search,m1,web,2024-05-01T20:00:00Z,s1,amélie\n" +
            "c4,search,m1,web,2024-05-01T20:00:00Z,s1,up\n"));

        var stop = await Encore("import", csv);
        var skip = await Encore("import", csv, "--on-error", "skip");

        Assert.Equal(2, stop.ExitCode);
        var line = Assert.Single(stop.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("encore:", StringComparison.Ordinal));
        Assert.Contains($"{csv}:4: invalid UTF-8: byte 0xE9 at byte 44 of the line", line);
        Assert.Contains("the import stopped here; 2 events stored; --on-error skip skips such lines", line);
        Assert.True(skip.ExitCode == 0, skip.ToString());
        Assert.Matches(Row("events stored", 1), skip.Output);
        Assert.Matches(Row("skipped lines", 1), skip.Output);
        Assert.Contains($"skipped {csv}:4: invalid UTF-8", skip.Error);
    }

    [Fact]
    public async Task Errors_exit_non_zero_with_one_line()
    {
        var notes = _temp.File("notes.txt");
        File.WriteAllText(notes, "hello");
        var garbage = _temp.File("garbage.db");
        File.WriteAllText(garbage, "this is not a database, just text long enough to fill a header page........................");

        var missing = await Encore("import", _temp.File("absent"));
        var unknown = await Encore("import", notes);
        var noDatabase = await Encore("stats");
        var badDatabase = await Encore("stats", "--db", garbage);
        var folderDatabase = await Encore("import", Ml100kFixture(), "--db", _temp.Path);
        var badOption = await Encore("import", Ml100kFixture(), "--on-error", "ignore");

        AssertFails(missing, 2, "no such file or folder");
        AssertFails(unknown, 2, "unknown format");
        AssertFails(noDatabase, 3, "no database at");
        AssertFails(badDatabase, 3, "cannot open database");
        AssertFails(folderDatabase, 3, "is a folder");
        Assert.Equal(1, badOption.ExitCode);
        Assert.False(File.Exists(Path.Combine(DataHome, "encore", "encore.db")), "a failed import must not leave a database behind");
    }

    [Fact]
    public async Task Json_lines_events_import_after_their_titles()
    {
        var folder = Directory.CreateDirectory(_temp.File("export")).FullName;
        File.WriteAllText(Path.Combine(folder, "titles.jsonl"),
            "{\"id\":\"t1\",\"name\":\"Heat\",\"runtime_seconds\":10200}\n{\"id\":\"t2\",\"name\":\"Amélie\"}\n");
        File.WriteAllText(Path.Combine(folder, "events.jsonl"),
            "{\"event_id\":\"e1\",\"kind\":\"play_start\",\"member_id\":\"m1\",\"title_id\":\"t1\",\"device\":\"tv\",\"timestamp\":\"2024-05-01T20:00:00Z\",\"session_id\":\"s1\",\"position\":0}\n" +
            "{\"event_id\":\"e2\",\"kind\":\"stop\",\"member_id\":\"m1\",\"title_id\":\"t1\",\"device\":\"tv\",\"timestamp\":\"2024-05-01T21:00:00Z\",\"session_id\":\"s1\",\"position\":3600}\n");

        var import = await Encore("import", folder);
        var stats = await Encore("stats");

        Assert.True(import.ExitCode == 0, import.ToString());
        Assert.Matches(Row("titles", 2), stats.Output);
        Assert.Matches(Row("members", 1), stats.Output);
        Assert.Matches(Row("play_start", 1), stats.Output);
        Assert.Matches(Row("stop", 1), stats.Output);
    }

    [Fact]
    public async Task Real_MovieLens_100k_import_then_stats_prints_the_published_counts()
    {
        var folder = SharedData.RequireMl100k();

        var import = await Encore("import", folder);
        var stats = await Encore("stats");

        Assert.True(import.ExitCode == 0, import.ToString());
        Assert.True(stats.ExitCode == 0, stats.ToString());
        Assert.Matches(Row("members", 943), stats.Output);
        Assert.Matches(Row("titles", 1682), stats.Output);
        Assert.Matches(Row("events", 100000), stats.Output);
        Assert.Matches(Row("rating", 100000), stats.Output);
    }

    private static void AssertFails(EncoreRun run, int exitCode, string reason)
    {
        Assert.True(run.ExitCode == exitCode, run.ToString());
        var line = Assert.Single(run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("encore: ", line);
        Assert.Contains(reason, line);
    }
}

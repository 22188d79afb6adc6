using Encore.Core;
using Encore.Storage;
using Encore.TestSupport;
using Xunit;

namespace Encore.Cli.Tests;

/// <summary>Commands that only read work on a database the user may not write; commands that write say why they cannot.</summary>
public sealed class ReadOnlyDatabaseCommandTests : IDisposable
{
    private readonly TempFolder _temp = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _temp.Dispose();

    private Task<EncoreRun> Encore(params string[] args) => EncoreProcess.RunAsync(_temp.File("data-home"), Ct, args);

    /// <summary>A database in its own folder, with a member that an append registered (staged until a seal).</summary>
    private async Task<string> DatabaseAsync()
    {
        var folder = Directory.CreateDirectory(_temp.File("locked")).FullName;
        var path = Path.Combine(folder, "encore.db");
        await using var store = await SqliteEventStore.OpenAsync(path, Ct);
        await store.UpsertTitlesAsync([new Title { Id = "t1", Name = "Heat", RuntimeSeconds = 10_200 }], Ct);
        await store.AppendAsync([
            new ViewingEvent
            {
                EventId = "e1", Kind = EventKind.PlayStart, MemberId = "m1", TitleId = "t1", Device = DeviceKind.Tv,
                TimestampUtc = new DateTime(2025, 1, 6, 20, 0, 0, DateTimeKind.Utc), SessionId = "s1", PositionSeconds = 0,
            },
        ], Ct);
        return path;
    }

    [Fact]
    public async Task Stats_reads_a_read_only_database_in_a_read_only_folder()
    {
        var path = await DatabaseAsync();
        using var locked = ReadOnlyPaths.Make(path, Path.GetDirectoryName(path)!);

        var run = await Encore("stats", "--db", path);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Matches(@"(?m)^\s+members\s+1\s*$", run.Output);
        Assert.Matches(@"(?m)^\s+events\s+1\s*$", run.Output);
    }

    /// <summary>Every command that only reads, on a read-only database (and its model) in a read-only folder.</summary>
    [Theory]
    [InlineData("signals", "--member", "m1")]
    [InlineData("recommend", "--member", "m1")]
    [InlineData("similar", "--title", "t1")]
    [InlineData("homepage", "--member", "m1")]
    [InlineData("search", "heat", "--member", "m1")]
    [InlineData("search-demand")]
    public async Task Every_reading_command_works_on_a_read_only_database(params string[] command)
    {
        var path = await DatabaseAsync();
        await using (var store = await SqliteEventStore.OpenAsync(path, Ct))
        {
            await store.UpsertTitlesAsync([new Title { Id = "t2", Name = "Ronin", RuntimeSeconds = 7_320 }], Ct);
            await store.AppendAsync([
                new ViewingEvent
                {
                    EventId = "e2", Kind = EventKind.PlayStart, MemberId = "m2", TitleId = "t2", Device = DeviceKind.Phone,
                    TimestampUtc = new DateTime(2025, 1, 7, 20, 0, 0, DateTimeKind.Utc), SessionId = "s2", PositionSeconds = 0,
                },
                new ViewingEvent
                {
                    EventId = "e3", Kind = EventKind.PlayStart, MemberId = "m2", TitleId = "t1", Device = DeviceKind.Phone,
                    TimestampUtc = new DateTime(2025, 1, 7, 22, 0, 0, DateTimeKind.Utc), SessionId = "s3", PositionSeconds = 0,
                },
            ], Ct);
        }
        var train = await Encore("train", "--db", path, "--model", "popularity", "--continue-watching", "none");
        Assert.True(train.ExitCode == 0, train.ToString());
        var model = path + ".model";
        Assert.True(File.Exists(model), $"no model at {model}: {train}");
        var before = File.ReadAllBytes(path);
        using var locked = ReadOnlyPaths.Make(path, model, Path.GetDirectoryName(path)!);

        var run = await Encore([.. command, "--db", path]);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.DoesNotContain("readonly", run.Error, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(before, File.ReadAllBytes(path));
    }

    [Fact]
    public async Task Import_into_a_read_only_database_says_it_cannot_be_written()
    {
        var path = await DatabaseAsync();
        var events = _temp.File("events.jsonl");
        await File.WriteAllTextAsync(events, "", Ct);
        using var locked = ReadOnlyPaths.Make(path);

        var run = await Encore("import", events, "--db", path);

        Assert.True(run.ExitCode == 3, run.ToString());
        Assert.Equal($"encore: cannot open database {path}: {path}: the file cannot be written (no write permission on it or its folder); commands that only read can still open it",
            run.Error.TrimEnd('\n'));
    }
}

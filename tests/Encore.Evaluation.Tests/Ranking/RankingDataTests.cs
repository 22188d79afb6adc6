using Encore.Evaluation.Interactions;
using Encore.Evaluation.Ranking;
using Encore.Evaluation.Reporting;
using Encore.Ingestion.Importers;
using Encore.Storage;
using Encore.TestSupport;
using Xunit;

namespace Encore.Evaluation.Tests.Ranking;

/// <summary>Every source of ranking data becomes the same <see cref="RankingData"/>: interactions, events (through a temporary store), a store.</summary>
public sealed class RankingDataTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string Write(string name, string text)
    {
        var path = _temp.File(name);
        File.WriteAllText(path, text);
        return path;
    }

    private static (string Member, string Title, float Weight, long Time)[] Positives(RankingData d)
        => [.. d.Positives.ToArray().Select(p => (d.Members[p.Member], d.Catalogue[p.Title], p.Weight, p.Time))];

    [Fact]
    public void Interactions_merge_repeated_pairs_drop_non_positive_ones_and_index_ids_in_id_order()
    {
        var path = Write("i.csv", "user,item,weight,timestamp\n10,b,1,300\n2,a,2,100\n10,b,2,200\n2,c,-1,50\n9,a,0,10\n");
        var d = RankingData.FromInteractions(InteractionsFile.Load(path, Ct));
        Assert.Equal(["2", "10"], d.Members.Ids); // numeric order; member 9 has no positive
        Assert.Equal(["a", "b", "c"], d.Catalogue.Ids); // c is in the data set though it has no positive
        Assert.Equal([("2", "a", 2f, 100L), ("10", "b", 3f, 300L)], Positives(d)); // b's two lines: weights added, the later time
        Assert.True(d.HasTimes);
        Assert.False(d.IsGivenSplit);
        Assert.Equal(5, d.Records);
    }

    [Fact]
    public void Interactions_without_times_have_time_zero_and_say_why()
    {
        var d = RankingData.FromInteractions(InteractionsFile.Load(Write("n.csv", "u1,i1\nu1,i2\n"), Ct));
        Assert.False(d.HasTimes);
        Assert.Equal("it has no timestamp column", d.NoTimesReason);
        Assert.All(d.Positives.ToArray(), p => Assert.Equal(0, p.Time));
        Assert.Contains("no timestamps (it has no timestamp column)", d.Describe(), StringComparison.Ordinal);
    }

    private const string Play = """{"event_id":"{0}","kind":"play_start","member_id":"{1}","title_id":"{2}","device":"tv","timestamp":"{3}","session_id":"s-{1}","position":0}""";
    private const string Stop = """{"event_id":"{0}","kind":"stop","member_id":"{1}","title_id":"{2}","device":"tv","timestamp":"{3}","session_id":"s-{1}","position":{4}}""";
    private const string Rate = """{"event_id":"{0}","kind":"rating","member_id":"{1}","title_id":"{2}","device":"web","timestamp":"{3}","session_id":"r-{1}","rating":{4}}""";

    private static string Line(string format, params object[] values)
    {
        var text = format;
        for (int i = 0; i < values.Length; i++) text = text.Replace("{" + i + "}", Convert.ToString(values[i], System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        return text;
    }

    [Fact]
    public async Task An_events_file_is_read_through_a_temporary_store_with_its_titles_registered_and_titles_begun_are_positives()
    {
        // No titles file: the importer registers t1 and t2; a rating alone is not a play.
        var path = Write("events.jsonl", string.Join("\n",
            Line(Play, "e1", "m1", "t1", "2025-01-01T10:00:00Z"),
            Line(Stop, "e2", "m1", "t1", "2025-01-01T10:30:00Z", 1800),
            Line(Play, "e3", "m1", "t2", "2025-01-02T09:00:00Z"),
            Line(Rate, "e4", "m2", "t2", "2025-01-03T09:00:00Z", 5),
            Line(Play, "e5", "m2", "t1", "2025-01-04T09:00:00Z")) + "\n");
        var scratch = Directory.CreateDirectory(_temp.File("scratch")).FullName;
        var d = await RankingSources.LoadAsync(path, temporaryFolder: scratch, ct: Ct);
        Assert.Empty(Directory.EnumerateFileSystemEntries(scratch)); // the temporary store is gone
        Assert.Equal(RankingSourceKind.Events, RankingSources.Detect(path));
        Assert.Equal(["t1", "t2"], d.Catalogue.Ids);
        long t = DateTimeOffset.Parse("2025-01-01T10:30:00Z", System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeSeconds();
        Assert.Equal([("m1", "t1", 1f, t), ("m1", "t2", 1f, t + 81_000), ("m2", "t1", 1f, t + 3 * 86_400 - 5_400)], Positives(d));
        Assert.Equal(5, d.Records);
        Assert.Contains("titles begun", d.PositiveRule, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_store_of_ratings_only_takes_the_ratings_of_four_or_more_the_latest_of_each_pair()
    {
        var path = Write("ratings.jsonl", string.Join("\n",
            Line(Rate, "r1", "m1", "t1", "2025-01-01T10:00:00Z", 5),
            Line(Rate, "r2", "m1", "t2", "2025-01-01T11:00:00Z", 3),
            Line(Rate, "r3", "m1", "t3", "2025-01-01T12:00:00Z", 4),
            Line(Rate, "r4", "m1", "t3", "2025-01-02T12:00:00Z", 2), // t3 rated again, lower: no longer a positive
            Line(Rate, "r5", "m2", "t2", "2025-01-03T12:00:00Z", 4.5)) + "\n");
        var d = await RankingSources.LoadAsync(path, ct: Ct);
        Assert.Equal([("m1", "t1"), ("m2", "t2")], Positives(d).Select(p => (p.Member, p.Title)));
        Assert.True(d.HasRatings);
        Assert.Equal([5f, 4.5f], d.Positives.ToArray().Select(p => p.Rating));
        Assert.Contains("ratings >= 4", d.PositiveRule, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Preference_parameters_change_what_a_viewing_store_counts_as_positive()
    {
        // t1 was played and then rated 1: a play under the plays setting, negative evidence once low ratings count.
        var path = Write("prefs.jsonl", string.Join("\n",
            Line(Play, "e1", "m1", "t1", "2025-01-01T10:00:00Z"),
            Line(Rate, "e2", "m1", "t1", "2025-01-01T12:00:00Z", 1),
            Line(Play, "e3", "m1", "t2", "2025-01-02T10:00:00Z")) + "\n");
        var plays = await RankingSources.LoadAsync(path, ct: Ct);
        Assert.Equal(["t1", "t2"], Positives(plays).Select(p => p.Title));
        var preferences = RankingSources.Preferences(new Dictionary<string, string> { ["low-rating"] = "2" });
        Assert.NotNull(preferences);
        var strict = await RankingSources.LoadAsync(path, preferences, ct: Ct);
        Assert.Equal(["t2"], Positives(strict).Select(p => p.Title)); // rated 1: negative evidence, not a positive
        Assert.Null(RankingSources.Preferences(new Dictionary<string, string>()));
        Assert.Contains("unknown parameter 'nope'", Assert.Throws<ArgumentException>(() => RankingSources.Preferences(new Dictionary<string, string> { ["nope"] = "1" })).Message,
            StringComparison.Ordinal);
        var interactions = Write("plain.csv", "u1,i1\n");
        await Assert.ThrowsAsync<ArgumentException>(() => RankingSources.LoadAsync(interactions, preferences, ct: Ct));
    }

    [Fact]
    public async Task A_bad_events_line_stops_at_its_file_and_line()
    {
        var path = Write("bad.jsonl", Line(Play, "e1", "m1", "t1", "2025-01-01T10:00:00Z") + "\n{not json\n");
        var e = await Assert.ThrowsAsync<ImportException>(() => RankingSources.LoadAsync(path, ct: Ct));
        Assert.Equal(2, e.Line);
        Assert.StartsWith(path + ":2: ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Sources_are_detected_by_folder_extension_and_header()
    {
        Assert.Equal(RankingSourceKind.Interactions, RankingSources.Detect(Write("a.csv", "user,item\nu1,i1\n")));
        Assert.Equal(RankingSourceKind.Events, RankingSources.Detect(Write("b.csv", "event_id,kind,member_id,device,timestamp,session_id\n")));
        Assert.Equal(RankingSourceKind.Events, RankingSources.Detect(Write("c.ndjson", "")));
        Assert.Contains("no such file or folder", Assert.Throws<ImportException>(() => RankingSources.Detect(_temp.File("none"))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ml100k_imported_into_a_store_gives_the_same_split_and_figures_as_the_folder()
    {
        var folder = SharedData.RequireMl100k();
        await using var store = await SqliteEventStore.OpenAsync(_temp.File("ml.db"), Ct);
        await new ImportRunner(store).ImportAsync(folder, ct: Ct);
        var fromStore = await RankingData.FromStoreAsync(store, ct: Ct);
        var fromFolder = RankingData.Load(folder, Ct);
        var a = RankingSplit.Create(fromStore, SplitRule.Chronological, Ct);
        var b = RankingSplit.Create(fromFolder, SplitRule.Chronological, Ct);
        Assert.Equal((44_300, 11_075, 938), (a.TrainPositives, a.TestPositives, a.TestUsers));
        Assert.Equal(b.Train.MemberIds.Ids, a.Train.MemberIds.Ids);
        Assert.Equal(b.Train.TitleIds.Ids, a.Train.TitleIds.Ids);
        Assert.Equal(b.Train.RowPointers, a.Train.RowPointers);
        Assert.Equal(b.Train.ColumnIndices, a.Train.ColumnIndices);
        Assert.Equal(b.Train.Ratings, a.Train.Ratings);
        Assert.Equal(b.Train.Timestamps, a.Train.Timestamps);
        Assert.Equal(b.Test, a.Test);
        var ease = new Dictionary<string, string> { ["lambda"] = "200" };
        var viaStore = ProtocolRunner.Run("p-topn", fromStore, "ease", ease, ct: Ct);
        var viaFolder = ProtocolRunner.Run("p-topn", fromFolder, "ease", ease, ct: Ct);
        Assert.Equal(viaFolder.Metrics.Select(m => m.Value), viaStore.Metrics.Select(m => m.Value));
        Assert.Equal(0.2202, viaStore.Metrics[0].Value, 0.00005); // docs/RESULTS.md: EASE lambda=200 Recall@20
    }
}

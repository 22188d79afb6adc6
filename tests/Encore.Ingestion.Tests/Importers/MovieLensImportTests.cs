using Encore.Core;
using Encore.Ingestion.Importers;
using Encore.Storage;
using Encore.TestSupport;
using Xunit;

namespace Encore.Ingestion.Tests.Importers;

/// <summary>MovieLens folders imported into a real SQLite store through the ingestion pipeline.</summary>
public sealed class MovieLensImportTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Fixture_import_stores_catalogue_members_and_rating_events_once()
    {
        using var temp = new TempFolder();
        var folder = Fixtures.Ml100k(temp.Path);
        await using var store = await SqliteEventStore.OpenAsync(temp.File("encore.db"), Ct);
        var runner = new ImportRunner(store);

        var first = await runner.ImportAsync(folder, null, Ct);
        var second = await runner.ImportAsync(folder, null, Ct);

        Assert.Equal("MovieLens 100K", first.Format);
        Assert.Equal((3, 2, 4L, 4L, 0L), (first.Titles, first.Members, first.EventsRead, first.Imported, first.Duplicates));
        Assert.Equal((0L, 4L), (second.Imported, second.Duplicates));
        Assert.Equal((2L, 3L), (first.NewMembers, first.NewTitles));
        Assert.Equal((2, 0L, 0L), (second.Members, second.NewMembers, second.NewTitles));
        var events = new List<ViewingEvent>();
        await foreach (var e in store.ReadEventsAsync(new EventQuery { MemberId = "1" }, Ct)) events.Add(e);
        var toyStory = Assert.Single(events, e => e.TitleId == "1");
        Assert.Equal("ml-100k:u1:i1", toyStory.EventId);
        Assert.Equal((EventKind.Rating, DeviceKind.Web, 5.0), (toyStory.Kind, toyStory.Device, toyStory.Rating!.Value));
        Assert.Equal(DateTime.UnixEpoch.AddSeconds(874965758), toyStory.TimestampUtc);
        Assert.Equal("ml-100k:u1:1997-09-22", toyStory.SessionId);
        Assert.Equal("Misérables, Les (1995)", (await store.GetTitleAsync("2", Ct))!.Name);
    }

    [Fact]
    public async Task Ratings_of_titles_missing_from_the_catalogue_are_rejected_and_counted()
    {
        using var temp = new TempFolder();
        var folder = Fixtures.Ml100k(temp.Path, "1\t1\t5\t874965758\n2\t42\t4\t888550871\n");
        await using var store = await SqliteEventStore.OpenAsync(temp.File("encore.db"), Ct);

        var summary = await new ImportRunner(store, new ImportOptions { OnError = ImportErrorMode.Skip }).ImportAsync(folder, null, Ct);
        var stop = await Assert.ThrowsAsync<ImportException>(() => new ImportRunner(store).ImportAsync(folder, null, Ct));

        Assert.Equal((1L, 1L), (summary.Imported, summary.Rejected));
        var problem = Assert.Single(summary.Problems);
        Assert.EndsWith("u.data", problem.File);
        Assert.StartsWith("title_id:", problem.Reason);
        Assert.Contains("ml-100k:u2:i42", problem.Reason);
        Assert.Contains("ml-100k:u2:i42", stop.Reason);
    }

    /// <summary>A 100K-layout folder with <paramref name="titles"/> titles (so that many distinct ratings can be valid) and the given u.data.</summary>
    private static string Ml100kWithTitles(string root, int titles, string uData)
    {
        var folder = Fixtures.Ml100k(root, uData);
        Fixtures.WriteLatin1(folder, "u.item", string.Concat(Enumerable.Range(1, titles).Select(i =>
            $"{i}|Film {i} (1995)|01-Jan-1995||http://x|0|0|0|0|0|0|0|0|1|0|0|0|0|0|0|0|0|0|0\n")));
        return folder;
    }

    private static async Task<List<string>> StoredIdsAsync(SqliteEventStore store)
    {
        var ids = new List<string>();
        await foreach (var e in store.ReadEventsAsync(EventQuery.All, Ct)) ids.Add(e.EventId);
        ids.Sort(StringComparer.Ordinal);
        return ids;
    }

    [Fact]
    public async Task A_corrupt_ratings_line_under_stop_keeps_every_rating_before_it()
    {
        using var temp = new TempFolder();
        // Eleven ratings; line 8 is corrupt. Batches of 3: two full ones and a partial one precede it.
        var lines = Enumerable.Range(1, 11).Select(i => i == 8 ? "1\t8\tfive\t874965758" : $"1\t{i}\t4\t{874965758 + i}");
        var folder = Ml100kWithTitles(temp.Path, 11, string.Join("\n", lines) + "\n");
        await using var store = await SqliteEventStore.OpenAsync(temp.File("encore.db"), Ct);

        var e = await Assert.ThrowsAsync<ImportException>(() => new ImportRunner(store, new ImportOptions { BatchSize = 3 }).ImportAsync(folder, null, Ct));

        Assert.Equal((Path.Combine(folder, "u.data"), 8L), (e.File, e.Line));
        Assert.Contains("rating 'five' is not a number", e.Reason);
        Assert.Equal([.. Enumerable.Range(1, 7).Select(i => $"ml-100k:u1:i{i}").Order(StringComparer.Ordinal)], await StoredIdsAsync(store));
        Assert.Equal((7L, 7L, 11, 2), (e.Summary!.EventsRead, e.Summary.Imported, e.Summary.Titles, e.Summary.Members));
    }

    [Fact]
    public async Task Rejected_ratings_are_reported_at_their_real_line()
    {
        using var temp = new TempFolder();
        // A blank line 2 shifts the file's lines against the ratings: line 4 names title 42, which is not in u.item.
        var folder = Fixtures.Ml100k(temp.Path, "1\t1\t5\t874965758\n\n1\t2\t3\t876893171\n2\t42\t4\t888550871\n2\t3\t1\t888551000\n");
        await using var store = await SqliteEventStore.OpenAsync(temp.File("encore.db"), Ct);

        var skip = await new ImportRunner(store, new ImportOptions { OnError = ImportErrorMode.Skip }).ImportAsync(folder, null, Ct);
        var stop = await Assert.ThrowsAsync<ImportException>(() => new ImportRunner(store).ImportAsync(folder, null, Ct));

        var problem = Assert.Single(skip.Problems);
        Assert.Equal((Path.Combine(folder, "u.data"), 4L), (problem.File, problem.Line));
        Assert.StartsWith("title_id: unknown title '42'", problem.Reason);
        Assert.Equal(4, stop.Line);
        Assert.Equal((3L, 1L), (skip.Imported, skip.Rejected));
    }

    [Fact]
    public async Task A_bad_catalogue_line_under_stop_keeps_the_titles_before_it_and_no_ratings()
    {
        using var temp = new TempFolder();
        var folder = Fixtures.Ml100k(temp.Path);
        Fixtures.WriteLatin1(folder, "u.item",
            "1|Toy Story (1995)|01-Jan-1995||http://x|0|0|0|1|1|1|0|0|0|0|0|0|0|0|0|0|0|0|0\n" +
            "2|Heat (1995)|01-Jan-1995||http://x|0|1|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0\n" +
            "3|Broken (1995)|someday||http://x|0|1|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0\n");
        await using var store = await SqliteEventStore.OpenAsync(temp.File("encore.db"), Ct);

        var e = await Assert.ThrowsAsync<ImportException>(() => new ImportRunner(store).ImportAsync(folder, null, Ct));

        Assert.EndsWith("u.item", e.File);
        Assert.Equal(3, e.Line);
        Assert.Equal((2, 0, 0L), (e.Summary!.Titles, e.Summary.Members, e.Summary.Imported));
        Assert.NotNull(await store.GetTitleAsync("2", Ct));
        Assert.Null(await store.GetTitleAsync("3", Ct));
        Assert.Empty(await StoredIdsAsync(store));
    }

    [Fact]
    public async Task Latest_ratings_stream_with_their_lines_and_raters_become_members_even_when_unknown_members_are_rejected()
    {
        using var temp = new TempFolder();
        var folder = Directory.CreateDirectory(Path.Combine(temp.Path, "ml-latest-small")).FullName;
        Fixtures.WriteUtf8(folder, "movies.csv", "movieId,title,genres\n1,Toy Story (1995),Comedy\n2,Heat (1995),Action\n");
        Fixtures.WriteUtf8(folder, "ratings.csv", "userId,movieId,rating,timestamp\n1,1,4.0,964982703\n1,2,3.5,964982704\n7,9,4.0,964982705\n7,2,0.5,964982706\n9,1,5.0,964982707\n");
        await using var store = await SqliteEventStore.OpenAsync(temp.File("encore.db"), Ct);
        var runner = new ImportRunner(store, new ImportOptions { OnError = ImportErrorMode.Skip, BatchSize = 2 },
            new IngestionOptions { UnknownMembers = UnknownMemberPolicy.Reject });

        var first = await runner.ImportAsync(folder, null, Ct);
        var again = await runner.ImportAsync(folder, null, Ct);

        Assert.Equal((2, 3, 4L, 1L), (first.Titles, first.Members, first.Imported, first.Rejected));
        Assert.Equal(4, Assert.Single(first.Problems).Line);
        Assert.Equal((0, 0L, 4L), (again.Members, again.Imported, again.Duplicates));
        Assert.Equal(3, (await store.GetStatisticsAsync(Ct)).Members);
    }

    [Fact]
    public async Task An_empty_ratings_file_imports_the_catalogue_and_says_it_held_no_events()
    {
        using var temp = new TempFolder();
        var folder = Fixtures.Ml100k(temp.Path, "\n");
        await using var store = await SqliteEventStore.OpenAsync(temp.File("encore.db"), Ct);

        var summary = await new ImportRunner(store).ImportAsync(folder, null, Ct);

        Assert.Equal((3, 2, 0L), (summary.Titles, summary.Members, summary.EventsRead));
        Assert.Equal([Path.Combine(folder, "u.data")], summary.EmptyFiles);
    }

    [Fact]
    public async Task Real_MovieLens_100k_imports_into_sqlite()
    {
        var folder = SharedData.RequireMl100k();
        using var temp = new TempFolder();
        await using var store = await SqliteEventStore.OpenAsync(temp.File("encore.db"), Ct);

        var summary = await new ImportRunner(store).ImportAsync(folder, null, Ct);
        var stats = await store.GetStatisticsAsync(Ct);

        Assert.Equal((100_000L, 0L, 0L), (summary.Imported, summary.Rejected, summary.Skipped));
        Assert.Equal((943L, 1_682L, 100_000L), (stats.Members, stats.Titles, stats.Events));
        Assert.Equal(100_000L, stats.EventsByKind[EventKind.Rating]);
        Assert.Equal(new DateTime(1997, 9, 20, 3, 5, 10, DateTimeKind.Utc), stats.FirstEventUtc);
        Assert.Equal(new DateTime(1998, 4, 22, 23, 10, 38, DateTimeKind.Utc), stats.LastEventUtc);
        Assert.Equal("Misérables, Les (1995)", (await store.GetTitleAsync("543", Ct))!.Name);
    }
}

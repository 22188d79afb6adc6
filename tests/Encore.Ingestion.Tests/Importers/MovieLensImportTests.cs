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

using Encore.Core;
using Encore.Ingestion.Importers;
using Encore.Storage;
using Encore.TestSupport;
using Xunit;

namespace Encore.Ingestion.Tests.Importers;

public sealed class EventFieldsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("2024-05-01T20:15:00Z", "2024-05-01T20:15:00")]
    [InlineData("2024-05-01T22:15:00+02:00", "2024-05-01T20:15:00")]
    [InlineData("2024-05-01 20:15:00", "2024-05-01T20:15:00")]      // no zone: read as UTC
    [InlineData("1714594500", "2024-05-01T20:15:00")]
    [InlineData("1714594500.25", "2024-05-01T20:15:00.25")]
    public void Timestamps_in_iso_8601_or_unix_seconds_become_utc(string text, string expected)
    {
        var json = $"{{\"event_id\":\"e\",\"kind\":\"rating\",\"member_id\":\"m\",\"device\":\"web\",\"session_id\":\"s\",\"timestamp\":\"{text}\"}}";

        var parsed = new ViewingEventJson().Parse(System.Text.Encoding.UTF8.GetBytes(json));

        Assert.Equal(DateTime.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), parsed.TimestampUtc);
        Assert.Equal(DateTimeKind.Utc, parsed.TimestampUtc.Kind);
    }

    [Fact]
    public void Validation_property_names_map_back_to_file_field_names()
    {
        Assert.Equal("position", EventFields.FromPropertyName(nameof(ViewingEvent.PositionSeconds)));
        Assert.Equal("seek_from", EventFields.FromPropertyName(nameof(ViewingEvent.SeekFromSeconds)));
        Assert.Equal("timestamp", EventFields.FromPropertyName(nameof(ViewingEvent.TimestampUtc)));
        Assert.Equal(EventFields.All.Count, typeof(ViewingEvent).GetProperties().Length);
    }

    [Fact]
    public async Task Import_honours_cancellation()
    {
        var folder = SharedData.RequireMl100k();
        using var temp = new TempFolder();
        await using var store = await SqliteEventStore.OpenAsync(temp.File("encore.db"), Ct);
        using var cancel = new CancellationTokenSource();
        var progress = new CancelOnFirstBatch(cancel);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => new ImportRunner(store).ImportAsync(folder, progress, cancel.Token));

        var stats = await store.GetStatisticsAsync(Ct);
        Assert.InRange(stats.Events, 1, 99_999);
    }

    private sealed class CancelOnFirstBatch(CancellationTokenSource cancel) : IProgress<ImportProgress>
    {
        public void Report(ImportProgress value)
        {
            if (value.EventsImported > 0) cancel.Cancel();
        }
    }
}

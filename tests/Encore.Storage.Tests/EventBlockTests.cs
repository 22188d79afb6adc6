using Encore.Core;
using Xunit;

namespace Encore.Storage.Tests;

/// <summary>The binary block of events: every field round-trips exactly, a subset of rows decodes alone, and damage is named.</summary>
public sealed class EventBlockTests
{
    private static EventColumns Sample()
    {
        var events = new EventColumns();
        var search = StoreSamples.Event("søk-1", EventKind.Search, title: null) with { Query = "Amélie 🎬", ResultsShown = ["a", "ü", ""] };
        var impression = StoreSamples.Event("0f8fad5b-d9cb-469f-a165-70867728950e", EventKind.Impression) with { Row = "top-picks", RowPosition = 3, Propensity = 0.125 };
        var seek = StoreSamples.Event("seek", EventKind.Seek) with { PositionSeconds = 1e-300, SeekFromSeconds = double.MaxValue };
        var rating = StoreSamples.Event("rating", EventKind.Rating) with { Rating = 4.5 };
        var pause = StoreSamples.Event("pause", EventKind.Pause) with { PositionSeconds = 0, PauseSeconds = 30 };
        long seq = 1_000_000_000_000;
        foreach (var (e, i) in new[] { search, impression, seek, rating, pause }.Select((e, i) => (e, i)))
        {
            // Times jump backwards and sessions far apart: the deltas are signed.
            events.Add(e, EncodedEventId.From(e.EventId), seq + i * 7, 1_700_000_000_000 - i * 86_400_000L, int.MaxValue - i, e.TitleId is null ? 0 : 5, i == 2 ? 9 : 0, long.MaxValue / (i + 1));
        }
        return events;
    }

    private static List<string> Describe(EventColumns c) => Enumerable.Range(0, c.Count).Select(i =>
        string.Join("|", c.EventId(i), c.Seq[i], c.Ts[i], c.Session[i], c.Member[i], c.Title[i], c.Episode[i], c.Kind[i], c.Device[i], c.Fields[i],
            c.Has(i, EventFields.Position) ? c.Position[i].ToString("R") : "-", c.Has(i, EventFields.Rating) ? c.Rating[i].ToString("R") : "-",
            c.Has(i, EventFields.Pause) ? c.Pause[i].ToString("R") : "-", c.Has(i, EventFields.SeekFrom) ? c.SeekFrom[i].ToString("R") : "-",
            c.Has(i, EventFields.Propensity) ? c.Propensity[i].ToString("R") : "-", c.Has(i, EventFields.RowPosition) ? c.RowPosition[i] : "-",
            c.Query[i] ?? "-", c.Row[i] ?? "-", c.Results[i] is { } r ? string.Join(",", r) : "-")).ToList();

    [Fact]
    public void Every_field_round_trips_exactly()
    {
        var events = Sample();
        byte[] buffer = [];
        int length = EventBlock.Encode(events, [0, 1, 2, 3, 4], ref buffer);
        var decoded = new EventColumns();
        EventBlock.Decode(buffer.AsSpan(0, length), decoded, "test block");
        Assert.Equal(Describe(events), Describe(decoded));
    }

    [Fact]
    public void A_subset_of_rows_decodes_to_the_same_rows()
    {
        var events = Sample();
        byte[] buffer = [];
        int length = EventBlock.Encode(events, [4, 3, 2, 1, 0], ref buffer);
        var all = new EventColumns();
        EventBlock.Decode(buffer.AsSpan(0, length), all, "test block");
        var some = new EventColumns();
        EventBlock.Decode(buffer.AsSpan(0, length), some, "test block", [1, 4]);
        Assert.Equal(new[] { Describe(all)[1], Describe(all)[4] }, Describe(some));
    }

    [Fact]
    public void A_damaged_block_is_refused_with_its_name()
    {
        var events = Sample();
        byte[] buffer = [];
        int length = EventBlock.Encode(events, [0, 1, 2, 3, 4], ref buffer);
        var error = Assert.Throws<InvalidDataException>(() => EventBlock.Decode(buffer.AsSpan(0, length - 3), new EventColumns(), "block 7 of segment 2"));
        Assert.Contains("block 7 of segment 2", error.Message, StringComparison.Ordinal);
        buffer[0] = 99;
        error = Assert.Throws<InvalidDataException>(() => EventBlock.Decode(buffer.AsSpan(0, length), new EventColumns(), "block 7 of segment 2"));
        Assert.Contains("unknown block format", error.Message, StringComparison.Ordinal);
    }
}

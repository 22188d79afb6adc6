using Encore.Core;
using Encore.Ingestion.Importers;
using Encore.Storage;
using Encore.TestSupport;
using Xunit;

namespace Encore.Ingestion.Tests.Importers;

/// <summary>Generic event files (JSON Lines and CSV) and titles files imported into a real SQLite store.</summary>
public sealed class EventFileImportTests : IAsyncLifetime
{
    private readonly TempFolder _temp = new();
    private SqliteEventStore _store = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _store = await SqliteEventStore.OpenAsync(_temp.File("encore.db"), Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _store.DisposeAsync();
        _temp.Dispose();
    }

    private const string TitlesJsonl =
        """
        {"id":"t1","name":"Heat","kind":"film","runtime_seconds":10200,"genres":["Crime","Drama"],"directors":["Michael Mann"],"release_date":"1995-12-15","language":"en"}
        {"id":"s1","name":"Dark","kind":"series","runtime_seconds":3300,"genres":["Sci-Fi"],"seasons":[{"number":1,"episodes":[{"id":"s1e1","number":1,"name":"Secrets","runtime_seconds":3060},{"id":"s1e2","number":2,"name":"Lies","runtime_seconds":2700}]}]}
        {"id":"t2","name":"Amélie","genres":["Comedy"],"cast":["Audrey Tautou"]}

        """;

    private string WriteCatalogue() => Fixtures.WriteUtf8(_temp.Path, "titles.jsonl", TitlesJsonl);

    private async Task<ImportSummary> ImportAsync(string path, ImportErrorMode mode = ImportErrorMode.Stop, List<ImportProgress>? progress = null)
    {
        var runner = new ImportRunner(_store, new ImportOptions { OnError = mode, BatchSize = 3 });
        return await runner.ImportAsync(path, progress is null ? null : new ListProgress(progress), Ct);
    }

    private async Task<List<ViewingEvent>> StoredEventsAsync()
    {
        var events = new List<ViewingEvent>();
        await foreach (var e in _store.ReadEventsAsync(EventQuery.All, Ct)) events.Add(e);
        return events;
    }

    [Fact]
    public async Task Titles_file_fills_the_catalogue_with_series_and_episodes()
    {
        var summary = await ImportAsync(WriteCatalogue());

        Assert.Equal("titles (JSON Lines)", summary.Format);
        Assert.Equal(3, summary.Titles);
        var dark = await _store.GetTitleAsync("s1", Ct);
        Assert.NotNull(dark);
        Assert.Equal(TitleKind.Series, dark.Kind);
        Assert.Equal(["s1e1", "s1e2"], dark.Episodes.Select(e => e.Id));
        var amelie = await _store.GetTitleAsync("t2", Ct);
        Assert.Equal("Amélie", amelie!.Name);
        Assert.Equal(new DateOnly(1995, 12, 15), (await _store.GetTitleAsync("t1", Ct))!.ReleaseDate);
    }

    [Fact]
    public async Task Json_lines_events_of_every_field_round_trip_through_the_store()
    {
        await ImportAsync(WriteCatalogue());
        var path = Fixtures.WriteUtf8(_temp.Path, "events.jsonl",
            """
            {"event_id":"e1","kind":"play_start","member_id":"m1","title_id":"s1","episode_id":"s1e1","device":"tv","timestamp":"2024-05-01T20:00:00Z","session_id":"x1","position":0}
            {"event_id":"e2","kind":"pause","member_id":"m1","title_id":"s1","episode_id":"s1e1","device":"tv","timestamp":"2024-05-01T20:10:00+02:00","session_id":"x1","position":600,"pause_seconds":45.5}
            {"event_id":"e3","kind":"seek","member_id":"m1","title_id":"s1","episode_id":"s1e1","device":"TV","timestamp":1714594500,"session_id":"x1","position":900,"seek_from":620,"extra":{"ignored":[1,2]}}
            {"event_id":"e4","kind":"search","member_id":"m2","device":"phone","timestamp":"2024-05-02T08:00:00Z","session_id":"x2","query":"heat, \"mann\"","results_shown":["t1","t2"],"title_id":null}
            {"event_id":"e5","kind":"impression","member_id":"m2","title_id":"t2","device":"web","timestamp":"2024-05-02T08:00:01Z","session_id":"x2","row":"top-picks","row_position":3,"propensity":0.25}
            {"event_id":"e6","kind":"rating","member_id":"m2","title_id":"t1","device":"tablet","timestamp":"2024-05-02T09:00:00Z","session_id":"x3","rating":4.5}
            """);
        var progress = new List<ImportProgress>();

        var summary = await ImportAsync(path, progress: progress);

        Assert.Equal("events (JSON Lines)", summary.Format);
        Assert.Equal((6L, 6L, 0L, 0L, 0L), (summary.EventsRead, summary.Imported, summary.Duplicates, summary.Rejected, summary.Skipped));
        var events = (await StoredEventsAsync()).ToDictionary(e => e.EventId);
        Assert.Equal(new DateTime(2024, 5, 1, 18, 10, 0, DateTimeKind.Utc), events["e2"].TimestampUtc);
        Assert.Equal(45.5, events["e2"].PauseSeconds);
        Assert.Equal(DateTime.UnixEpoch.AddSeconds(1714594500), events["e3"].TimestampUtc);
        Assert.Equal((900.0, 620.0), (events["e3"].PositionSeconds!.Value, events["e3"].SeekFromSeconds!.Value));
        Assert.Equal("heat, \"mann\"", events["e4"].Query);
        Assert.Equal(["t1", "t2"], events["e4"].ResultsShown!);
        Assert.Null(events["e4"].TitleId);
        Assert.Equal(("top-picks", 3, 0.25), (events["e5"].Row, events["e5"].RowPosition!.Value, events["e5"].Propensity!.Value));
        Assert.Equal((EventKind.Rating, DeviceKind.Tablet, 4.5), (events["e6"].Kind, events["e6"].Device, events["e6"].Rating!.Value));
        var last = progress[^1];
        Assert.Equal(last.Total, last.Done);
        Assert.Equal(6, last.EventsImported);
    }

    [Fact]
    public async Task Csv_events_with_quotes_crlf_and_any_column_order()
    {
        await ImportAsync(WriteCatalogue());
        var path = Fixtures.WriteUtf8(_temp.Path, "events.csv",
            "timestamp,kind,event_id,member_id,title_id,device,session_id,position,query,results_shown,rating,unused\r\n" +
            "2024-05-01T20:00:00Z,play_start,c1,m1,t1,tv,x1,0,,,,whatever\r\n" +
            "1714594500,stop,c2,m1,t1,tv,x1,5400.5,,,,\r\n" +
            "2024-05-02T08:00:00Z,search,c3,m2,,phone,x2,,\"heat, the \"\"film\"\"\",t1|t2,,\r\n" +
            "2024-05-02T09:00:00Z,rating,c4,m2,t2,web,x3,,,,3.5,\r\n");

        var summary = await ImportAsync(path);

        Assert.Equal("events (CSV)", summary.Format);
        Assert.Equal(4, summary.Imported);
        var events = (await StoredEventsAsync()).ToDictionary(e => e.EventId);
        Assert.Equal(5400.5, events["c2"].PositionSeconds);
        Assert.Equal("heat, the \"film\"", events["c3"].Query);
        Assert.Equal(["t1", "t2"], events["c3"].ResultsShown!);
        Assert.Equal(3.5, events["c4"].Rating);
    }

    [Fact]
    public async Task Malformed_json_lines_stop_the_import_at_their_line_after_storing_what_came_before()
    {
        await ImportAsync(WriteCatalogue());
        var path = Fixtures.WriteUtf8(_temp.Path, "events.jsonl",
            """
            {"event_id":"a1","kind":"play_start","member_id":"m1","title_id":"t1","device":"tv","timestamp":"2024-05-01T20:00:00Z","session_id":"x1","position":0}
            {"event_id":"a2","kind":"play_start","member_id":"m1","title_id":"t1","device":"tv","timestamp":"2024-05-01T20:00:00Z","session_id":"x1","position":"zero"}
            {"event_id":"a3","kind":"play_start","member_id":"m1","title_id":"t1","device":"tv","timestamp":"2024-05-01T20:00:00Z","session_id":"x1","position":0}
            """);

        var e = await Assert.ThrowsAsync<ImportException>(() => ImportAsync(path));

        Assert.Equal(path, e.File);
        Assert.Equal(2, e.Line);
        Assert.Equal("position: must be a number, found a string", e.Reason);
        Assert.Equal(["a1"], (await StoredEventsAsync()).Select(x => x.EventId));
    }

    [Fact]
    public async Task A_stopped_import_says_what_it_stored()
    {
        await ImportAsync(WriteCatalogue());
        const string ok = "\"kind\":\"search\",\"member_id\":\"m1\",\"device\":\"tv\",\"timestamp\":\"2024-05-01T20:00:00Z\",\"session_id\":\"x1\",\"query\":\"q\"";
        // Batches of 3: the bad line 6 comes after one full batch and two events of the next.
        var lines = Enumerable.Range(1, 8).Select(i => i == 6 ? "{\"event_id\":\"z6\"," + ok + ",}" : $"{{\"event_id\":\"z{i}\",{ok}}}");
        var path = Fixtures.WriteUtf8(_temp.Path, "events.jsonl", string.Join("\n", lines) + "\n");

        var e = await Assert.ThrowsAsync<ImportException>(() => ImportAsync(path));

        Assert.Equal(6, e.Line);
        Assert.NotNull(e.Summary);
        Assert.Equal((5L, 5L, 0L), (e.Summary.EventsRead, e.Summary.Imported, e.Summary.Skipped));
        Assert.Equal(["z1", "z2", "z3", "z4", "z5"], (await StoredEventsAsync()).Select(x => x.EventId).Order());
    }

    [Fact]
    public async Task A_titles_file_stopped_at_a_bad_line_keeps_the_titles_before_it()
    {
        var path = Fixtures.WriteUtf8(_temp.Path, "titles.jsonl",
            "{\"id\":\"t1\",\"name\":\"Heat\"}\n{\"id\":\"t2\",\"name\":\"Dark\"}\n{\"id\":\"t3\",\"name\":\"Up\"}\n{\"id\":\"t4\"}\n{\"id\":\"t5\",\"name\":\"Ran\"}\n");

        var e = await Assert.ThrowsAsync<ImportException>(() => ImportAsync(path));

        Assert.Equal(4, e.Line);
        Assert.StartsWith("name: missing", e.Reason);
        Assert.Equal(3, e.Summary!.Titles);
        Assert.NotNull(await _store.GetTitleAsync("t3", Ct));
        Assert.Null(await _store.GetTitleAsync("t5", Ct));
    }

    [Fact]
    public async Task Members_and_titles_registered_by_events_are_counted_as_new()
    {
        await ImportAsync(WriteCatalogue());
        static string Event(string id, string member, string title)
            => $"{{\"event_id\":\"{id}\",\"kind\":\"rating\",\"member_id\":\"{member}\",\"title_id\":\"{title}\",\"device\":\"web\",\"timestamp\":\"2024-05-01T20:00:00Z\",\"session_id\":\"x\",\"rating\":4}}";
        var known = Fixtures.WriteUtf8(_temp.Path, "known.jsonl", string.Join("\n", Event("n1", "m1", "t1"), Event("n2", "m2", "t2"), Event("n3", "m3", "t1"), Event("n4", "m1", "t2")));
        var unknown = Fixtures.WriteUtf8(_temp.Path, "unknown.jsonl", string.Join("\n", Event("n5", "m4", "new-1"), Event("n6", "m1", "new-2"), Event("n7", "m1", "new-1")));

        var members = await ImportAsync(known);
        var again = await ImportAsync(known);
        var titles = await new ImportRunner(_store, new ImportOptions(), new IngestionOptions { UnknownTitles = UnknownTitlePolicy.Register }).ImportAsync(unknown, null, Ct);

        Assert.Equal((0, 3L, 0L, 4L), (members.Members, members.NewMembers, members.NewTitles, members.Imported));
        Assert.Equal((0L, 0L), (again.NewMembers, again.NewTitles));
        Assert.Equal((1L, 2L, 3L), (titles.NewMembers, titles.NewTitles, titles.Imported));
        Assert.Equal("new-1", (await _store.GetTitleAsync("new-1", Ct))!.Name);
        var stats = await _store.GetStatisticsAsync(Ct);
        Assert.Equal((4L, 5L), (stats.Members, stats.Titles));
    }

    [Fact]
    public async Task Skip_mode_counts_every_kind_of_bad_line_and_rejected_event()
    {
        await ImportAsync(WriteCatalogue());
        const string ok = "\"kind\":\"play_start\",\"member_id\":\"m1\",\"title_id\":\"t1\",\"device\":\"tv\",\"timestamp\":\"2024-05-01T20:00:00Z\",\"session_id\":\"x1\"";
        var lines = new[]
        {
            "{\"event_id\":\"b1\"," + ok + "}",                                   // 1 fine
            "{\"event_id\":\"b2\"," + ok + ",}",                                  // 2 trailing comma
            "not json at all",                                                   // 3
            "{\"event_id\":\"b4\"," + ok.Replace("play_start", "teleport") + "}", // 4 unknown kind
            "{\"event_id\":\"b5\"," + ok.Replace("\"tv\"", "\"fridge\"") + "}",   // 5 unknown device
            "{\"event_id\":\"b6\",\"kind\":\"play_start\",\"member_id\":\"m1\",\"device\":\"tv\",\"timestamp\":\"2024-05-01T20:00:00Z\"}", // 6 no session
            "{\"event_id\":\"b7\"," + ok + ",\"position\":1e400}",                // 7 huge number
            "{\"event_id\":\"b8\"," + ok + ",\"row_position\":99999999999}",      // 8 beyond 32 bits
            "{\"event_id\":\"b9\"," + ok.Replace("2024-05-01T20:00:00Z", "yesterday") + "}", // 9 bad time
            "{\"event_id\":\"b10\"," + ok.Replace("\"t1\"", "\"nope\"") + "}",    // 10 unknown title: rejected by validation
            "{\"event_id\":\"b11\"," + ok + "} {\"x\":1}",                        // 11 two values
            "[1,2,3]",                                                           // 12 not an object
            "{\"event_id\":\"b1\"," + ok + "}",                                   // 13 duplicate id
        };
        var path = Fixtures.WriteUtf8(_temp.Path, "events.jsonl", string.Join("\n", lines) + "\n\n");

        var summary = await ImportAsync(path, ImportErrorMode.Skip);

        Assert.Equal(1, summary.Imported);
        Assert.Equal(1, summary.Duplicates);
        Assert.Equal(1, summary.Rejected);
        Assert.Equal(10, summary.Skipped);
        Assert.Equal([2L, 3, 4, 5, 6, 7, 8, 9, 11, 12, 10], summary.Problems.Select(p => p.Line));
        var byLine = summary.Problems.ToDictionary(p => p.Line, p => p.Reason);
        Assert.StartsWith("invalid JSON", byLine[2]);
        Assert.StartsWith("kind: 'teleport' is not an event kind", byLine[4]);
        Assert.StartsWith("device: 'fridge' is not a device", byLine[5]);
        Assert.StartsWith("session_id: missing", byLine[6]);
        Assert.StartsWith("position:", byLine[7]);
        Assert.StartsWith("row_position: must be a 32-bit integer", byLine[8]);
        Assert.StartsWith("timestamp: 'yesterday'", byLine[9]);
        Assert.StartsWith("title_id:", byLine[10]);
        Assert.Contains("(event b10)", byLine[10]);
        Assert.StartsWith("expected a JSON object", byLine[12]);
    }

    [Fact]
    public async Task Invalid_utf8_in_a_json_line_is_reported_at_that_line()
    {
        await ImportAsync(WriteCatalogue());
        var good = "{\"event_id\":\"u1\",\"kind\":\"search\",\"member_id\":\"m1\",\"device\":\"web\",\"timestamp\":\"2024-05-01T20:00:00Z\",\"session_id\":\"x\",\"query\":\"";
        byte[] bytes = [.. System.Text.Encoding.UTF8.GetBytes(good + "ok\"}\n"), .. System.Text.Encoding.UTF8.GetBytes(good.Replace("u1", "u2")), .. System.Text.Encoding.Latin1.GetBytes("Amélie\"}\n")];
        var path = Fixtures.WriteBytes(_temp.Path, "latin1.jsonl", bytes);

        var e = await Assert.ThrowsAsync<ImportException>(() => ImportAsync(path));

        Assert.Equal(2, e.Line);
        Assert.Contains("invalid UTF-8: byte 0xE9", e.Reason);
    }

    [Fact]
    public async Task Invalid_utf8_in_a_csv_stops_at_its_line_or_is_skipped_like_any_malformed_line()
    {
        await ImportAsync(WriteCatalogue());
        byte[] bytes = System.Text.Encoding.Latin1.GetBytes(
            "event_id,kind,member_id,device,timestamp,session_id,query\n" +
            "s1,search,m1,web,2024-05-01T20:00:00Z,x,heat\n" +
            "s2,search,m1,web,2024-05-01T20:00:00Z,x,amélie\n" +
            "s3,search,m1,web,2024-05-01T20:00:00Z,x,ran\n");
        var path = Fixtures.WriteBytes(_temp.Path, "latin1.csv", bytes);

        var stop = await Assert.ThrowsAsync<ImportException>(() => ImportAsync(path));
        var stored = (await StoredEventsAsync()).Select(x => x.EventId).ToList();
        var skip = await ImportAsync(path, ImportErrorMode.Skip);

        Assert.Equal(3, stop.Line);
        Assert.True(stop.Skippable);
        Assert.Equal("invalid UTF-8: byte 0xE9 at byte 43 of the line (the file must be UTF-8; was it saved as Latin-1 or Windows-1252?)", stop.Reason);
        Assert.Equal(["s1"], stored);
        Assert.Equal((1L, 1L), (skip.Imported, skip.Skipped));
        Assert.Equal(3, Assert.Single(skip.Problems).Line);
        Assert.Equal(["s1", "s3"], (await StoredEventsAsync()).Select(x => x.EventId).Order());
    }

    [Fact]
    public async Task Invalid_utf8_far_into_a_csv_keeps_every_row_before_it()
    {
        // The issue's file: 50,000 good rows, then a Latin-1 byte on line 50,002 (a decoder working a buffer ahead
        // of the rows once threw there and lost the last few hundred good rows before it).
        var text = new System.Text.StringBuilder("event_id,kind,member_id,device,timestamp,session_id,query\n");
        for (int i = 1; i <= 50_000; i++) text.Append("g").Append(i).Append(",search,m").Append(i % 97).Append(",web,2024-05-01T20:00:00Z,x,heat\n");
        byte[] bytes = [.. System.Text.Encoding.UTF8.GetBytes(text.ToString()),
            .. System.Text.Encoding.Latin1.GetBytes("bad,search,m1,web,2024-05-01T20:00:00Z,x,amélie\n"),
            .. System.Text.Encoding.UTF8.GetBytes("after1,search,m1,web,2024-05-01T20:00:00Z,x,up\nafter2,search,m1,web,2024-05-01T20:00:00Z,x,ran\n")];
        var path = Fixtures.WriteBytes(_temp.Path, "big.csv", bytes);
        var options = new ImportOptions { BatchSize = 5_000 };

        var stop = await Assert.ThrowsAsync<ImportException>(() => new ImportRunner(_store, options).ImportAsync(path, null, Ct));
        long storedAtStop = (await _store.GetStatisticsAsync(Ct)).Events;
        var skip = await new ImportRunner(_store, options with { OnError = ImportErrorMode.Skip }).ImportAsync(path, null, Ct);

        Assert.Equal(50_002, stop.Line);
        Assert.StartsWith("invalid UTF-8: byte 0xE9 at byte 44 of the line", stop.Reason);
        Assert.Equal(50_000, storedAtStop);
        Assert.Equal(50_000, stop.Summary!.Imported);
        Assert.Equal((50_002L, 2L, 50_000L, 1L), (skip.EventsRead, skip.Imported, skip.Duplicates, skip.Skipped));
        Assert.Equal(50_002, Assert.Single(skip.Problems).Line);
        Assert.Equal(50_002, (await _store.GetStatisticsAsync(Ct)).Events);
    }

    [Fact]
    public async Task A_csv_may_hold_replacement_characters_written_on_purpose()
    {
        var path = Fixtures.WriteUtf8(_temp.Path, "fffd.csv",
            "event_id,kind,member_id,device,timestamp,session_id,query\r\n" +
            "r1,search,m1,web,2024-05-01T20:00:00Z,x,\"broken \uFFFD glyph\"\r\n");

        var summary = await ImportAsync(path);

        Assert.Equal((1L, 0L), (summary.Imported, summary.Skipped));
        Assert.Equal("broken \uFFFD glyph", Assert.Single(await StoredEventsAsync()).Query);
    }

    [Fact]
    public async Task Invalid_utf8_is_reported_at_its_own_line_inside_a_quoted_row_and_with_lone_cr_line_ends()
    {
        byte[] bytes = [.. "event_id,kind,member_id,device,timestamp,session_id,query\r"u8,
            .. "q1,search,m1,web,2024-05-01T20:00:00Z,x,\"two\rlines\"\r"u8,
            .. "q2,search,m1,web,2024-05-01T20:00:00Z,x,\"first line\r"u8, 0xE9, .. "\"\r"u8,
            .. "q3,search,m1,web,2024-05-01T20:00:00Z,x,fine\r"u8];
        var path = Fixtures.WriteBytes(_temp.Path, "cr.csv", bytes);

        var summary = await ImportAsync(path, ImportErrorMode.Skip);

        Assert.Equal((2L, 1L), (summary.Imported, summary.Skipped));
        var problem = Assert.Single(summary.Problems);
        Assert.Equal(5, problem.Line);
        Assert.StartsWith("invalid UTF-8: byte 0xE9 at byte 1 of the line", problem.Reason);
        Assert.Equal(["q1", "q3"], (await StoredEventsAsync()).Select(x => x.EventId).Order());
    }

    [Fact]
    public async Task A_csv_header_that_is_not_utf8_is_an_error_about_the_file()
    {
        byte[] bytes = [.. "event_id,kind,member_id,device,timestamp,session_id,qu"u8, 0xE9, .. "ry\ns1,search,m1,web,2024-05-01T20:00:00Z,x,heat\n"u8];
        var path = Fixtures.WriteBytes(_temp.Path, "header.csv", bytes);

        var e = await Assert.ThrowsAsync<ImportException>(() => ImportAsync(path, ImportErrorMode.Skip));

        Assert.Equal(1, e.Line);
        Assert.False(e.Skippable);
        Assert.Contains("invalid UTF-8: byte 0xE9", e.Reason);
    }

    [Fact]
    public async Task Csv_header_without_required_columns_is_an_error()
    {
        var path = Fixtures.WriteUtf8(_temp.Path, "events.csv", "event_id,kind,member_id\ne1,rating,m1\n");

        var e = await Assert.ThrowsAsync<ImportException>(() => ImportAsync(path));

        Assert.Equal(1, e.Line);
        Assert.Contains("device, timestamp, session_id", e.Reason);
    }

    [Fact]
    public async Task Csv_header_naming_a_column_twice_is_an_error()
    {
        var path = Fixtures.WriteUtf8(_temp.Path, "events.csv", "event_id,kind,kind\ne1,rating,rating\n");

        var e = await Assert.ThrowsAsync<ImportException>(() => ImportAsync(path));

        Assert.Equal(1, e.Line);
        Assert.StartsWith("bad header:", e.Reason);
    }

    [Fact]
    public async Task Csv_rows_with_wrong_field_counts_or_values_are_skipped()
    {
        await ImportAsync(WriteCatalogue());
        var path = Fixtures.WriteUtf8(_temp.Path, "events.csv",
            "event_id,kind,member_id,title_id,device,timestamp,session_id,rating\n" +
            "r1,rating,m1,t1,web,2024-05-01T20:00:00Z,x,4\n" +
            "r2,rating,m1,t1,web,2024-05-01T20:00:00Z,x\n" +
            "r3,rating,m1,t1,web,2024-05-01T20:00:00Z,x,lots\n" +
            "r4,rating,m1,t1,web,99999999999999,x,4\n" +
            "r5,rating,m1,t2,web,2024-05-01T20:00:00Z,x,3\n");

        var summary = await ImportAsync(path, ImportErrorMode.Skip);

        Assert.Equal(2, summary.Imported);
        Assert.Equal(3, summary.Skipped);
        Assert.Equal([3L, 4, 5], summary.Problems.Select(p => p.Line));
        Assert.Contains("expected 8 fields", summary.Problems[0].Reason);
        Assert.StartsWith("rating: 'lots' is not a number", summary.Problems[1].Reason);
        Assert.Contains("outside 1970..9999", summary.Problems[2].Reason);
    }

    [Theory]
    [InlineData("jsonl")]
    [InlineData("csv")]
    public async Task Megabyte_ids_are_reported_with_their_field_line_and_length_in_a_short_message(string format)
    {
        await ImportAsync(WriteCatalogue());
        var huge = new string('x', 1024 * 1024);
        (string EventId, string MemberId, string TitleId)[] rows =
        [
            (huge, "m1", "t1"),
            ("e2", huge, "t1"),
            ("e3", "m1", huge),
            (huge, huge, huge),
        ];
        string Line((string EventId, string MemberId, string TitleId) r) => format == "csv"
            ? $"{r.EventId},rating,{r.MemberId},{r.TitleId},web,2024-05-01T20:00:00Z,x,4"
            : $"{{\"event_id\":\"{r.EventId}\",\"kind\":\"rating\",\"member_id\":\"{r.MemberId}\",\"title_id\":\"{r.TitleId}\",\"device\":\"web\",\"timestamp\":\"2024-05-01T20:00:00Z\",\"session_id\":\"x\",\"rating\":4}}";
        var header = format == "csv" ? "event_id,kind,member_id,title_id,device,timestamp,session_id,rating\n" : "";
        var path = Fixtures.WriteUtf8(_temp.Path, "huge." + format, header + string.Join("\n", rows.Select(Line)) + "\n");
        int first = format == "csv" ? 2 : 1;

        var summary = await ImportAsync(path, ImportErrorMode.Skip);
        var stop = await Assert.ThrowsAsync<ImportException>(() => ImportAsync(path));

        Assert.Equal(4, summary.Rejected);
        string[] fields = ["event_id", "member_id", "title_id", "event_id"];
        for (int i = 0; i < rows.Length; i++)
        {
            var problem = summary.Problems[i];
            Assert.Equal(first + i, problem.Line);
            Assert.True(problem.Message.Length < 500, $"{problem.Message.Length} characters: {Head(problem.Message)}");
            Assert.StartsWith($"{path}:{first + i}: {fields[i]}: is 1048576 characters long", problem.Message);
        }
        Assert.EndsWith("(event xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx... (1,048,576 characters))", summary.Problems[0].Message);
        Assert.True(stop.Message.Length < 500, $"{stop.Message.Length} characters");
    }

    [Fact]
    public async Task A_megabyte_value_in_a_malformed_field_is_clipped()
    {
        var huge = new string('z', 1024 * 1024);
        var path = Fixtures.WriteUtf8(_temp.Path, "bad.csv",
            "event_id,kind,member_id,device,timestamp,session_id\n" +
            $"e1,{huge},m1,web,2024-05-01T20:00:00Z,x\n" +
            $"e2,search,m1,{huge},2024-05-01T20:00:00Z,x\n" +
            $"e3,search,m1,web,{huge},x\n");
        var titles = Fixtures.WriteUtf8(_temp.Path, "titles.jsonl",
            $"{{\"id\":\"t1\",\"name\":\"a\",\"kind\":\"{huge}\"}}\n{{\"id\":\"t2\",\"name\":\"b\",\"release_date\":\"{huge}\"}}\n");

        var summary = await ImportAsync(path, ImportErrorMode.Skip);
        var titleSummary = await ImportAsync(titles, ImportErrorMode.Skip);

        Assert.Equal(3, summary.Skipped);
        Assert.Equal(2, titleSummary.Skipped);
        Assert.All(summary.Problems.Concat(titleSummary.Problems), p =>
        {
            Assert.True(p.Message.Length < 500, $"{p.Message.Length} characters: {Head(p.Message)}");
            Assert.Contains("(1,048,576 characters)", p.Reason);
        });
        Assert.StartsWith("kind: 'zzz", summary.Problems[0].Reason);
        Assert.StartsWith("device: 'zzz", summary.Problems[1].Reason);
        Assert.StartsWith("timestamp: 'zzz", summary.Problems[2].Reason);
        Assert.StartsWith("kind: 'zzz", titleSummary.Problems[0].Reason);
        Assert.StartsWith("release_date: 'zzz", titleSummary.Problems[1].Reason);
    }

    [Fact]
    public async Task A_line_beyond_16_MiB_is_refused_without_reading_on()
    {
        var path = _temp.File("huge.jsonl");
        await File.WriteAllTextAsync(path, "{\"query\":\"" + new string('x', 17 * 1024 * 1024) + "\"}\n", Ct);

        var e = await Assert.ThrowsAsync<ImportException>(() => ImportAsync(path, ImportErrorMode.Skip));

        Assert.Equal(1, e.Line);
        Assert.Contains("longer than 16 MiB", e.Reason);
    }

    [Fact]
    public async Task Byte_order_marks_are_accepted()
    {
        await ImportAsync(WriteCatalogue());
        byte[] bom = [0xEF, 0xBB, 0xBF];
        var jsonl = Fixtures.WriteBytes(_temp.Path, "bom.jsonl", [.. bom, .. System.Text.Encoding.UTF8.GetBytes(
            "{\"event_id\":\"j1\",\"kind\":\"rating\",\"member_id\":\"m1\",\"title_id\":\"t1\",\"device\":\"web\",\"timestamp\":\"2024-05-01T20:00:00Z\",\"session_id\":\"x\",\"rating\":4}\n")]);
        var csv = Fixtures.WriteBytes(_temp.Path, "bom.csv", [.. bom, .. System.Text.Encoding.UTF8.GetBytes(
            "event_id,kind,member_id,title_id,device,timestamp,session_id,rating\nc1,rating,m1,t1,web,2024-05-01T20:00:00Z,x,4\n")]);

        var fromJson = await ImportAsync(jsonl);
        var fromCsv = await ImportAsync(csv);

        Assert.Equal((1L, 1L), (fromJson.Imported, fromCsv.Imported));
    }

    public static TheoryData<string, string> EmptyContents => new()
    {
        { "jsonl", "" }, { "csv", "" },
        { "jsonl", " \n\n\t\r\n" }, { "csv", " \n\n\t\r\n" },
        { "jsonl", "\uFEFF" }, { "csv", "\uFEFF" },
        { "jsonl", "\uFEFF\n\n" }, { "csv", "\uFEFF\r\n" },
    };

    [Theory]
    [MemberData(nameof(EmptyContents))]
    public async Task An_empty_file_of_any_format_imports_nothing_and_says_so(string format, string content)
    {
        var path = Fixtures.WriteUtf8(_temp.Path, "empty." + format, content);

        var summary = await ImportAsync(path);

        Assert.Equal((0L, 0L, 0L, 0L), (summary.EventsRead, summary.Imported, summary.Skipped, summary.Rejected));
        Assert.Equal([path], summary.EmptyFiles);
    }

    [Fact]
    public async Task A_csv_with_a_header_and_no_rows_holds_no_events()
    {
        var path = Fixtures.WriteUtf8(_temp.Path, "header.csv", "event_id,kind,member_id,device,timestamp,session_id\n\n");

        var summary = await ImportAsync(path);

        Assert.Equal(0, summary.EventsRead);
        Assert.Equal([path], summary.EmptyFiles);
    }

    [Fact]
    public async Task A_csv_with_content_but_no_header_is_an_error()
    {
        var blankFirst = Fixtures.WriteUtf8(_temp.Path, "blank-first.csv", "\nevent_id,kind,member_id,device,timestamp,session_id\ne1,rating,m1,web,2024-05-01T20:00:00Z,x\n");
        var noHeader = Fixtures.WriteUtf8(_temp.Path, "no-header.csv", "e1,rating,m1,web,2024-05-01T20:00:00Z,x\n");

        var blank = await Assert.ThrowsAsync<ImportException>(() => ImportAsync(blankFirst));
        var missing = await Assert.ThrowsAsync<ImportException>(() => ImportAsync(noHeader));

        Assert.Equal((1L, false), (blank.Line, blank.Skippable));
        Assert.StartsWith("line 1 is blank; the first line must be the header", blank.Reason);
        Assert.Equal(1, missing.Line);
        Assert.StartsWith("the header lacks event_id, kind, member_id, device, timestamp, session_id", missing.Reason);
    }

    [Fact]
    public async Task Files_with_events_are_not_listed_as_empty()
    {
        var folder = Directory.CreateDirectory(_temp.File("mixed")).FullName;
        Fixtures.WriteUtf8(folder, "a.jsonl", "{\"event_id\":\"f1\",\"kind\":\"search\",\"member_id\":\"m1\",\"device\":\"web\",\"timestamp\":\"2024-05-01T20:00:00Z\",\"session_id\":\"x\",\"query\":\"q\"}\n");
        var empty = Fixtures.WriteUtf8(folder, "b.csv", "");
        Fixtures.WriteUtf8(folder, "c.jsonl", "not json\n");

        var summary = await ImportAsync(folder, ImportErrorMode.Skip);

        Assert.Equal((1L, 1L), (summary.Imported, summary.Skipped));
        Assert.Equal([empty], summary.EmptyFiles);
    }

    [Fact]
    public async Task Detection_names_what_is_wrong_with_the_path()
    {
        var txt = Fixtures.WriteUtf8(_temp.Path, "notes.txt", "hello");
        var folder = Directory.CreateDirectory(_temp.File("nothing-here")).FullName;

        var unknown = await Assert.ThrowsAsync<ImportException>(() => ImportAsync(txt));
        var missing = await Assert.ThrowsAsync<ImportException>(() => ImportAsync(_temp.File("absent.jsonl")));
        var empty = await Assert.ThrowsAsync<ImportException>(() => ImportAsync(folder));

        Assert.StartsWith("unknown format", unknown.Reason);
        Assert.Equal("no such file or folder", missing.Reason);
        Assert.StartsWith("unknown format: not a MovieLens folder", empty.Reason);
    }

    [Fact]
    public async Task A_folder_of_files_imports_titles_before_events()
    {
        var folder = Directory.CreateDirectory(_temp.File("export")).FullName;
        // "a-events" sorts before "titles": the runner must still load the catalogue first.
        Fixtures.WriteUtf8(folder, "a-events.jsonl",
            "{\"event_id\":\"f1\",\"kind\":\"rating\",\"member_id\":\"m1\",\"title_id\":\"t1\",\"device\":\"web\",\"timestamp\":\"2024-05-01T20:00:00Z\",\"session_id\":\"x\",\"rating\":5}\n");
        Fixtures.WriteUtf8(folder, "titles.jsonl", TitlesJsonl);

        var summary = await ImportAsync(folder);

        Assert.Equal("folder of 2 files", summary.Format);
        Assert.Equal((3, 1L), (summary.Titles, summary.Imported));
    }

    private static string Head(string text) => text.Length <= 200 ? text : text[..200];

    private sealed class ListProgress(List<ImportProgress> list) : IProgress<ImportProgress>
    {
        public void Report(ImportProgress value) => list.Add(value);
    }
}

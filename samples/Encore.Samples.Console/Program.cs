// Encore from a console program, through its NuGet packages: open a SQLite store, put a catalogue in it, ingest what
// members watched, train a model, and print one member's homepage.
//
//   dotnet run --project samples/Encore.Samples.Console -- [DATABASE] [MEMBER]
//
// The catalogue and the viewing are made up here (a small service whose members each lean to one genre); a real
// service sends its own titles and events the same way.
using System.Globalization;
using Encore.Core;
using Encore.Ingestion;
using Encore.Ranking;
using Encore.Ranking.Pages;
using Encore.Storage;

var database = args.Length > 0 ? args[0] : Path.Combine(Path.GetTempPath(), "encore-sample.db");
var memberId = args.Length > 1 ? args[1] : "member-001";

string[] genres = ["Drama", "Comedy", "Science Fiction", "Documentary"];
var titles = new List<Title>();
for (int i = 0; i < 40; i++)
{
    var genre = genres[i % genres.Length];
    titles.Add(new Title
    {
        Id = $"title-{i + 1:000}",
        Name = $"{genre} {i / genres.Length + 1}",
        Genres = [genre],
        RuntimeSeconds = 5400 + 60 * i,
        ReleaseDate = new DateOnly(2020 + i % 5, 1 + i % 12, 1),
    });
}

// Each member plays six titles, five of their favourite genre, and finishes most of them; a few stop early.
var random = new Random(42);
var start = new DateTime(2026, 1, 5, 19, 0, 0, DateTimeKind.Utc);
var events = new List<ViewingEvent>();
for (int m = 0; m < 120; m++)
{
    var member = $"member-{m + 1:000}";
    var favourite = genres[m % genres.Length];
    var watched = new HashSet<string>();
    for (int s = 0; s < 6; s++)
    {
        var pool = s < 5 ? titles.Where(t => t.Genres[0] == favourite).ToList() : titles;
        var title = pool[random.Next(pool.Count)];
        if (!watched.Add(title.Id)) continue;
        var session = $"{member}-s{s}";
        var at = start.AddDays(m % 7 + s * 2).AddMinutes(random.Next(180));
        var device = s % 2 == 0 ? DeviceKind.Tv : DeviceKind.Phone;
        events.Add(new ViewingEvent
        {
            EventId = session + "-play", Kind = EventKind.PlayStart, MemberId = member, TitleId = title.Id,
            Device = device, TimestampUtc = at, SessionId = session, PositionSeconds = 0,
        });
        bool finished = random.NextDouble() < 0.8;
        double position = finished ? title.RuntimeSeconds : title.RuntimeSeconds * 0.15;
        events.Add(new ViewingEvent
        {
            EventId = session + (finished ? "-done" : "-stop"), Kind = finished ? EventKind.Completion : EventKind.Stop,
            MemberId = member, TitleId = title.Id, Device = device, TimestampUtc = at.AddSeconds(position), SessionId = session,
            PositionSeconds = position,
        });
    }
}

await using var store = await SqliteEventStore.OpenAsync(database);
await store.UpsertTitlesAsync(titles);
var ingested = await new IngestionPipeline(store).IngestAsync(events);
Console.WriteLine($"Store {database}: {ingested.Accepted} events accepted, {ingested.Duplicates} already there, {ingested.Rejected.Count} rejected");
foreach (var rejection in ingested.Rejected) Console.WriteLine($"  rejected {rejection}");

var model = await ModelTraining.TrainAsync(store, new TrainingRequest { Model = "ials" });
Console.WriteLine($"Trained {model.Info.Model} on {model.Info.Events} events of {model.Info.Members} members over {model.Info.Titles} titles");

using var pages = await HomepageService.LoadAsync(store, model);
if (await store.GetMemberAsync(memberId) is null)
{
    Console.Error.WriteLine($"no member '{memberId}' in {database}");
    return 2;
}
var page = pages.Build(new PageRequest
{
    MemberId = memberId,
    Device = DeviceKind.Tv,
    TitlesPerRow = 8,
    AtUtc = DateTime.UnixEpoch.AddMilliseconds(pages.LastEventMs).AddHours(1),
});
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"Homepage of {page.MemberId} on {page.Device.ToString().ToLowerInvariant()}, {page.Rows.Count} rows, model {page.Model}"));
foreach (var row in page.Rows)
{
    Console.WriteLine();
    Console.WriteLine($"{row.Label}  ({row.Evidence})");
    for (int i = 0; i < row.Titles.Count; i++) Console.WriteLine($"  {i + 1,3}. {row.Titles[i].Name} ({row.Titles[i].TitleId})");
}
return 0;

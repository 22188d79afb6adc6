using System.Globalization;
using Encore.Core;
using Encore.Storage;

// Appends numbered batches to a store and prints "acked <batch> <events>" after each append returns, i.e.
// once the batch is durable. The durability test kills this process mid-ingest and then checks that every
// acknowledged batch is in the file. With a fifth argument N, the pending batches are sealed into a segment
// after every N batches, so that a kill can also land in the middle of a seal.
// <db> is a SQLite file or a postgres:// URL (EventStores.OpenAsync).
// Usage: Encore.Storage.CrashWriter <db> <batch size> <first batch> <batches> [seal every N batches]
if (args.Length is not (4 or 5))
{
    Console.Error.WriteLine("usage: Encore.Storage.CrashWriter <db> <batch size> <first batch> <batches> [seal every N batches]");
    return 2;
}
var path = args[0];
int batchSize = int.Parse(args[1], CultureInfo.InvariantCulture);
int first = int.Parse(args[2], CultureInfo.InvariantCulture);
int count = int.Parse(args[3], CultureInfo.InvariantCulture);
int sealEvery = args.Length == 5 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 0;
var t0 = new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);

await using var store = await EventStores.OpenAsync(path);
var batch = new ViewingEvent[batchSize];
for (int b = first; b < first + count; b++)
{
    for (int i = 0; i < batchSize; i++)
    {
        batch[i] = new ViewingEvent
        {
            EventId = EventIds.For(b, i),
            Kind = EventKind.PlayStart,
            MemberId = "member-" + ((b * 31 + i) % 997).ToString(CultureInfo.InvariantCulture),
            TitleId = "title-" + (i % 101).ToString(CultureInfo.InvariantCulture),
            Device = DeviceKind.Tv,
            TimestampUtc = t0.AddSeconds(b * (double)batchSize + i),
            SessionId = $"session-{b}-{i / 10}",
            PositionSeconds = i,
        };
    }
    var result = await store.AppendAsync(batch);
    Console.WriteLine($"acked {b} {result.Stored}");
    if (sealEvery > 0 && (b - first + 1) % sealEvery == 0 && store is SqliteEventStore sqlite) await sqlite.FlushAsync();
}
Console.WriteLine("done");
return 0;

/// <summary>The id of event <c>i</c> of batch <c>b</c>: the test recomputes it to check each acknowledged event.</summary>
internal static class EventIds
{
    public static string For(int batch, int index) => $"b{batch}-e{index}";
}

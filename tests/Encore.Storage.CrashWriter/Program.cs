using System.Globalization;
using Encore.Core;
using Encore.Storage;

// Appends numbered batches to a store and prints "acked <batch> <events>" after each append returns, i.e.
// once the batch is durable. The durability test kills this process mid-ingest and then checks that every
// acknowledged batch is in the file. Usage: Encore.Storage.CrashWriter <db> <batch size> <first batch> <batches>
if (args.Length != 4)
{
    Console.Error.WriteLine("usage: Encore.Storage.CrashWriter <db> <batch size> <first batch> <batches>");
    return 2;
}
var path = args[0];
int batchSize = int.Parse(args[1], CultureInfo.InvariantCulture);
int first = int.Parse(args[2], CultureInfo.InvariantCulture);
int count = int.Parse(args[3], CultureInfo.InvariantCulture);
var t0 = new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);

await using var store = await SqliteEventStore.OpenAsync(path);
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
}
Console.WriteLine("done");
return 0;

/// <summary>The id of event <c>i</c> of batch <c>b</c>: the test recomputes it to check each acknowledged event.</summary>
internal static class EventIds
{
    public static string For(int batch, int index) => $"b{batch}-e{index}";
}

using System.Security.Cryptography;
using System.Text.Json;
using Encore.Simulation;
using Xunit;

namespace Encore.Simulation.Tests;

public sealed class DeterminismTests
{
    private static readonly SimulationOptions Options = new() { Members = 300, Titles = 200, Days = 10, Seed = 99 };

    private static async Task<(string Events, string Csv)> FingerprintAsync(SimulationOptions options, CancellationToken ct)
    {
        var service = new SimulatedService(options);
        var memory = new MemorySink();
        using var csv = new MemoryStream();
        var export = new InteractionCsvSink(csv);
        await service.RunAsync(new PopularityPolicy(), new CompositeSink(memory, export), null, ct);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var e in memory.Events) hash.AppendData(JsonSerializer.SerializeToUtf8Bytes(service.ToViewingEvent(e)));
        foreach (var t in service.Titles()) hash.AppendData(JsonSerializer.SerializeToUtf8Bytes(t));
        return (Convert.ToHexString(hash.GetHashAndReset()), Convert.ToHexString(SHA256.HashData(csv.ToArray())));
    }

    [Fact]
    public async Task The_same_seed_and_sizes_give_the_same_events_byte_for_byte()
    {
        var ct = TestContext.Current.CancellationToken;
        var a = await FingerprintAsync(Options, ct);
        var b = await FingerprintAsync(Options, ct);
        Assert.Equal(a, b);
    }

    [Fact]
    public async Task Another_seed_gives_another_service()
    {
        var ct = TestContext.Current.CancellationToken;
        var a = await FingerprintAsync(Options, ct);
        var b = await FingerprintAsync(Options with { Seed = 100 }, ct);
        Assert.NotEqual(a.Events, b.Events);
        Assert.NotEqual(a.Csv, b.Csv);
    }

    [Fact]
    public async Task The_interactions_export_has_one_line_per_play()
    {
        var ct = TestContext.Current.CancellationToken;
        var service = new SimulatedService(Options);
        var memory = new MemorySink();
        using var csv = new MemoryStream();
        var export = new InteractionCsvSink(csv);
        await service.RunAsync(new PopularityPolicy(), new CompositeSink(memory, export), null, ct);
        var lines = System.Text.Encoding.ASCII.GetString(csv.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("user,item,weight,timestamp", lines[0]);
        Assert.Equal(memory.Plays.Count, lines.Length - 1);
        Assert.Equal(memory.Plays.Count, export.Lines);
        var first = lines[1].Split(',');
        Assert.Equal(service.Members.Ids[memory.Plays[0].Member], first[0]);
        Assert.Equal(service.Catalogue.Ids[memory.Plays[0].Title], first[1]);
        Assert.True(float.Parse(first[2], System.Globalization.CultureInfo.InvariantCulture) > 0);
        Assert.Equal(memory.Plays[0].TimestampMs / 1000, long.Parse(first[3], System.Globalization.CultureInfo.InvariantCulture));
    }
}

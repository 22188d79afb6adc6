using System.Diagnostics;
using System.Globalization;
using System.Text;
using Encore.Simulation;

namespace Encore.Bench;

/// <summary>
/// Generates a simulated service at the P-SCALE size with only the interactions export (no database): events
/// per second and peak resident memory (VmHWM), against a reference measured in the same run: writing the
/// same number of CSV lines of the same shape with a plain formatted StreamWriter.
/// Usage: simulate [members=500000] [titles=50000] [days=7] [out=/tmp/encore-pscale.csv] [seed]
/// </summary>
public sealed class SimulationBench : IBench
{
    public string Name => "simulate";
    public string Description => "P-SCALE generation (export only) vs writing as many CSV lines: [members] [titles] [days] [out] [seed]";

    public async Task<int> RunAsync(string[] args)
    {
        var c = CultureInfo.InvariantCulture;
        var options = new SimulationOptions
        {
            Members = args.Length > 0 ? int.Parse(args[0], c) : 500_000,
            Titles = args.Length > 1 ? int.Parse(args[1], c) : 50_000,
            Days = args.Length > 2 ? int.Parse(args[2], c) : 7,
            Seed = args.Length > 4 ? ulong.Parse(args[4], c) : SimulationOptions.DefaultSeed,
        };
        string output = args.Length > 3 ? args[3] : Path.Combine(Path.GetTempPath(), "encore-pscale.csv");

        var total = Stopwatch.StartNew();
        var service = new SimulatedService(options);
        double worldSeconds = total.Elapsed.TotalSeconds;
        long rssAfterWorld = Rss("VmRSS");
        var run = Stopwatch.StartNew();
        SimulationSummary summary;
        long lines;
        await using (var csv = new InteractionCsvSink(output))
        {
            var progress = new Progress<SimulationProgress>(p =>
            {
                if (p.MembersDone == p.Members) Console.Error.WriteLine(string.Create(c, $"day {p.Day + 1}/{p.Days}: {p.Events:N0} events"));
            });
            summary = await service.RunAsync(new PopularityPolicy(options.Calibration.PolicyExploration), csv, progress);
            lines = csv.Lines;
        }
        double runSeconds = run.Elapsed.TotalSeconds;
        long peak = Rss("VmHWM");
        long fileBytes = new FileInfo(output).Length;

        // Reference: the same number of lines of the same shape, formatted and written the ordinary way.
        string reference = output + ".reference";
        var write = Stopwatch.StartNew();
        await using (var writer = new StreamWriter(reference, false, new UTF8Encoding(false), 1 << 20))
        {
            await writer.WriteLineAsync("user,item,weight,timestamp");
            long t0 = new DateTimeOffset(options.StartUtc).ToUnixTimeSeconds();
            for (long i = 0; i < lines; i++)
            {
                int member = (int)(i * 7919 % options.Members) + 1, title = (int)(i * 104729 % options.Titles) + 1;
                writer.Write(string.Create(c, $"m{member:D7},t{title:D6},{(i % 1000) / 997.0:0.###},{t0 + i % 604800}\n"));
            }
        }
        double referenceSeconds = write.Elapsed.TotalSeconds;
        File.Delete(reference);

        Console.WriteLine(string.Create(c, $"simulate (P-SCALE, export only): {options.Members:N0} members x {options.Titles:N0} titles x {options.Days} days, seed {options.Seed}"));
        Console.WriteLine(string.Create(c, $"  world (catalogue, members, truth): {worldSeconds:F1} s, RSS {rssAfterWorld / 1024.0:F0} MiB"));
        Console.WriteLine(string.Create(c, $"  events {summary.Events:N0}, sessions {summary.Sessions:N0}, interactions (CSV lines) {lines:N0}, file {fileBytes / 1048576.0:F0} MiB"));
        Console.WriteLine(string.Create(c, $"  generation {runSeconds:F1} s: {summary.Events / runSeconds:N0} events/s, {lines / runSeconds:N0} interactions/s"));
        Console.WriteLine(string.Create(c, $"  peak resident memory (VmHWM) {peak / 1024.0:F0} MiB"));
        Console.WriteLine(string.Create(c, $"  reference, same run: writing {lines:N0} CSV lines with StreamWriter took {referenceSeconds:F1} s; generation/reference = {runSeconds / referenceSeconds:F1}x"));
        Console.WriteLine(string.Create(c, $"  load average {File.ReadAllText("/proc/loadavg").Trim()}"));
        return 0;
    }

    /// <summary>A /proc/self/status memory figure in KiB (0 where /proc is missing).</summary>
    private static long Rss(string field)
    {
        const string status = "/proc/self/status";
        if (!File.Exists(status)) return 0;
        foreach (var line in File.ReadLines(status))
        {
            if (!line.StartsWith(field + ":", StringComparison.Ordinal)) continue;
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return long.Parse(parts[1], CultureInfo.InvariantCulture);
        }
        return 0;
    }
}

using System.Diagnostics;
using System.Globalization;
using Encore.Ranking.Search;
using Encore.Simulation;

namespace Encore.Bench;

/// <summary>
/// How fast a query runs over a large catalogue: the simulated service's titles (names, cast, directors, genres),
/// queries typed from them as members type (lower case, first words only, a typo per ~25 letters, the last word cut
/// short), each timed alone. The same-run reference is a scan of every title's words with the same matcher (exact,
/// prefix, the same bounded edit distance) and no index, on the first queries; the words are tokenized before the
/// clock starts, so the reference pays only for matching.
/// Usage: search-speed [titles=50000] [queries=5000] [reference-queries=100]
/// </summary>
public sealed class SearchSpeedBench : IBench
{
    public string Name => "search-speed";
    public string Description => "search latency over a simulated catalogue vs a scan of every title with the same matcher: [titles] [queries] [reference queries]";

    public Task<int> RunAsync(string[] args)
    {
        var c = CultureInfo.InvariantCulture;
        int titleCount = args.Length > 0 ? int.Parse(args[0], c) : 50_000;
        int queryCount = args.Length > 1 ? int.Parse(args[1], c) : 5_000;
        int referenceCount = Math.Min(queryCount, args.Length > 2 ? int.Parse(args[2], c) : 100);
        var service = new SimulatedService(new SimulationOptions { Members = 20, Titles = titleCount, Days = 1 });
        var titles = service.Titles().ToArray();

        var build = Stopwatch.StartNew();
        var index = SearchIndex.Build(titles);
        double buildSeconds = build.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(c, $"{index.Count:N0} titles, {index.Words:N0} words, {index.Postings:N0} postings; built in {buildSeconds:F2} s; load average {LoadAverage()}"));

        var random = new Random(20250106);
        var queries = new string[queryCount];
        for (int q = 0; q < queryCount; q++) queries[q] = Query(titles[random.Next(titles.Length)], random);
        var member = new float[index.Count];
        for (int t = 0; t < member.Length; t++) member[t] = (float)(random.NextDouble() * 2 - 1);

        var request = new SearchRequest { Count = 20, AsOfUtc = SimulationOptions.DefaultStartUtc.AddDays(400) };
        var found = new int[20];
        var scores = new float[20];
        foreach (var query in queries) index.Search(query, request, member, found, scores); // warm up: every buffer at its size

        var times = new double[queryCount];
        long results = 0;
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        var total = Stopwatch.StartNew();
        for (int q = 0; q < queryCount; q++)
        {
            long start = Stopwatch.GetTimestamp();
            results += index.Search(queries[q], request, member, found, scores);
            times[q] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }
        double totalSeconds = total.Elapsed.TotalSeconds;
        long bytes = GC.GetAllocatedBytesForCurrentThread() - allocated;
        // The slowest queries timed again, best of 5: what is the query's own cost and what was the machine's load.
        var order = Enumerable.Range(0, queryCount).OrderByDescending(q => times[q]).Take(5).ToArray();
        var slowest = order.Select(q =>
        {
            double best = double.MaxValue;
            for (int r = 0; r < 5; r++)
            {
                long start = Stopwatch.GetTimestamp();
                index.Search(queries[q], request, member, found, scores);
                best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalMicroseconds);
            }
            return string.Create(c, $"'{queries[q]}' {times[q]:F0} -> {best:F0} us");
        }).ToList();
        Array.Sort(times);
        Console.WriteLine(string.Create(c,
            $"index, ranked for a member: {queryCount:N0} queries, mean {totalSeconds * 1e6 / queryCount:F1} us, median {times[queryCount / 2]:F1} us, "
            + $"p99 {times[(int)(queryCount * 0.99)]:F1} us, max {times[^1]:F1} us; {results / (double)queryCount:F1} results per query; {bytes / (double)queryCount:F1} bytes allocated per query"));

        Console.WriteLine("the 5 slowest, timed again (best of 5): " + string.Join("; ", slowest));

        var explained = Stopwatch.StartNew();
        foreach (var query in queries) index.Search(query, request, member);
        Console.WriteLine(string.Create(c, $"index with explanations (SearchResult): mean {explained.Elapsed.TotalMicroseconds / queryCount:F1} us per query"));

        // The reference: every title's words, pre-tokenized, matched with the same rules and no index.
        var words = titles.Select(t => new[] { t.Name }.Concat(t.Cast).Concat(t.Directors).Concat(t.Genres)
            .SelectMany(v => SearchText.Normalize(v).Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToArray()).ToArray();
        var options = SearchOptions.Default;
        var scan = Stopwatch.StartNew();
        long matched = 0;
        for (int q = 0; q < referenceCount; q++)
        {
            var tokens = SearchText.Normalize(queries[q]).Split(' ', StringSplitOptions.RemoveEmptyEntries);
            foreach (var title in words)
            {
                bool any = false;
                for (int k = 0; k < tokens.Length && !any; k++)
                {
                    var token = tokens[k];
                    int edits = options.MaxEdits(token.Length);
                    foreach (var word in title)
                    {
                        if (word == token || (k == tokens.Length - 1 && token.Length >= options.MinPrefixLength && word.StartsWith(token, StringComparison.Ordinal))
                            || (edits > 0 && Math.Abs(word.Length - token.Length) <= edits && EditDistance.Bounded(token, word, edits) <= edits))
                        {
                            any = true;
                            break;
                        }
                    }
                }
                if (any) matched++;
            }
        }
        double scanMicros = scan.Elapsed.TotalMicroseconds / referenceCount;
        Console.WriteLine(string.Create(c,
            $"reference, a scan of every title's words with the same matcher (first {referenceCount} queries, only finding the matches): {scanMicros:F0} us per query "
            + $"({scanMicros / (totalSeconds * 1e6 / queryCount):F0}x the index's mean); {matched / (double)referenceCount:F0} titles match per query; load average {LoadAverage()}"));
        return Task.FromResult(0);
    }

    /// <summary>A query as members type one: a name (or a cast member's, or a genre), often lower case, often its first words, with typos, the last word often unfinished.</summary>
    private static string Query(Encore.Core.Title title, Random random)
    {
        string text = random.Next(10) switch
        {
            0 when title.Cast.Count > 0 => title.Cast[random.Next(title.Cast.Count)],
            1 when title.Directors.Count > 0 => title.Directors[0],
            2 when title.Genres.Count > 0 => title.Genres[0] + " " + title.Name.Split(' ')[^1],
            _ => title.Name,
        };
        var words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length >= 3 && random.Next(3) == 0) text = string.Join(' ', words, 0, 2);
        if (random.Next(4) != 0) text = text.ToLowerInvariant();
        var chars = new List<char>(text.Length + 2);
        for (int i = 0; i < text.Length; i++)
        {
            char ch = text[i];
            if (!char.IsLetter(ch) || random.NextDouble() >= 0.04) { chars.Add(ch); continue; }
            switch (random.Next(4))
            {
                case 0: break;
                case 1: chars.Add(ch); chars.Add(ch); break;
                case 2 when i + 1 < text.Length && char.IsLetter(text[i + 1]): chars.Add(text[i + 1]); chars.Add(ch); i++; break;
                default: chars.Add((char)('a' + random.Next(26))); break;
            }
        }
        if (random.Next(3) == 0)
        {
            // Still typing the last word.
            int space = chars.LastIndexOf(' ');
            int cut = Math.Max(space + 3, chars.Count - random.Next(1, 4));
            if (cut < chars.Count) chars.RemoveRange(cut, chars.Count - cut);
        }
        var query = new string([.. chars]).Trim();
        return query.Length == 0 ? title.Name : query;
    }

    private static string LoadAverage()
    {
        try { return File.ReadAllText("/proc/loadavg").Split(' ')[0]; }
        catch (IOException) { return "?"; }
        catch (UnauthorizedAccessException) { return "?"; }
    }
}

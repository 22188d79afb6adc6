using Encore.Core;
using Encore.Ranking.Search;
using Xunit;

namespace Encore.Ranking.Tests.Search;

/// <summary>
/// The index against a plain scan that applies the documented scoring (<see cref="SearchOptions"/>) word by word to
/// every title, with the full edit-distance table: on random catalogues and typed queries, both must find the same
/// titles with the same scores. This checks that the bigram filter never loses a word within the allowed edits.
/// </summary>
public sealed class SearchOracleTests
{
    private static readonly string[] Vocabulary =
    [
        "the", "of", "river", "rivers", "silent", "silence", "storm", "stork", "store", "moon", "moons", "kingdom", "king", "garden",
        "harbor", "harbour", "winter", "wintry", "station", "nakamura", "nakamora", "alvarez", "alvares", "tara", "tarra", "singh",
        "sing", "a", "an", "2", "12", "drama", "comedy", "crime", "amelie", "zoe", "abc", "abcd", "bcda",
    ];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void The_index_finds_what_a_full_scan_finds(int seed)
    {
        var random = new Random(seed);
        var titles = Enumerable.Range(0, 300).Select(i => new Title
        {
            Id = $"t{i}",
            Name = Phrase(random, 1, 5),
            Cast = [.. Enumerable.Range(0, random.Next(0, 4)).Select(_ => Phrase(random, 1, 2))],
            Directors = [Phrase(random, 1, 2)],
            Genres = [.. Enumerable.Range(0, random.Next(0, 3)).Select(_ => Vocabulary[random.Next(30, 33)])],
        }).ToArray();
        var index = SearchIndex.Build(titles);
        var options = SearchOptions.Default;
        for (int q = 0; q < 300; q++)
        {
            var query = Typed(random, Phrase(random, 1, 4)) + (random.Next(3) == 0 ? " " : "");
            var member = titles.Select(_ => (float)random.NextDouble()).ToArray();
            var request = new SearchRequest { Count = 1000, Options = options };
            var hits = index.Search(query, request, member).Hits;
            var expected = Scan(titles, query, options, member);
            Assert.True(expected.Count == hits.Count, $"'{query}': the scan finds {expected.Count} titles, the index {hits.Count}");
            foreach (var hit in hits)
            {
                Assert.True(expected.TryGetValue(hit.TitleId, out var score), $"'{query}': the index found {hit.TitleId}, the scan did not");
                Assert.True(Math.Abs(score - hit.Score) < 1e-4, $"'{query}' {hit.TitleId}: the index scores {hit.Score}, the scan {score}");
            }
            for (int i = 1; i < hits.Count; i++) Assert.True(hits[i - 1].Score >= hits[i].Score, $"'{query}': not best first");
        }
    }

    private static string Phrase(Random random, int min, int max)
        => string.Join(' ', Enumerable.Range(0, random.Next(min, max + 1)).Select(_ => Vocabulary[random.Next(Vocabulary.Length)]));

    /// <summary>Case changes and up to two typos (a letter dropped, doubled, swapped or wrong), as members type.</summary>
    private static string Typed(Random random, string text)
    {
        var chars = (random.Next(2) == 0 ? text.ToUpperInvariant() : text).ToList();
        for (int k = random.Next(0, 3); k > 0 && chars.Count > 1; k--)
        {
            int at = random.Next(chars.Count - 1);
            switch (random.Next(4))
            {
                case 0: chars.RemoveAt(at); break;
                case 1: chars.Insert(at, chars[at]); break;
                case 2: (chars[at], chars[at + 1]) = (chars[at + 1], chars[at]); break;
                default: chars[at] = (char)('a' + random.Next(26)); break;
            }
        }
        return new string([.. chars]);
    }

    /// <summary>The documented scoring, title by title, word by word: title id -> score.</summary>
    private static Dictionary<string, float> Scan(Title[] titles, string query, SearchOptions o, float[] member)
    {
        var tokens = SearchText.Normalize(query).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        bool typing = query.Length > 0 && !SearchText.IsSeparator(query[^1]);
        var fields = titles.Select(FieldsOf).ToArray();
        var documents = new Dictionary<string, int>();
        foreach (var words in fields.Select(f => f.SelectMany(x => x.Words).Distinct()))
            foreach (var w in words) documents[w] = documents.GetValueOrDefault(w) + 1;
        float Idf(string w) => (float)Math.Log(1 + (double)titles.Length / documents[w]);

        float Quality(string token, string word, bool last)
        {
            if (token == word) return 1f;
            float best = 0;
            if (last && typing && token.Length >= o.MinPrefixLength && word.StartsWith(token, StringComparison.Ordinal)) best = o.PrefixQuality;
            int d = EditDistanceTests.Reference(token, word);
            if (d >= 1 && d <= o.MaxEdits(token.Length)) best = Math.Max(best, o.QualityOf(MatchKind.Typo, d));
            return best;
        }

        var weights = new float[tokens.Length];
        for (int k = 0; k < tokens.Length; k++)
        {
            if (documents.ContainsKey(tokens[k])) { weights[k] = Idf(tokens[k]); continue; }
            var matched = documents.Keys.Select(w => (Q: Quality(tokens[k], w, k == tokens.Length - 1), Idf: Idf(w))).Where(x => x.Q > 0)
                .OrderByDescending(x => x.Q).ThenByDescending(x => x.Idf).ToList();
            weights[k] = matched.Count > 0 ? matched[0].Idf : (float)Math.Log(1 + titles.Length);
        }
        float sum = 0;
        foreach (var w in weights) sum += w;

        var scores = new Dictionary<string, float>();
        for (int t = 0; t < titles.Length; t++)
        {
            float score = 0, nameHits = 0;
            bool any = false;
            for (int k = 0; k < tokens.Length; k++)
            {
                float best = 0, name = 0;
                foreach (var (field, words) in fields[t])
                {
                    foreach (var word in words)
                    {
                        float q = Quality(tokens[k], word, k == tokens.Length - 1);
                        if (q == 0) continue;
                        any = true;
                        best = Math.Max(best, q * o.WeightOf(field));
                        if (field == SearchField.Name) name = Math.Max(name, q);
                    }
                }
                score += weights[k] * best;
                nameHits += name;
            }
            if (!any) continue;
            int nameWords = fields[t][0].Words.Length;
            float share = nameWords == 0 ? 0 : Math.Min(1f, nameHits / nameWords);
            float text = (score / sum + o.NameCoverage * share) / (1 + o.NameCoverage);
            scores[titles[t].Id] = text + o.MemberWeight * member[t];
        }
        return scores;
    }

    private static (SearchField Field, string[] Words)[] FieldsOf(Title t) =>
    [
        (SearchField.Name, Words(t.Name)),
        .. t.Cast.Select(c => (SearchField.Cast, Words(c))),
        .. t.Directors.Select(d => (SearchField.Director, Words(d))),
        .. t.Genres.Select(g => (SearchField.Genre, Words(g))),
    ];

    private static string[] Words(string text) => SearchText.Normalize(text).Split(' ', StringSplitOptions.RemoveEmptyEntries);
}

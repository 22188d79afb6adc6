using Encore.Ranking.Search;
using Xunit;

namespace Encore.Ranking.Tests.Search;

public sealed class SearchTextTests
{
    [Theory]
    [InlineData("The Silent River", "the silent river")]
    [InlineData("AMÉLIE", "amelie")]
    [InlineData("Ame\u0301lie", "amelie")] // decomposed: e and a combining acute
    [InlineData("Łódź Straße", "lodz strasse")]
    [InlineData("Ærø Œuvre Þór", "aero oeuvre thor")]
    [InlineData("Dvořák Ştefan Nguyễn İstanbul", "dvorak stefan nguyen istanbul")]
    [InlineData("Ana's Garden: Part 2", "ana s garden part 2")]
    [InlineData("  Blade---Runner 2049!! ", "blade runner 2049")]
    [InlineData("ＡＢＣ１２", "abc12")]
    [InlineData("Ёлки Άλφα", "елки αλφα")]
    [InlineData("...", "")]
    [InlineData("", "")]
    public void Normalizes_case_diacritics_and_punctuation(string text, string expected)
        => Assert.Equal(expected, SearchText.Normalize(text));

    [Fact]
    public void A_token_longer_than_the_limit_is_cut_the_same_way_everywhere()
    {
        var word = new string('a', 50);
        Assert.Equal(new string('a', SearchText.MaxTokenLength) + " b", SearchText.Normalize(word + " b"));
    }

    [Fact]
    public void Emoji_and_symbols_separate_tokens()
        => Assert.Equal("love actually", SearchText.Normalize("love\U0001F600actually"));
}

public sealed class EditDistanceTests
{
    [Theory]
    [InlineData("river", "river", 0)]
    [InlineData("river", "rievr", 1)] // two neighbours swapped
    [InlineData("river", "rver", 1)] // one missing
    [InlineData("river", "riiver", 1)] // one extra
    [InlineData("river", "rixer", 1)] // one wrong
    [InlineData("kitten", "sitting", 3)]
    [InlineData("ca", "abc", 3)] // the restricted form: no edit of a swapped pair
    [InlineData("", "abc", 3)]
    public void Counts_insertions_deletions_substitutions_and_swaps(string a, string b, int expected)
    {
        Assert.Equal(expected, EditDistance.Bounded(a, b, 5));
        Assert.Equal(expected, EditDistance.Bounded(b, a, 5));
        Assert.Equal(Math.Min(expected, 2), EditDistance.Bounded(a, b, 1)); // bounded: max + 1 beyond the bound
    }

    [Fact]
    public void Agrees_with_the_full_table_on_random_words()
    {
        var random = new Random(11);
        for (int i = 0; i < 5_000; i++)
        {
            var a = Word(random);
            var b = random.Next(3) == 0 ? Word(random) : Mutate(a, random);
            int full = Reference(a, b);
            for (int max = 0; max <= 3; max++)
                Assert.Equal(Math.Min(full, max + 1), EditDistance.Bounded(a, b, max));
        }
    }

    private static string Word(Random random)
    {
        var chars = new char[random.Next(0, 10)];
        for (int i = 0; i < chars.Length; i++) chars[i] = (char)('a' + random.Next(4));
        return new string(chars);
    }

    private static string Mutate(string word, Random random)
    {
        var chars = word.ToList();
        for (int k = random.Next(1, 4); k > 0; k--)
        {
            int at = chars.Count == 0 ? 0 : random.Next(chars.Count);
            switch (random.Next(4))
            {
                case 0: chars.Insert(at, (char)('a' + random.Next(4))); break;
                case 1 when chars.Count > 0: chars.RemoveAt(at); break;
                case 2 when at + 1 < chars.Count: (chars[at], chars[at + 1]) = (chars[at + 1], chars[at]); break;
                default: if (chars.Count > 0) chars[at] = (char)('a' + random.Next(4)); break;
            }
        }
        return new string([.. chars]);
    }

    /// <summary>Optimal string alignment over the whole table, no shortcuts.</summary>
    internal static int Reference(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        }
        return d[a.Length, b.Length];
    }
}

using System.Runtime.CompilerServices;
namespace Encore.Simulation;

/// <summary>
/// The simulated service's search box: matches each query word against the words of title names exactly,
/// within one edit (Damerau), or as a prefix for the word being typed, and ranks titles by matched words, then
/// popularity. One instance per worker (it holds scratch buffers).
/// </summary>
internal sealed class SearchEngine
{
    public const int ResultCount = 10;
    private readonly SimCatalogue _catalogue;
    private readonly string[] _vocabulary;
    private readonly int[] _score;
    private readonly int[] _stamp;
    private int _currentStamp;
    private readonly List<int> _candidates = new(256);

    public SearchEngine(SimCatalogue catalogue)
    {
        _catalogue = catalogue;
        _vocabulary = [.. catalogue.SearchIndex.Keys];
        Array.Sort(_vocabulary, StringComparer.Ordinal);
        _score = new int[catalogue.Count];
        _stamp = new int[catalogue.Count];
    }

    /// <summary>The titles shown for <paramref name="query"/>, best first (available titles only).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int[] Search(string query, ServiceView service)
    {
        if (++_currentStamp == int.MaxValue) { Array.Clear(_stamp); _currentStamp = 1; }
        _candidates.Clear();
        var words = TitleNames.Words(query).ToArray();
        for (int w = 0; w < words.Length; w++)
        {
            string token = words[w];
            bool last = w == words.Length - 1;
            foreach (var word in _vocabulary)
            {
                int points;
                if (word == token) points = 3;
                else if (token.Length >= 4 && WithinOneEdit(word, token)) points = 2;
                else if (last && token.Length >= 3 && word.StartsWith(token, StringComparison.Ordinal)) points = 1;
                else continue;
                foreach (int t in _catalogue.SearchIndex[word])
                {
                    if (!service.IsAvailable(t)) continue;
                    if (_stamp[t] != _currentStamp)
                    {
                        _stamp[t] = _currentStamp;
                        _score[t] = 0;
                        _candidates.Add(t);
                    }
                    _score[t] += points;
                }
            }
        }
        // The best ResultCount by (matched words, popularity, index), by insertion: candidates run to thousands.
        var popularity = service.Popularity;
        Span<int> best = stackalloc int[ResultCount];
        int n = 0;
        foreach (int t in _candidates)
        {
            if (n == ResultCount && !Better(t, best[n - 1], popularity)) continue;
            int i = n < ResultCount ? n++ : n - 1;
            while (i > 0 && Better(t, best[i - 1], popularity))
            {
                best[i] = best[i - 1];
                i--;
            }
            best[i] = t;
        }
        return n == 0 ? [] : best[..n].ToArray();
    }

    private bool Better(int a, int b, float[] popularity)
    {
        if (_score[a] != _score[b]) return _score[a] > _score[b];
        if (popularity[a] != popularity[b]) return popularity[a] > popularity[b];
        return a < b;
    }

    /// <summary>Whether a and b differ by at most one insertion, deletion, substitution or swap of neighbours.</summary>
    internal static bool WithinOneEdit(string a, string b)
    {
        int la = a.Length, lb = b.Length;
        if (Math.Abs(la - lb) > 1) return false;
        int i = 0;
        while (i < la && i < lb && a[i] == b[i]) i++;
        if (i == la && i == lb) return true;
        if (la == lb)
        {
            if (a.AsSpan(i + 1).SequenceEqual(b.AsSpan(i + 1))) return true; // substitution
            return i + 1 < la && a[i] == b[i + 1] && a[i + 1] == b[i] && a.AsSpan(i + 2).SequenceEqual(b.AsSpan(i + 2)); // swap
        }
        return la > lb ? a.AsSpan(i + 1).SequenceEqual(b.AsSpan(i)) : a.AsSpan(i).SequenceEqual(b.AsSpan(i + 1));
    }
}

using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Encore.Core;
using Encore.Storage;

namespace Encore.Ranking.Search;

/// <summary>
/// A search index over the catalogue: every word of each title's name, cast, directors and genres, normalized by
/// <see cref="SearchText"/>. Built once from the titles; immutable and safe for concurrent queries afterwards (each
/// query borrows scratch buffers from the index, so a warm query allocates nothing but its result).
/// </summary>
/// <remarks>
/// The words are kept sorted, so the words a prefix starts are one contiguous range (binary search). Each word has a
/// posting list of (title, field). Typos are found through the words' bigrams (with begin and end marks): a word within
/// k edits of a token of n distinct bigrams shares at least n - 3k of them (an edit destroys at most two bigrams, a
/// swap three), so only the words sharing that many, and of a length within k, are checked with the bounded
/// Damerau-Levenshtein distance (<see cref="EditDistance"/>). Scoring is documented on <see cref="SearchOptions"/>.
/// </remarks>
public sealed class SearchIndex
{
    /// <summary>Tokens of a query beyond these are ignored.</summary>
    public const int MaxQueryTokens = 16;
    /// <summary>Characters of a query beyond these are ignored.</summary>
    public const int MaxQueryLength = 512;
    /// <summary>Values of one field of one title beyond these (e.g. a cast of 300) are not indexed.</summary>
    public const int MaxValuesPerField = 255;
    /// <summary>The most titles and distinct words an index holds (the packed keys of the build).</summary>
    public const int MaxTitles = (1 << 23) - 1, MaxWords = (1 << 24) - 1;

    private const char Begin = '\u0002', End = '\u0003';

    private readonly Title[] _titles;
    private readonly string[] _words; // sorted (ordinal)
    private readonly Dictionary<string, int> _wordIds;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _wordLookup;
    private readonly float[] _idf;
    private readonly float _maxIdf;
    private readonly int[] _postingStart;
    private readonly int[] _postings; // title << 2 | field, ascending
    private readonly int[] _forwardStart;
    private readonly int[] _forwardWord;
    private readonly ushort[] _forwardField; // field << 8 | value index
    private readonly ushort[] _nameWords;
    private readonly Dictionary<int, int> _gramIds;
    private readonly int[] _gramStart;
    private readonly int[] _gramWords;
    private readonly long[] _availableFromMs, _availableUntilMs;
    private readonly byte[] _maturityAge; // 255: unknown
    private readonly ConcurrentBag<Scratch> _scratch = [];

    private SearchIndex(Title[] titles, IdMap ids, string[] words, float[] idf, int[] postingStart, int[] postings, int[] forwardStart,
        int[] forwardWord, ushort[] forwardField, ushort[] nameWords, Dictionary<int, int> gramIds, int[] gramStart, int[] gramWords)
    {
        _titles = titles;
        TitleIds = ids;
        _words = words;
        _wordIds = new Dictionary<string, int>(words.Length, StringComparer.Ordinal);
        for (int i = 0; i < words.Length; i++) _wordIds.Add(words[i], i);
        _wordLookup = _wordIds.GetAlternateLookup<ReadOnlySpan<char>>();
        _idf = idf;
        _maxIdf = (float)Math.Log(1 + Math.Max(1, titles.Length));
        _postingStart = postingStart;
        _postings = postings;
        _forwardStart = forwardStart;
        _forwardWord = forwardWord;
        _forwardField = forwardField;
        _nameWords = nameWords;
        _gramIds = gramIds;
        _gramStart = gramStart;
        _gramWords = gramWords;
        _availableFromMs = new long[titles.Length];
        _availableUntilMs = new long[titles.Length];
        _maturityAge = new byte[titles.Length];
        for (int t = 0; t < titles.Length; t++)
        {
            _availableFromMs[t] = titles[t].AvailableFromUtc is { } from ? UnixMs(from) : long.MinValue;
            _availableUntilMs[t] = titles[t].AvailableUntilUtc is { } until ? UnixMs(until) : long.MaxValue;
            _maturityAge[t] = MaturityRatings.AgeOf(titles[t].MaturityRating) is { } age ? (byte)age : byte.MaxValue;
        }
    }

    /// <summary>The titles, in index order.</summary>
    public IdMap TitleIds { get; }
    public int Count => _titles.Length;
    /// <summary>Distinct words indexed.</summary>
    public int Words => _words.Length;
    /// <summary>(word, title, field) postings.</summary>
    public int Postings => _postings.Length;

    public Title this[int index] => _titles[index];

    /// <summary>Reads the store's catalogue once and indexes it.</summary>
    public static async Task<SearchIndex> LoadAsync(IEventStore store, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var titles = new List<Title>();
        await foreach (var title in store.ReadTitlesAsync(ct).ConfigureAwait(false)) titles.Add(title);
        return Build(titles);
    }

    /// <summary>Indexes <paramref name="titles"/> (in that order).</summary>
    /// <exception cref="ArgumentException">A title id appears twice.</exception>
    public static SearchIndex Build(IEnumerable<Title> titles)
    {
        ArgumentNullException.ThrowIfNull(titles);
        var list = titles.ToArray();
        if (list.Length > MaxTitles) throw new ArgumentException($"an index holds at most {MaxTitles:N0} titles (got {list.Length:N0})");
        var ids = new IdMap(list.Length);
        foreach (var title in list)
        {
            ArgumentNullException.ThrowIfNull(title);
            if (ids.TryGetIndex(title.Id, out _)) throw new ArgumentException($"title {UnicodeText.Quote(title.Id)} appears twice");
            ids.GetOrAdd(title.Id);
        }

        // Words in order of first appearance, then renumbered in sorted order.
        var firstIds = new Dictionary<string, int>(StringComparer.Ordinal);
        var lookup = firstIds.GetAlternateLookup<ReadOnlySpan<char>>();
        var entries = new List<(int Word, int Title, ushort Field)>(list.Length * 12);
        var nameWords = new ushort[list.Length];
        var buffer = new char[256];
        for (int t = 0; t < list.Length; t++)
        {
            var title = list[t];
            nameWords[t] = (ushort)Math.Min(ushort.MaxValue, Add(title.Name, t, SearchField.Name, 0));
            AddAll(title.Cast, t, SearchField.Cast);
            AddAll(title.Directors, t, SearchField.Director);
            AddAll(title.Genres, t, SearchField.Genre);
        }

        if (firstIds.Count > MaxWords) throw new ArgumentException($"an index holds at most {MaxWords:N0} distinct words (the catalogue has {firstIds.Count:N0})");
        var words = new string[firstIds.Count];
        foreach (var (word, id) in firstIds) words[id] = word;
        var order = new int[words.Length];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        Array.Sort(words, order, StringComparer.Ordinal);
        var renumber = new int[words.Length];
        for (int i = 0; i < order.Length; i++) renumber[order[i]] = i;

        // The forward index (per title, its distinct words by field and value) and the postings (per word, its distinct (title, field)).
        var forwardKeys = new long[entries.Count];
        var postingKeys = new long[entries.Count];
        for (int i = 0; i < entries.Count; i++)
        {
            var (word, title, field) = entries[i];
            int w = renumber[word];
            forwardKeys[i] = ((long)title << 40) | ((long)w << 16) | field;
            postingKeys[i] = ((long)w << 32) | (uint)((title << 2) | (field >> 8));
        }
        Array.Sort(forwardKeys);
        Array.Sort(postingKeys);
        var forwardStart = new int[list.Length + 1];
        var forwardWord = new List<int>(entries.Count);
        var forwardField = new List<ushort>(entries.Count);
        for (int i = 0; i < forwardKeys.Length; i++)
        {
            if (i > 0 && forwardKeys[i] == forwardKeys[i - 1]) continue;
            int title = (int)(forwardKeys[i] >> 40);
            forwardStart[title + 1]++;
            forwardWord.Add((int)((forwardKeys[i] >> 16) & 0xFFFFFF));
            forwardField.Add((ushort)(forwardKeys[i] & 0xFFFF));
        }
        for (int t = 0; t < list.Length; t++) forwardStart[t + 1] += forwardStart[t];

        var postingStart = new int[words.Length + 1];
        var postings = new List<int>(entries.Count);
        var documents = new int[words.Length];
        int lastTitle = -1, lastWord = -1;
        for (int i = 0; i < postingKeys.Length; i++)
        {
            if (i > 0 && postingKeys[i] == postingKeys[i - 1]) continue;
            int w = (int)(postingKeys[i] >> 32);
            int posting = (int)(postingKeys[i] & 0xFFFFFFFF);
            postingStart[w + 1]++;
            postings.Add(posting);
            if (w != lastWord || posting >> 2 != lastTitle) documents[w]++;
            (lastWord, lastTitle) = (w, posting >> 2);
        }
        for (int w = 0; w < words.Length; w++) postingStart[w + 1] += postingStart[w];
        var idf = new float[words.Length];
        for (int w = 0; w < words.Length; w++) idf[w] = (float)Math.Log(1 + (double)list.Length / Math.Max(1, documents[w]));

        // Bigrams of each word with its begin and end marks, distinct per word.
        var gramKeys = new List<long>(words.Length * 8);
        Span<int> seen = stackalloc int[SearchText.MaxTokenLength + 1];
        for (int w = 0; w < words.Length; w++)
        {
            int n = Bigrams(words[w], seen);
            for (int g = 0; g < n; g++) gramKeys.Add(((long)seen[g] << 32) | (uint)w);
        }
        gramKeys.Sort();
        var gramIds = new Dictionary<int, int>();
        var gramStartList = new List<int> { 0 };
        var gramWords = new int[gramKeys.Count];
        for (int i = 0; i < gramKeys.Count; i++)
        {
            int key = (int)(gramKeys[i] >> 32);
            if (!gramIds.ContainsKey(key))
            {
                if (i > 0) gramStartList.Add(i);
                gramIds.Add(key, gramIds.Count);
            }
            gramWords[i] = (int)(gramKeys[i] & 0xFFFFFFFF);
        }
        gramStartList.Add(gramKeys.Count);
        if (gramKeys.Count == 0) gramStartList = [0];
        return new SearchIndex(list, ids, words, idf, postingStart, [.. postings], forwardStart, [.. forwardWord], [.. forwardField], nameWords,
            gramIds, [.. gramStartList], gramWords);

        void AddAll(IReadOnlyList<string>? values, int title, SearchField field)
        {
            if (values is null) return;
            for (int v = 0; v < values.Count && v < MaxValuesPerField; v++) Add(values[v], title, field, v);
        }

        int Add(string? value, int title, SearchField field, int valueIndex)
        {
            if (string.IsNullOrEmpty(value)) return 0;
            if (buffer.Length < SearchText.MaxNormalizedLength(value.Length)) buffer = new char[SearchText.MaxNormalizedLength(value.Length)];
            int length = SearchText.Normalize(value, buffer);
            int count = 0;
            ushort fieldValue = (ushort)(((int)field << 8) | valueIndex);
            foreach (var range in new ReadOnlySpan<char>(buffer, 0, length).Split(' '))
            {
                var token = buffer.AsSpan(0, length)[range];
                if (token.IsEmpty) continue;
                if (!lookup.TryGetValue(token, out int id))
                {
                    id = firstIds.Count;
                    lookup[token] = id;
                }
                entries.Add((id, title, fieldValue));
                count++;
            }
            return count;
        }
    }

    /// <summary>The distinct bigrams of <paramref name="word"/> framed by begin and end marks; returns how many.</summary>
    private static int Bigrams(ReadOnlySpan<char> word, Span<int> grams)
    {
        int n = 0;
        char previous = Begin;
        for (int i = 0; i <= word.Length; i++)
        {
            char c = i < word.Length ? word[i] : End;
            int key = (previous << 16) | c;
            if (grams[..n].IndexOf(key) < 0) grams[n++] = key;
            previous = c;
        }
        return n;
    }

    /// <summary>
    /// Searches without explanations, for throughput: writes the best titles (index order) and their scores, best first, and
    /// returns how many. <paramref name="memberScores"/> is one standardized score per title (<see cref="MemberTaste"/>),
    /// or empty for text alone.
    /// </summary>
    /// <exception cref="ArgumentException">A bad request, member scores of another length, or result spans shorter than the count.</exception>
    public int Search(ReadOnlySpan<char> query, SearchRequest request, ReadOnlySpan<float> memberScores, Span<int> titles, Span<float> scores)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Validate();
        if (titles.Length < request.Count || scores.Length < request.Count)
            throw new ArgumentException($"the result spans hold {Math.Min(titles.Length, scores.Length)} entries; the request asks for {request.Count}");
        var s = Rent();
        try
        {
            int n = Run(s, query, request, memberScores);
            for (int i = 0; i < n; i++)
            {
                titles[i] = s.Results[i].Title;
                scores[i] = s.Results[i].Score;
            }
            return n;
        }
        finally
        {
            _scratch.Add(s);
        }
    }

    /// <summary>Searches and explains each result: which field and word each query token matched, and how.</summary>
    /// <exception cref="ArgumentException">A bad request, or member scores of another length.</exception>
    public SearchResult Search(string query, SearchRequest request, ReadOnlySpan<float> memberScores = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(request);
        request.Validate();
        var s = Rent();
        try
        {
            int n = Run(s, query, request, memberScores);
            var tokens = new string[s.TokenCount];
            for (int i = 0; i < tokens.Length; i++) tokens[i] = new string(s.Text, s.TokenStart[i], s.TokenLength[i]);
            var hits = new SearchHit[n];
            for (int i = 0; i < n; i++)
            {
                ref var r = ref s.Results[i];
                var title = _titles[r.Title];
                hits[i] = new SearchHit(r.Title, title.Id, title.Name, r.Score, r.Text, r.Member, Explain(s, r.Title, tokens, request.Options));
            }
            return new SearchResult(tokens, hits, s.Matched, s.FilteredOut);
        }
        finally
        {
            _scratch.Add(s);
        }
    }

    private Scratch Rent() => _scratch.TryTake(out var s) ? s : new Scratch(_titles.Length, _words.Length);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int Run(Scratch s, ReadOnlySpan<char> query, SearchRequest request, ReadOnlySpan<float> memberScores)
    {
        if (!memberScores.IsEmpty && memberScores.Length != _titles.Length)
            throw new ArgumentException($"member scores cover {memberScores.Length} titles; the index has {_titles.Length}", nameof(memberScores));
        var options = request.Options;
        s.Matched = s.FilteredOut = s.Candidates = 0;
        s.TokenCount = 0;
        s.MatchCount = 0;
        if (query.Length > MaxQueryLength) query = query[..MaxQueryLength];
        int length = SearchText.Normalize(query, s.Text);
        var text = s.Text.AsSpan(0, length);
        // The tokens; the last is a prefix being typed unless the query ends with a separator.
        int start = 0;
        while (start < length && s.TokenCount < MaxQueryTokens)
        {
            int end = text[start..].IndexOf(' ');
            end = end < 0 ? length : start + end;
            s.TokenStart[s.TokenCount] = start;
            s.TokenLength[s.TokenCount] = end - start;
            s.TokenCount++;
            start = end + 1;
        }
        if (s.TokenCount == 0) return 0;
        bool typing = query.Length > 0 && !SearchText.IsSeparator(query[^1]) && start >= length;

        Span<float> fieldWeights = [options.NameWeight, options.CastWeight, options.DirectorWeight, options.GenreWeight];
        int queryEpoch = s.NextEpoch();
        float weightSum = 0;
        for (int k = 0; k < s.TokenCount; k++)
        {
            var token = text.Slice(s.TokenStart[k], s.TokenLength[k]);
            int tokenEpoch = s.NextEpoch();
            s.MatchStart[k] = s.MatchCount;
            float weight = Collect(s, token, k == s.TokenCount - 1 && typing, tokenEpoch, options);
            s.MatchEnd[k] = s.MatchCount;
            weightSum += weight;
            if (s.MatchCount == s.MatchStart[k]) continue;

            // The token's best match in each title it reaches.
            int touched = 0;
            for (int m = s.MatchStart[k]; m < s.MatchCount; m++)
            {
                int word = s.Matches[m].Word;
                float quality = s.Matches[m].Quality;
                var postings = _postings.AsSpan(_postingStart[word], _postingStart[word + 1] - _postingStart[word]);
                foreach (int posting in postings)
                {
                    int t = posting >> 2;
                    int field = posting & 3;
                    float value = quality * fieldWeights[field];
                    float name = field == 0 ? quality : 0f;
                    if (s.TokenStamp[t] != tokenEpoch)
                    {
                        s.TokenStamp[t] = tokenEpoch;
                        s.TokenBest[t] = value;
                        s.TokenName[t] = name;
                        if (touched == s.Touched.Length) Array.Resize(ref s.Touched, touched * 2);
                        s.Touched[touched++] = t;
                    }
                    else
                    {
                        if (value > s.TokenBest[t]) s.TokenBest[t] = value;
                        if (name > s.TokenName[t]) s.TokenName[t] = name;
                    }
                }
            }
            for (int i = 0; i < touched; i++)
            {
                int t = s.Touched[i];
                if (s.TitleStamp[t] != queryEpoch)
                {
                    s.TitleStamp[t] = queryEpoch;
                    s.Score[t] = 0;
                    s.NameHits[t] = 0;
                    if (s.Candidates == s.CandidateList.Length) Array.Resize(ref s.CandidateList, s.Candidates * 2);
                    s.CandidateList[s.Candidates++] = t;
                }
                s.Score[t] += weight * s.TokenBest[t];
                s.NameHits[t] += s.TokenName[t];
            }
        }

        // Text score, member score, filters, and the best Count kept in a min-heap.
        long asOf = UnixMs(request.AsOfUtc ?? DateTime.UtcNow);
        int limit = request.MaturityLimit is { } maturity ? MaturityRatings.RequireAge(maturity) : int.MaxValue;
        float coverage = options.NameCoverage, memberWeight = options.MemberWeight;
        bool personal = !memberScores.IsEmpty;
        int capacity = request.Count, size = 0;
        var heap = s.Results.AsSpan(0, capacity);
        s.Matched = s.Candidates;
        for (int i = 0; i < s.Candidates; i++)
        {
            int t = s.CandidateList[i];
            if (_availableFromMs[t] > asOf || asOf >= _availableUntilMs[t] || _maturityAge[t] > limit)
            {
                s.FilteredOut++;
                continue;
            }
            float relevance = s.Score[t] / weightSum;
            float share = _nameWords[t] == 0 ? 0f : Math.Min(1f, s.NameHits[t] / _nameWords[t]);
            var entry = new Result
            {
                Title = t,
                Text = (relevance + coverage * share) / (1 + coverage),
                Member = personal ? memberScores[t] : 0f,
            };
            entry.Score = entry.Text + memberWeight * entry.Member;
            if (size < capacity)
            {
                heap[size] = entry;
                SiftUp(heap, size++);
            }
            else if (Better(entry, heap[0]))
            {
                heap[0] = entry;
                SiftDown(heap, 0, size);
            }
        }
        // Best first: pop the worst to the end.
        for (int end = size - 1; end > 0; end--)
        {
            (heap[0], heap[end]) = (heap[end], heap[0]);
            SiftDown(heap, 0, end);
        }
        return size;
    }

    /// <summary>Finds the words a token matches (exact, prefix, typo) and returns the token's weight (idf).</summary>
    private float Collect(Scratch s, ReadOnlySpan<char> token, bool prefix, int epoch, SearchOptions options)
    {
        float weight = -1, bestQuality = -1;
        bool hasExact = _wordLookup.TryGetValue(token, out int exact);
        if (hasExact)
        {
            Add(s, exact, MatchKind.Exact, 0, 1f, epoch);
            weight = _idf[exact];
            bestQuality = 1f;
        }
        if (prefix && token.Length >= options.MinPrefixLength)
        {
            int w = LowerBound(token);
            for (; w < _words.Length && _words[w].AsSpan().StartsWith(token, StringComparison.Ordinal); w++)
            {
                if (s.WordMark[w] == epoch) continue;
                Add(s, w, MatchKind.Prefix, 0, options.PrefixQuality, epoch);
                Keep(options.PrefixQuality, _idf[w]);
            }
        }
        int maxEdits = Math.Min(options.MaxEdits(token.Length), 2);
        if (maxEdits > 0)
        {
            Span<int> grams = stackalloc int[SearchText.MaxTokenLength + 2];
            int n = Bigrams(token, grams);
            int need = Math.Max(1, n - 3 * maxEdits);
            int gramEpoch = s.NextEpoch();
            int candidates = 0;
            for (int g = 0; g < n; g++)
            {
                if (!_gramIds.TryGetValue(grams[g], out int id)) continue;
                var list = _gramWords.AsSpan(_gramStart[id], _gramStart[id + 1] - _gramStart[id]);
                foreach (int w in list)
                {
                    if (s.GramStamp[w] != gramEpoch)
                    {
                        s.GramStamp[w] = gramEpoch;
                        s.GramCount[w] = 1;
                        if (Math.Abs(_words[w].Length - token.Length) <= maxEdits && s.WordMark[w] != epoch)
                        {
                            if (candidates == s.WordCandidates.Length) Array.Resize(ref s.WordCandidates, candidates * 2);
                            s.WordCandidates[candidates++] = w;
                        }
                    }
                    else s.GramCount[w]++;
                }
            }
            for (int i = 0; i < candidates; i++)
            {
                int w = s.WordCandidates[i];
                if (s.GramCount[w] < need) continue;
                int edits = EditDistance.Bounded(token, _words[w], maxEdits);
                if (edits == 0 || edits > maxEdits) continue;
                float quality = options.QualityOf(MatchKind.Typo, edits);
                Add(s, w, MatchKind.Typo, edits, quality, epoch);
                Keep(quality, _idf[w]);
            }
        }
        return weight >= 0 ? weight : _maxIdf;

        void Keep(float quality, float idf)
        {
            if (hasExact) return; // the exact word sets the weight
            if (quality > bestQuality || (quality == bestQuality && idf > weight)) (bestQuality, weight) = (quality, idf);
        }
    }

    private static void Add(Scratch s, int word, MatchKind kind, int edits, float quality, int epoch)
    {
        s.WordMark[word] = epoch;
        if (s.MatchCount == s.Matches.Length) Array.Resize(ref s.Matches, s.MatchCount * 2);
        s.Matches[s.MatchCount++] = new WordMatch { Word = word, Quality = quality, Kind = kind, Edits = (byte)edits };
    }

    /// <summary>The first word not ordinally below <paramref name="token"/>.</summary>
    private int LowerBound(ReadOnlySpan<char> token)
    {
        int lo = 0, hi = _words.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (_words[mid].AsSpan().SequenceCompareTo(token) < 0) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    /// <summary>For each query token, the best match in the title (as scored), or nothing for a token it did not match.</summary>
    private List<SearchMatch> Explain(Scratch s, int title, string[] tokens, SearchOptions options)
    {
        var matches = new List<SearchMatch>(tokens.Length);
        for (int k = 0; k < tokens.Length; k++)
        {
            float best = -1;
            SearchMatch? chosen = null;
            for (int f = _forwardStart[title]; f < _forwardStart[title + 1]; f++)
            {
                int word = _forwardWord[f];
                for (int m = s.MatchStart[k]; m < s.MatchEnd[k]; m++)
                {
                    ref var match = ref s.Matches[m];
                    if (match.Word != word) continue;
                    var field = (SearchField)(_forwardField[f] >> 8);
                    float value = match.Quality * options.WeightOf(field);
                    if (value > best)
                    {
                        best = value;
                        chosen = new SearchMatch(tokens[k], field, ValueOf(title, field, _forwardField[f] & 0xFF), _words[word], match.Kind, match.Edits);
                    }
                    break;
                }
            }
            if (chosen is not null) matches.Add(chosen);
        }
        return matches;
    }

    private string ValueOf(int title, SearchField field, int value)
    {
        var t = _titles[title];
        return field switch
        {
            SearchField.Name => t.Name,
            SearchField.Cast => t.Cast[value],
            SearchField.Director => t.Directors[value],
            _ => t.Genres[value],
        };
    }

    private static long UnixMs(DateTime utc)
    {
        if (utc.Kind == DateTimeKind.Local) utc = utc.ToUniversalTime();
        return (utc.Ticks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerMillisecond;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Better(in Result a, in Result b)
    {
        if (a.Score != b.Score) return a.Score > b.Score;
        if (a.Text != b.Text) return a.Text > b.Text;
        if (a.Member != b.Member) return a.Member > b.Member;
        return a.Title < b.Title;
    }

    // A min-heap on Better: the root is the worst result kept.
    private static void SiftUp(Span<Result> heap, int i)
    {
        while (i > 0)
        {
            int parent = (i - 1) >> 1;
            if (!Better(heap[parent], heap[i])) break;
            (heap[parent], heap[i]) = (heap[i], heap[parent]);
            i = parent;
        }
    }

    private static void SiftDown(Span<Result> heap, int i, int size)
    {
        while (true)
        {
            int left = 2 * i + 1;
            if (left >= size) return;
            int worst = left;
            if (left + 1 < size && Better(heap[left], heap[left + 1])) worst = left + 1;
            if (!Better(heap[i], heap[worst])) return;
            (heap[i], heap[worst]) = (heap[worst], heap[i]);
            i = worst;
        }
    }

    private struct Result
    {
        public int Title;
        public float Score, Text, Member;
    }

    private struct WordMatch
    {
        public int Word;
        public float Quality;
        public MatchKind Kind;
        public byte Edits;
    }

    /// <summary>The buffers of one query, reused across queries.</summary>
    private sealed class Scratch(int titles, int words)
    {
        public readonly int[] TitleStamp = new int[titles];
        public readonly float[] Score = new float[titles];
        public readonly float[] NameHits = new float[titles];
        public readonly int[] TokenStamp = new int[titles];
        public readonly float[] TokenBest = new float[titles];
        public readonly float[] TokenName = new float[titles];
        public readonly int[] GramStamp = new int[words];
        public readonly byte[] GramCount = new byte[words];
        public readonly int[] WordMark = new int[words];
        public int[] CandidateList = new int[256];
        public int[] Touched = new int[256];
        public int[] WordCandidates = new int[64];
        public WordMatch[] Matches = new WordMatch[64];
        public readonly Result[] Results = new Result[SearchRequest.MaxCount];
        public readonly char[] Text = new char[SearchText.MaxNormalizedLength(MaxQueryLength)];
        public readonly int[] TokenStart = new int[MaxQueryTokens];
        public readonly int[] TokenLength = new int[MaxQueryTokens];
        public readonly int[] MatchStart = new int[MaxQueryTokens];
        public readonly int[] MatchEnd = new int[MaxQueryTokens];
        public int TokenCount, MatchCount, Candidates, Matched, FilteredOut;
        private int _epoch;

        public int NextEpoch()
        {
            if (++_epoch == int.MaxValue)
            {
                Array.Clear(TitleStamp);
                Array.Clear(TokenStamp);
                Array.Clear(GramStamp);
                Array.Clear(WordMark);
                _epoch = 1;
            }
            return _epoch;
        }
    }
}

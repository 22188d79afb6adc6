using Encore.Core;

namespace Encore.Evaluation.Ranking;

/// <summary>
/// The per-member split of P-TOPN and P-TOPN-R (PROTOCOLS.md), or a split made elsewhere, as the train matrix and
/// each member's test titles. Each member with at least <see cref="MinPositives"/> positives sends
/// max(1, round(0.2 n)) of them (round half away from zero) to test; everyone else keeps all positives in train and
/// is not a test member. Which ones go is the <see cref="SplitRule"/>'s:
/// <list type="bullet">
/// <item><see cref="SplitKind.Chronological"/> (P-TOPN): the last ones by (time, title id).</item>
/// <item><see cref="SplitKind.Random"/> (P-TOPN-R): the member's titles in id order, shuffled by Fisher-Yates from the
/// last position down (position i swaps with floor(u (i + 1)), u the next <see cref="Xoshiro256StarStar.NextDouble"/>
/// of one generator seeded with <see cref="SplitRule.Seed"/>, members taken in id order, members with fewer than 5
/// positives drawing nothing), and the first ones of the shuffled order go to test.</item>
/// <item><see cref="SplitKind.Given"/>: the data's test part is the test (every member with a test positive is a test
/// member, however few positives), its train part the train.</item>
/// </list>
/// <see cref="Validation"/> carves the split to tune on out of the train part only, by the same rule.
/// </summary>
public sealed class RankingSplit
{
    public const int MinPositives = 5;
    public const double TestFraction = 0.2;

    private readonly int[] _historyPointers;
    private readonly int[] _history;

    private RankingSplit(InteractionMatrix train, int[] historyPointers, int[] history, int[][] test, int[] testMembers, SplitRule rule, bool hasTimes)
    {
        Train = train;
        _historyPointers = historyPointers;
        _history = history;
        Test = test;
        TestMembers = testMembers;
        Rule = rule;
        HasTimes = hasTimes;
        foreach (var t in test) TestPositives += t.Length;
    }

    /// <summary>
    /// The training positives: members x the whole catalogue, with their weights (1 for ratings) and, where the data
    /// has them, their ratings and times (and any negative evidence of a matrix carved by <see cref="Carve"/>). Row r
    /// is member r; columns are the catalogue's title indices.
    /// </summary>
    public InteractionMatrix Train { get; }

    /// <summary>Each member's test titles, by (time, title id) where the split has times, else by title id (empty for members who are not test members).</summary>
    public IReadOnlyList<int[]> Test { get; }

    /// <summary>The test members' row indices, ascending.</summary>
    public int[] TestMembers { get; }

    public SplitRule Rule { get; }

    /// <summary>Whether the positives carry times: a member's history and test titles are in time order (P-NEXT needs it).</summary>
    public bool HasTimes { get; }

    public int TrainPositives
    {
        get
        {
            if (!Train.HasNegatives) return Train.NonZeros;
            int n = 0;
            foreach (var v in Train.Values) if (v > 0) n++;
            return n;
        }
    }

    public int TestPositives { get; }
    public int TestUsers => TestMembers.Length;

    /// <summary>A member's training positives ordered by (time, title id) (by title id without times): the last is the member's latest.</summary>
    public ReadOnlySpan<int> ChronologicalTrain(int member) => _history.AsSpan(_historyPointers[member], _historyPointers[member + 1] - _historyPointers[member]);

    /// <summary>How many of a member's <paramref name="positives"/> go to test.</summary>
    public static int TestCount(int positives)
        => positives < MinPositives ? 0 : Math.Max(1, (int)Math.Round(TestFraction * positives, MidpointRounding.AwayFromZero));

    /// <summary>Splits <paramref name="data"/> by <paramref name="rule"/>.</summary>
    /// <exception cref="ArgumentException">
    /// The rule does not fit the data: chronological on data without times, a given split on data that is not one, or
    /// the other way round. The message says what to use instead.
    /// </exception>
    public static RankingSplit Create(RankingData data, SplitRule rule, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(rule);
        if (data.IsGivenSplit != (rule.Kind == SplitKind.Given))
            throw new ArgumentException(data.IsGivenSplit
                ? $"{data.Name} is a split made elsewhere (train and test files): it is evaluated as given, not re-split"
                : $"{data.Name} is not a split made elsewhere: a given split needs a train and a test part", nameof(rule));
        if (rule.Kind == SplitKind.Chronological && !data.HasTimes)
            throw new ArgumentException($"{data.Name} has no timestamps ({data.NoTimesReason}), so P-TOPN cannot split each member's positives in time; "
                + "P-TOPN-R splits them at random per member instead (--protocol p-topn-r, seeded)", nameof(rule));
        var positives = data.Positives;
        int rows = data.Members.Count;
        var entries = new Entry[positives.Length];
        for (int i = 0; i < entries.Length; i++)
        {
            var p = positives[i];
            entries[i] = new Entry(p.Member, p.Title, p.Weight, p.Rating, p.Time);
        }
        if (rule.Kind == SplitKind.Given)
            return Given(entries, data.GivenTestStart, data.Members, data.Catalogue, data.HasTimes, data.HasRatings, ct);
        return Split(entries, RowStarts(entries, rows), data.Members, data.Catalogue, rule, data.HasTimes, data.HasRatings, ct);
    }

    /// <summary>The same rule applied to this split's training positives: the split to tune on (the test part is never seen).</summary>
    public RankingSplit Validation(CancellationToken ct = default) => Carve(Train, Rule.Seed, ct);

    /// <summary>
    /// A validation split carved out of <paramref name="train"/> (training data only): chronological when the matrix
    /// has times, else random with <paramref name="seed"/>. Negative evidence (a weight of 0 or less) stays in train.
    /// </summary>
    public static RankingSplit Carve(InteractionMatrix train, ulong seed = SplitRule.DefaultSeed, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        var entries = new Entry[train.NonZeros];
        var ratings = train.Ratings;
        var times = train.Timestamps;
        for (int m = 0; m < train.Rows; m++)
            for (int p = train.RowPointers[m]; p < train.RowPointers[m + 1]; p++)
                entries[p] = new Entry(m, train.ColumnIndices[p], train.Values[p], ratings?[p] ?? float.NaN, times?[p] ?? 0);
        var rule = times is null ? SplitRule.Random(seed) : SplitRule.Chronological;
        return Split(entries, train.RowPointers, train.MemberIds, train.TitleIds, rule, times is not null, ratings is not null, ct);
    }

    private readonly record struct Entry(int Member, int Title, float Weight, float Rating, long Time);

    private static int[] RowStarts(ReadOnlySpan<Entry> entries, int rows)
    {
        var start = new int[rows + 1];
        foreach (var e in entries) start[e.Member + 1]++;
        for (int m = 0; m < rows; m++) start[m + 1] += start[m];
        return start;
    }

    private static readonly Comparison<Entry> ByTimeThenTitle = (a, b) => a.Time != b.Time ? a.Time.CompareTo(b.Time) : a.Title.CompareTo(b.Title);

    /// <summary>The chronological or random rule over entries grouped by member (ascending) and by title within a member.</summary>
    private static RankingSplit Split(Entry[] entries, int[] rowStart, IdMap members, IdMap catalogue, SplitRule rule, bool hasTimes, bool hasRatings,
        CancellationToken ct)
    {
        int rows = members.Count;
        var train = new CsrWriter(rows, entries.Length, hasRatings, hasTimes);
        var historyPointers = new int[rows + 1];
        var history = new int[entries.Length];
        int historyCount = 0;
        var test = new int[rows][];
        var testMembers = new List<int>();
        var rng = new Xoshiro256StarStar(rule.Seed);
        var positives = new Entry[16];
        var toTest = new bool[16];
        var order = new Entry[16];
        for (int m = 0; m < rows; m++)
        {
            if ((m & 1023) == 0) ct.ThrowIfCancellationRequested();
            var row = entries.AsSpan(rowStart[m], rowStart[m + 1] - rowStart[m]);
            if (positives.Length < row.Length)
            {
                positives = new Entry[row.Length * 2];
                toTest = new bool[row.Length * 2];
                order = new Entry[row.Length * 2];
            }
            int n = 0;
            foreach (var e in row) if (e.Weight > 0) positives[n++] = e;
            int nTest = TestCount(n);
            // Mark the test positives by title (positives are in title order, as the row is).
            var marks = toTest.AsSpan(0, n);
            marks.Clear();
            if (nTest > 0 && rule.Kind == SplitKind.Chronological)
            {
                var byTime = order.AsSpan(0, n);
                positives.AsSpan(0, n).CopyTo(byTime);
                byTime.Sort(ByTimeThenTitle);
                for (int k = n - nTest; k < n; k++) marks[IndexOfTitle(positives.AsSpan(0, n), byTime[k].Title)] = true;
            }
            else if (nTest > 0)
            {
                // Fisher-Yates over positions 0..n-1 of the title-ordered list; the first nTest positions go to test.
                var shuffled = order.AsSpan(0, n);
                positives.AsSpan(0, n).CopyTo(shuffled);
                for (int i = n - 1; i > 0; i--)
                {
                    int j = (int)(rng.NextDouble() * (i + 1));
                    (shuffled[i], shuffled[j]) = (shuffled[j], shuffled[i]);
                }
                for (int k = 0; k < nTest; k++) marks[IndexOfTitle(positives.AsSpan(0, n), shuffled[k].Title)] = true;
            }

            // Train: the row without the test positives, in title order (negative evidence included).
            int p = 0;
            foreach (var e in row)
            {
                bool isTest = false;
                if (e.Weight > 0)
                {
                    isTest = marks[p];
                    p++;
                }
                if (!isTest) train.Add(e.Title, e.Weight, e.Rating, e.Time);
            }
            train.EndRow();

            // The member's history (train positives) and test titles, each by (time, title) where there are times.
            var kept = order.AsSpan(0, n);
            int nKept = 0, nTestWritten = 0;
            var testTitles = nTest == 0 ? Array.Empty<int>() : new int[nTest];
            var testEntries = positives.AsSpan(0, n); // reused in place below, after the train part is written
            for (int k = 0; k < n; k++)
            {
                if (marks[k]) testEntries[nTestWritten++] = positives[k];
                else kept[nKept++] = positives[k];
            }
            if (hasTimes)
            {
                kept[..nKept].Sort(ByTimeThenTitle);
                testEntries[..nTestWritten].Sort(ByTimeThenTitle);
            }
            historyPointers[m] = historyCount;
            foreach (var e in kept[..nKept]) history[historyCount++] = e.Title;
            for (int k = 0; k < nTestWritten; k++) testTitles[k] = testEntries[k].Title;
            test[m] = testTitles;
            if (nTest > 0) testMembers.Add(m);
        }
        historyPointers[rows] = historyCount;
        return new RankingSplit(train.Build(members, catalogue), historyPointers, history, test, testMembers.ToArray(), rule, hasTimes);
    }

    /// <summary>The given rule: entries [0, testStart) are train, the rest test; each part grouped by member and title.</summary>
    private static RankingSplit Given(Entry[] entries, int testStart, IdMap members, IdMap catalogue, bool hasTimes, bool hasRatings, CancellationToken ct)
    {
        int rows = members.Count;
        var trainPart = entries.AsSpan(0, testStart);
        var testPart = entries.AsSpan(testStart);
        var trainStart = RowStarts(trainPart, rows);
        var testStartOf = RowStarts(testPart, rows);
        var train = new CsrWriter(rows, trainPart.Length, hasRatings, hasTimes);
        var historyPointers = new int[rows + 1];
        var history = new int[trainPart.Length];
        int historyCount = 0;
        var test = new int[rows][];
        var testMembers = new List<int>();
        var scratch = new Entry[16];
        for (int m = 0; m < rows; m++)
        {
            if ((m & 1023) == 0) ct.ThrowIfCancellationRequested();
            var row = trainPart[trainStart[m]..trainStart[m + 1]];
            foreach (var e in row) train.Add(e.Title, e.Weight, e.Rating, e.Time);
            train.EndRow();
            if (scratch.Length < row.Length) scratch = new Entry[row.Length * 2];
            var kept = scratch.AsSpan(0, row.Length);
            row.CopyTo(kept);
            if (hasTimes) kept.Sort(ByTimeThenTitle);
            historyPointers[m] = historyCount;
            foreach (var e in kept) history[historyCount++] = e.Title;

            var t = testPart[testStartOf[m]..testStartOf[m + 1]];
            if (t.IsEmpty)
            {
                test[m] = Array.Empty<int>();
                continue;
            }
            var ordered = t.ToArray();
            if (hasTimes) ordered.AsSpan().Sort(ByTimeThenTitle);
            var titles = new int[ordered.Length];
            for (int k = 0; k < titles.Length; k++) titles[k] = ordered[k].Title;
            test[m] = titles;
            testMembers.Add(m);
        }
        historyPointers[rows] = historyCount;
        return new RankingSplit(train.Build(members, catalogue), historyPointers, history, test, testMembers.ToArray(), SplitRule.Given, hasTimes);
    }

    private static int IndexOfTitle(ReadOnlySpan<Entry> byTitle, int title)
    {
        int lo = 0, hi = byTitle.Length - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            int t = byTitle[mid].Title;
            if (t == title) return mid;
            if (t < title) lo = mid + 1;
            else hi = mid - 1;
        }
        throw new InvalidOperationException($"title {title} is not in the member's positives");
    }

    /// <summary>Writes CSR rows in order (each row's entries already in title order): no builder, no per-entry allocation.</summary>
    private sealed class CsrWriter(int rows, int capacity, bool ratings, bool times)
    {
        private readonly int[] _pointers = new int[rows + 1];
        private readonly int[] _columns = new int[capacity];
        private readonly float[] _values = new float[capacity];
        private readonly float[]? _ratings = ratings ? new float[capacity] : null;
        private readonly long[]? _times = times ? new long[capacity] : null;
        private int _row;
        private int _count;

        public void Add(int title, float weight, float rating, long time)
        {
            _columns[_count] = title;
            _values[_count] = weight;
            if (_ratings is not null) _ratings[_count] = rating;
            if (_times is not null) _times[_count] = time;
            _count++;
        }

        public void EndRow() => _pointers[++_row] = _count;

        public InteractionMatrix Build(IdMap members, IdMap catalogue)
        {
            if (_row != rows) throw new InvalidOperationException($"{_row} of {rows} rows written");
            return new InteractionMatrix(members, catalogue, _pointers, _columns[.._count], _values[.._count], _ratings?[.._count], _times?[.._count]);
        }
    }
}

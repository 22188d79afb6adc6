using Encore.Core;
using Encore.Ingestion.Importers;

namespace Encore.Evaluation.Ranking;

/// <summary>
/// The chronological per-member split of P-TOPN (PROTOCOLS.md): each member with at least
/// <see cref="MinPositives"/> positives sends the last max(1, round(0.2 n)) of them, ordered by (time, title id),
/// to test (round half away from zero); everyone else keeps all positives in train and is not a test member.
/// <see cref="Validation"/> applies the same rule to the train part, for tuning without touching the test part.
/// </summary>
public sealed class ChronologicalSplit
{
    public const int MinPositives = 5;
    public const double TestFraction = 0.2;

    private ChronologicalSplit(InteractionMatrix train, int[][] chronologicalTrain, int[][] test, int[] testMembers)
    {
        Train = train;
        _chronologicalTrain = chronologicalTrain;
        Test = test;
        TestMembers = testMembers;
        TestPositives = 0;
        foreach (var t in test) TestPositives += t.Length;
    }

    private readonly int[][] _chronologicalTrain;

    /// <summary>
    /// The training positives: members x the whole catalogue, weight 1 each, with their ratings and times.
    /// Row r is member r; columns are the catalogue's title indices.
    /// </summary>
    public InteractionMatrix Train { get; }

    /// <summary>Each member's test titles in time order (empty for members who are not test members).</summary>
    public IReadOnlyList<int[]> Test { get; }

    /// <summary>The test members' row indices, ascending.</summary>
    public int[] TestMembers { get; }

    public int TrainPositives => Train.NonZeros;
    public int TestPositives { get; }
    public int TestUsers => TestMembers.Length;

    /// <summary>A member's training titles ordered by (time, title id): the last is the member's latest positive.</summary>
    public ReadOnlySpan<int> ChronologicalTrain(int member) => _chronologicalTrain[member];

    /// <summary>How many of a member's <paramref name="positives"/> go to test.</summary>
    public static int TestCount(int positives)
        => positives < MinPositives ? 0 : Math.Max(1, (int)Math.Round(TestFraction * positives, MidpointRounding.AwayFromZero));

    /// <summary>
    /// Splits <paramref name="positives"/> over <paramref name="catalogue"/> (every title must be in it). A member who
    /// rated the same title more than once keeps the latest of those ratings.
    /// </summary>
    public static ChronologicalSplit Create(IReadOnlyList<RatingRecord> positives, IdMap catalogue, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(positives);
        ArgumentNullException.ThrowIfNull(catalogue);
        var members = new IdMap();
        var entries = new Entry[positives.Count];
        for (int i = 0; i < positives.Count; i++)
        {
            var r = positives[i];
            int title = catalogue.IndexOf(r.TitleId);
            if (title < 0) throw new ArgumentException($"positive {i} (member '{r.MemberId}'): title '{r.TitleId}' is not in the catalogue", nameof(positives));
            entries[i] = new Entry(members.GetOrAdd(r.MemberId), title, r.Rating, r.UnixSeconds);
        }
        return Create(entries, members, catalogue, ct);
    }

    /// <summary>The same rule applied to this split's training positives: the split to tune on.</summary>
    public ChronologicalSplit Validation(CancellationToken ct = default)
    {
        var train = Train;
        var entries = new Entry[train.NonZeros];
        var ratings = train.Ratings;
        var times = train.Timestamps;
        for (int m = 0; m < train.Rows; m++)
            for (int p = train.RowPointers[m]; p < train.RowPointers[m + 1]; p++)
                entries[p] = new Entry(m, train.ColumnIndices[p], ratings?[p] ?? float.NaN, times?[p] ?? 0);
        return Create(entries, train.MemberIds, train.TitleIds, ct);
    }

    private readonly record struct Entry(int Member, int Title, float Rating, long Time);

    private static ChronologicalSplit Create(Entry[] entries, IdMap members, IdMap catalogue, CancellationToken ct)
    {
        // Group by member with a counting sort, then order each member's positives by (time, title).
        int rows = members.Count;
        var start = new int[rows + 1];
        foreach (var e in entries) start[e.Member + 1]++;
        for (int m = 0; m < rows; m++) start[m + 1] += start[m];
        var next = start.AsSpan(0, rows).ToArray();
        var grouped = new Entry[entries.Length];
        foreach (var e in entries) grouped[next[e.Member]++] = e;

        var builder = new InteractionMatrixBuilder(members, catalogue);
        var chronological = new int[rows][];
        var test = new int[rows][];
        var testMembers = new List<int>();
        var comparer = Comparer<Entry>.Create((a, b) => a.Time != b.Time ? a.Time.CompareTo(b.Time) : a.Title.CompareTo(b.Title));
        for (int m = 0; m < rows; m++)
        {
            if ((m & 1023) == 0) ct.ThrowIfCancellationRequested();
            var span = grouped.AsSpan(start[m], start[m + 1] - start[m]);
            span.Sort(comparer);
            int n = Deduplicate(span);
            span = span[..n];
            int nTest = TestCount(n);
            int nTrain = n - nTest;
            var order = new int[nTrain];
            for (int k = 0; k < nTrain; k++)
            {
                var e = span[k];
                order[k] = e.Title;
                builder.Add(m, e.Title, 1f, float.IsNaN(e.Rating) ? null : e.Rating, e.Time);
            }
            chronological[m] = order;
            var t = new int[nTest];
            for (int k = 0; k < nTest; k++) t[k] = span[nTrain + k].Title;
            test[m] = t;
            if (nTest > 0) testMembers.Add(m);
        }
        return new ChronologicalSplit(builder.Build(), chronological, test, testMembers.ToArray());
    }

    /// <summary>Keeps the latest positive of each title in a time-ordered span; returns the new length (order kept).</summary>
    private static int Deduplicate(Span<Entry> span)
    {
        if (span.Length < 2) return span.Length;
        var seen = new HashSet<int>();
        bool duplicates = false;
        foreach (var e in span) duplicates |= !seen.Add(e.Title);
        if (!duplicates) return span.Length;
        seen.Clear();
        int write = span.Length;
        for (int read = span.Length - 1; read >= 0; read--) // walk back so the latest of each title survives
            if (seen.Add(span[read].Title)) span[--write] = span[read];
        int n = span.Length - write;
        span[write..].CopyTo(span);
        return n;
    }
}

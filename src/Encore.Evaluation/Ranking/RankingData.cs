using System.Globalization;
using Encore.Core;
using Encore.Evaluation.Interactions;
using Encore.Ingestion;
using Encore.Ingestion.Importers;
using Encore.Signals;
using Encore.Storage;

namespace Encore.Evaluation.Ranking;

/// <summary>
/// One positive of a ranking data set: member and title (indices in <see cref="RankingData.Members"/> and
/// <see cref="RankingData.Catalogue"/>), the weight models may use (1 for a rating, a play count, a confidence), the
/// rating where the data has ratings (NaN otherwise) and the time in Unix seconds (0 where the data has none).
/// </summary>
public readonly record struct RankingPositive(int Member, int Title, float Weight, float Rating, long Time);

/// <summary>
/// What P-TOPN, P-TOPN-R and P-NEXT start from, whatever the data: the positives (one per member and title), the
/// catalogue (every title id of the data set), the members with at least one positive, and whether the positives
/// have times. Every source of data becomes one of these, and <see cref="RankingSplit.Create"/> splits it; so one
/// split and one protocol serve a MovieLens folder, a store, an events file, an interactions file and a split made
/// elsewhere. Members and titles are indexed in id order (<see cref="TitleIdOrder"/>: numeric where the ids are
/// integers), so that "then item id" ties break the same way whatever the source, and the same positives from two
/// sources give the same matrices, bit for bit.
/// </summary>
/// <remarks>
/// What a positive is, by source:
/// <list type="bullet">
/// <item>Ratings (a MovieLens folder; a store in which no title was ever begun, e.g. an imported MovieLens release):
/// the latest rating of each member and title, when it is at least <see cref="PositiveThreshold"/>; every other rating
/// is dropped (P-TOPN). Weight 1, the rating and its time kept.</item>
/// <item>Viewing events (a store or an events file with plays): each pair the preference model
/// (<see cref="PreferenceModel"/>, <see cref="PreferenceOptions.Plays"/> unless other preferences are given) calls
/// positive evidence as of the log's last event, weighted by its confidence, at the time of the pair's last event.
/// Negative evidence and pairs without evidence are not positives.</item>
/// <item>Interactions (<c>user,item[,weight][,timestamp]</c>): the lines of one pair are merged (weights added, the
/// latest time kept), and a pair with a positive weight is a positive (P-TOPN-R), with that weight.</item>
/// </list>
/// </remarks>
public sealed class RankingData
{
    /// <summary>Ratings at or above this are positives (P-TOPN).</summary>
    public const float PositiveThreshold = 4f;

    private readonly RankingPositive[] _positives;

    private RankingData(string name, IdMap members, IdMap catalogue, RankingPositive[] positives, int givenTestStart, bool hasTimes,
        bool hasRatings, string noTimesReason, long records, string recordUnit, string positiveRule)
    {
        Name = name;
        Members = members;
        Catalogue = catalogue;
        _positives = positives;
        GivenTestStart = givenTestStart;
        HasTimes = hasTimes;
        HasRatings = hasRatings;
        NoTimesReason = hasTimes ? "" : noTimesReason;
        Records = records;
        RecordUnit = recordUnit;
        PositiveRule = positiveRule;
    }

    /// <summary>The data set's name (a folder's or file's name, e.g. "ml-100k").</summary>
    public string Name { get; }

    /// <summary>The members with at least one positive, in id order: the rows of every split's matrices.</summary>
    public IdMap Members { get; }

    /// <summary>Every title id of the data set, in id order: the columns of every split's matrices.</summary>
    public IdMap Catalogue { get; }

    /// <summary>
    /// The positives, grouped by member (ascending) and by title within a member; for a split made elsewhere, the
    /// train part's and then the test part's (<see cref="GivenTestStart"/>).
    /// </summary>
    public ReadOnlySpan<RankingPositive> Positives => _positives;

    public int PositiveCount => _positives.Length;

    /// <summary>Whether the positives are a split made elsewhere: [0, start) train, [start, end) test.</summary>
    public bool IsGivenSplit => GivenTestStart >= 0;

    /// <summary>Where the given test part starts in <see cref="Positives"/> (-1 when the data is not split).</summary>
    public int GivenTestStart { get; }

    /// <summary>Whether the positives carry times that order them (else every time is 0).</summary>
    public bool HasTimes { get; }

    /// <summary>Why the data has no times, in words (empty when it has them).</summary>
    public string NoTimesReason { get; }

    /// <summary>Whether the positives carry explicit ratings (else every rating is NaN).</summary>
    public bool HasRatings { get; }

    /// <summary>How many records the source held (ratings, events, lines), and what they were.</summary>
    public long Records { get; }
    public string RecordUnit { get; }

    /// <summary>What made a record a positive, in words (printed with the split).</summary>
    public string PositiveRule { get; }

    /// <summary>"ml-100k: 100,000 ratings, 55,375 positives (ratings >= 4), 1,682 titles, 943 members".</summary>
    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"{Name}: {Records:N0} {RecordUnit}, {PositiveCount:N0} positives ({PositiveRule}), {Catalogue.Count:N0} titles, {Members.Count:N0} members")
        + (HasTimes ? "" : $"; no timestamps ({NoTimesReason})");

    /// <summary>Loads the MovieLens release in <paramref name="folder"/> (100K, 1M or latest; see <see cref="MovieLensDataset"/>).</summary>
    public static RankingData Load(string folder, CancellationToken ct = default)
    {
        var dataset = MovieLensDataset.Load(folder, ct);
        return FromRatings(dataset.Name, dataset.Titles.Select(t => t.Id), dataset.Ratings);
    }

    /// <summary>Ratings and a titles file's ids: the catalogue is those ids and every rated title; positives are the latest rating of each pair when >= 4.</summary>
    public static RankingData FromRatings(string name, IEnumerable<string> titleIds, IReadOnlyList<RatingRecord> ratings)
    {
        ArgumentNullException.ThrowIfNull(titleIds);
        ArgumentNullException.ThrowIfNull(ratings);
        var titles = new IdMap(titleIds);
        var members = new IdMap();
        var raw = new RankingPositive[ratings.Count];
        for (int i = 0; i < raw.Length; i++)
        {
            var r = ratings[i];
            raw[i] = new RankingPositive(members.GetOrAdd(r.MemberId), titles.GetOrAdd(r.TitleId), 1f, r.Rating, r.UnixSeconds);
        }
        return Canonical(name, members, titles, [raw], Merge.Latest, Keep.RatingAtLeastThreshold, hasTimes: true, hasRatings: true, "",
            ratings.Count, "ratings", RatingRule);
    }

    /// <summary>Reads the store's log once through <see cref="SignalSet"/> and takes its positives (see <see cref="FromSignals"/>).</summary>
    public static async Task<RankingData> FromStoreAsync(IEventStore store, PreferenceOptions? preferences = null, string? name = null,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        preferences?.Validate();
        var set = await SignalSet.LoadAsync(store, ct: ct).ConfigureAwait(false);
        return FromSignals(name ?? StoreName(store.Location), set, preferences);
    }

    /// <summary>
    /// The positives of a store's signals: with <paramref name="preferences"/> null and no title ever begun, the
    /// ratings rule (the latest rating of each pair, when >= 4); otherwise the pairs with positive evidence under
    /// <paramref name="preferences"/> (<see cref="PreferenceOptions.Plays"/> when null) as of the last event, at the
    /// time of each pair's last event. The catalogue is the store's.
    /// </summary>
    public static RankingData FromSignals(string name, SignalSet set, PreferenceOptions? preferences = null)
    {
        ArgumentNullException.ThrowIfNull(set);
        bool played = false;
        foreach (var (_, _, signals) in set.AllPairs())
        {
            if (!signals.Played) continue;
            played = true;
            break;
        }
        bool ratings = preferences is null && !played;
        var matrix = ratings ? set.RatingMatrix() : set.ToMatrix(preferences ?? PreferenceOptions.Plays, set.LastEventMs);
        var raw = new RankingPositive[matrix.NonZeros];
        var times = matrix.Timestamps;
        for (int m = 0; m < matrix.Rows; m++)
        {
            for (int p = matrix.RowPointers[m]; p < matrix.RowPointers[m + 1]; p++)
                raw[p] = new RankingPositive(m, matrix.ColumnIndices[p], ratings ? 1f : matrix.Values[p], ratings ? matrix.Ratings![p] : float.NaN, times?[p] ?? 0);
        }
        var rule = ratings ? RatingRule + "; the store holds no plays"
            : preferences is null ? "titles begun: preference 'plays'"
            : "positive evidence of the preference model: " + string.Join(" ", preferences.Describe().Select(kv => kv.Key + "=" + kv.Value));
        return Canonical(name, set.MemberIds, set.Catalogue.TitleIds, [raw], Merge.Latest, ratings ? Keep.RatingAtLeastThreshold : Keep.PositiveWeight,
            hasTimes: true, hasRatings: ratings, "", set.Events, "events", rule);
    }

    /// <summary>
    /// An events file (JSON Lines or CSV, or a folder of them with titles, as `encore import` reads them) read into a
    /// temporary SQLite store through <see cref="ImportRunner"/> and then taken as a store (<see cref="FromStoreAsync"/>).
    /// Titles the events name but no titles file lists are registered with a bare entry (the store is temporary, and an
    /// events file often comes without its catalogue); a malformed line or an invalid event stops at its file:line.
    /// The store, in a folder of its own under <paramref name="temporaryFolder"/> (the system's temporary folder by
    /// default), is deleted afterwards, also on failure.
    /// </summary>
    /// <exception cref="ImportException">A line of the file is malformed or an event is invalid.</exception>
    public static async Task<RankingData> FromEventsFileAsync(string path, PreferenceOptions? preferences = null, IProgress<ImportProgress>? progress = null,
        string? temporaryFolder = null, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        preferences?.Validate();
        ImportSource.Detect(path); // a wrong path fails before anything is created
        var folder = Path.Combine(temporaryFolder ?? Path.GetTempPath(), "encore-eval-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            await using var store = await SqliteEventStore.OpenAsync(Path.Combine(folder, "events.db"), ct).ConfigureAwait(false);
            var runner = new ImportRunner(store, ImportOptions.Default, new IngestionOptions { UnknownTitles = UnknownTitlePolicy.Register });
            await runner.ImportAsync(path, progress, ct).ConfigureAwait(false);
            return await FromStoreAsync(store, preferences, StoreName(path), ct).ConfigureAwait(false);
        }
        finally
        {
            try { Directory.Delete(folder, recursive: true); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { } // a temporary folder left behind is no error
        }
    }

    /// <summary>An interactions file: each pair with a positive (merged) weight is a positive, with its latest time where the file has times.</summary>
    public static RankingData FromInteractions(InteractionsFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        var raw = Raw(file, file.UserIndex, file.ItemIndex);
        return Canonical(Path.GetFileName(file.Path), file.Users, file.Items, [raw], Merge.Sum, Keep.PositiveWeight, file.HasTimes, hasRatings: false,
            file.NoTimesReason, file.Count, "lines", InteractionRule);
    }

    /// <summary>
    /// A split made elsewhere: <paramref name="train"/>'s positives are the train part and <paramref name="test"/>'s the
    /// test part, each merged as in <see cref="FromInteractions(InteractionsFile)"/>. The catalogue is every item of
    /// both files. A pair in both files stays in both (the comparison is on the very same pairs). The split has times
    /// when both files have a timestamp column and the times are not all one value.
    /// </summary>
    public static RankingData FromInteractions(InteractionsFile train, InteractionsFile test)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        var members = new IdMap(train.Users.Ids);
        var titles = new IdMap(train.Items.Ids);
        var testUsers = new int[test.Users.Count];
        for (int u = 0; u < testUsers.Length; u++) testUsers[u] = members.GetOrAdd(test.Users[u]);
        var testItems = new int[test.Items.Count];
        for (int i = 0; i < testItems.Length; i++) testItems[i] = titles.GetOrAdd(test.Items[i]);
        var trainRaw = Raw(train, train.UserIndex, train.ItemIndex);
        var testRaw = Raw(test, Remap(test.UserIndex, test.Count, testUsers), Remap(test.ItemIndex, test.Count, testItems));
        bool hasTimes = train.Layout.HasTimestamp && test.Layout.HasTimestamp && (train.HasTimes || test.HasTimes
            || (train.Count > 0 && test.Count > 0 && train.Times[0] != test.Times[0]));
        string reason = !train.Layout.HasTimestamp ? $"{Path.GetFileName(train.Path)}: {train.NoTimesReason}"
            : !test.Layout.HasTimestamp ? $"{Path.GetFileName(test.Path)}: {test.NoTimesReason}"
            : "both files hold one timestamp on every line";
        var name = $"{Path.GetFileName(train.Path)} + {Path.GetFileName(test.Path)}";
        return Canonical(name, members, titles, [trainRaw, testRaw], Merge.Sum, Keep.PositiveWeight, hasTimes, hasRatings: false, reason,
            train.Count + (long)test.Count, "lines", InteractionRule);
    }

    private const string RatingRule = "ratings >= 4, the latest of each member and title";
    private const string InteractionRule = "pairs with a positive weight, repeated lines added";

    private static string StoreName(string location)
    {
        var name = Path.GetFileName(location.TrimEnd(Path.DirectorySeparatorChar));
        return string.IsNullOrEmpty(name) ? location : name;
    }

    private static int[] Remap(int[] indices, int count, int[] map)
    {
        var result = new int[count];
        for (int i = 0; i < count; i++) result[i] = map[indices[i]];
        return result;
    }

    private static RankingPositive[] Raw(InteractionsFile file, int[] users, int[] items)
    {
        var raw = new RankingPositive[file.Count];
        bool times = file.HasTimes || file.Layout.HasTimestamp;
        for (int i = 0; i < raw.Length; i++) raw[i] = new RankingPositive(users[i], items[i], file.Weights[i], float.NaN, times ? file.Times[i] : 0);
        return raw;
    }

    private enum Merge
    {
        /// <summary>Repeated pairs add their weights and keep the latest time (plays).</summary>
        Sum,
        /// <summary>Repeated pairs keep the latest record only (ratings: the member's current opinion).</summary>
        Latest,
    }

    private enum Keep
    {
        PositiveWeight,
        RatingAtLeastThreshold,
    }

    /// <summary>
    /// Puts raw records (indices in <paramref name="sourceMembers"/> and <paramref name="sourceTitles"/>) in canonical
    /// form: ids re-indexed in id order, each part grouped by member and title, repeated pairs merged, non-positives
    /// dropped, and only members with a positive kept.
    /// </summary>
    private static RankingData Canonical(string name, IdMap sourceMembers, IdMap sourceTitles, RankingPositive[][] parts, Merge merge, Keep keep,
        bool hasTimes, bool hasRatings, string noTimesReason, long records, string recordUnit, string positiveRule)
    {
        var (titleRank, titleIds) = IdOrder(sourceTitles);
        var (memberRank, memberIds) = IdOrder(sourceMembers);
        var merged = new RankingPositive[parts.Length][];
        for (int k = 0; k < parts.Length; k++) merged[k] = MergePart(parts[k], memberRank, titleRank, sourceMembers.Count, merge, keep, hasTimes);

        // Only members with a positive are rows; renumber them densely, still in id order.
        var row = new int[memberIds.Length];
        Array.Fill(row, -1);
        foreach (var part in merged)
            foreach (var p in part) row[p.Member] = 0;
        var members = new IdMap(memberIds.Length);
        for (int m = 0; m < memberIds.Length; m++)
            if (row[m] == 0) row[m] = members.GetOrAdd(memberIds[m]);
        int total = 0;
        foreach (var part in merged) total += part.Length;
        var positives = new RankingPositive[total];
        int write = 0;
        foreach (var part in merged)
            foreach (var p in part) positives[write++] = p with { Member = row[p.Member] };
        return new RankingData(name, members, new IdMap(titleIds), positives, parts.Length > 1 ? merged[0].Length : -1, hasTimes, hasRatings,
            noTimesReason, records, recordUnit, positiveRule);
    }

    /// <summary>One part re-indexed, grouped by member (counting sort) and by (title, time, input order) within a member, merged and filtered.</summary>
    private static RankingPositive[] MergePart(RankingPositive[] raw, int[] memberRank, int[] titleRank, int members, Merge merge, Keep keep, bool hasTimes)
    {
        var start = new int[members + 1];
        foreach (var r in raw) start[memberRank[r.Member] + 1]++;
        for (int m = 0; m < members; m++) start[m + 1] += start[m];
        var next = start.AsSpan(0, members).ToArray();
        var grouped = new int[raw.Length];
        for (int i = 0; i < raw.Length; i++) grouped[next[memberRank[raw[i].Member]]++] = i;

        var result = new RankingPositive[raw.Length];
        int count = 0;
        var keys = new (int Title, long Time, int Index)[16];
        for (int m = 0; m < members; m++)
        {
            int from = start[m], n = start[m + 1] - from;
            if (n == 0) continue;
            if (keys.Length < n) keys = new (int, long, int)[Math.Max(n, keys.Length * 2)];
            for (int k = 0; k < n; k++)
            {
                int i = grouped[from + k];
                keys[k] = (titleRank[raw[i].Title], hasTimes ? raw[i].Time : 0, i);
            }
            Array.Sort(keys, 0, n);
            for (int k = 0; k < n;)
            {
                int title = keys[k].Title;
                var last = raw[keys[k].Index];
                float weight = last.Weight;
                float rating = last.Rating;
                int end = k + 1;
                for (; end < n && keys[end].Title == title; end++)
                {
                    var r = raw[keys[end].Index];
                    weight = merge == Merge.Sum ? weight + r.Weight : r.Weight;
                    if (merge == Merge.Latest || !float.IsNaN(r.Rating)) rating = r.Rating;
                    last = r;
                }
                k = end;
                bool positive = keep == Keep.PositiveWeight ? weight > 0 : rating >= PositiveThreshold;
                if (!positive || !float.IsFinite(weight)) continue;
                result[count++] = new RankingPositive(m, title, weight, rating, hasTimes ? last.Time : 0);
            }
        }
        Array.Resize(ref result, count);
        return result;
    }

    /// <summary>For each index of <paramref name="ids"/> its rank in id order (<see cref="TitleIdOrder"/>), and the ids in that order.</summary>
    internal static (int[] Rank, string[] Sorted) IdOrder(IdMap ids)
    {
        int n = ids.Count;
        var order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        var numbers = new long[n];
        bool numeric = true;
        for (int i = 0; i < n && numeric; i++)
            numeric = long.TryParse(ids[i], NumberStyles.None, CultureInfo.InvariantCulture, out numbers[i]);
        if (numeric)
        {
            // All integers (MovieLens, P-SCALE): sort by value without parsing in the comparer; equal values ("7", "07") by text.
            Array.Sort(order, (a, b) => numbers[a] != numbers[b] ? numbers[a].CompareTo(numbers[b]) : string.CompareOrdinal(ids[a], ids[b]));
        }
        else
        {
            Array.Sort(order, (a, b) => TitleIdOrder.Instance.Compare(ids[a], ids[b]));
        }
        var rank = new int[n];
        var sorted = new string[n];
        for (int r = 0; r < n; r++)
        {
            rank[order[r]] = r;
            sorted[r] = ids[order[r]];
        }
        return (rank, sorted);
    }
}

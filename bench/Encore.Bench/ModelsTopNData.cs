using System.Globalization;
using Encore.Core;
using Encore.Models;

namespace Encore.Bench;

/// <summary>
/// A bench-only reading of the P-TOPN protocol on ML-100K u.data (PROTOCOLS.md): positives are ratings >= 4;
/// each user with >= 5 positives sends the last max(1, round(0.2 n)) by (time, item) to test. Used to check the
/// models' figures and to tune on a validation split carved the same way out of the training positives.
/// </summary>
public sealed class ModelsTopNData
{
    public required InteractionMatrix Train { get; init; }
    /// <summary>Test titles of each member (dense indices of Train); empty for members who are not test users.</summary>
    public required int[][] Test { get; init; }
    public required int[] TestMembers { get; init; }
    public int TestPositives => Test.Sum(t => t.Length);

    public static string DataFolder()
    {
        var env = Environment.GetEnvironmentVariable("ENCORE_SHARED_DATA");
        if (!string.IsNullOrEmpty(env)) return Path.Combine(env, "ml-100k");
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "data", "ml-100k");
            if (Directory.Exists(candidate)) return candidate;
        }
        throw new DirectoryNotFoundException("ml-100k not found beside the repository (../shared/data/ml-100k) and ENCORE_SHARED_DATA is unset");
    }

    public record struct Rating(string User, string Item, float Value, long Time);

    public static List<Rating> ReadUData(string folder)
    {
        var list = new List<Rating>(100_000);
        foreach (var line in File.ReadLines(Path.Combine(folder, "u.data")))
        {
            var f = line.Split('\t');
            list.Add(new Rating(f[0], f[1], float.Parse(f[2], CultureInfo.InvariantCulture), long.Parse(f[3], CultureInfo.InvariantCulture)));
        }
        return list;
    }

    /// <summary>The P-TOPN split of <paramref name="positives"/> over the catalogue <paramref name="items"/>.</summary>
    public static ModelsTopNData Split(IReadOnlyList<Rating> positives, IEnumerable<string> items)
    {
        var titleIds = new IdMap(items);
        var memberIds = new IdMap();
        var byUser = new Dictionary<string, List<Rating>>();
        foreach (var r in positives)
        {
            memberIds.GetOrAdd(r.User);
            if (!byUser.TryGetValue(r.User, out var l)) byUser[r.User] = l = [];
            l.Add(r);
        }
        var builder = new InteractionMatrixBuilder(memberIds, titleIds);
        var test = new int[memberIds.Count][];
        var testMembers = new List<int>();
        for (int m = 0; m < memberIds.Count; m++)
        {
            var list = byUser[memberIds[m]];
            list.Sort((a, b) => a.Time != b.Time ? a.Time.CompareTo(b.Time) : int.Parse(a.Item, CultureInfo.InvariantCulture).CompareTo(int.Parse(b.Item, CultureInfo.InvariantCulture)));
            int nTest = list.Count >= 5 ? Math.Max(1, (int)Math.Round(0.2 * list.Count, MidpointRounding.AwayFromZero)) : 0;
            for (int i = 0; i < list.Count - nTest; i++)
                builder.Add(m, titleIds.IndexOf(list[i].Item), 1f, list[i].Value, list[i].Time);
            test[m] = list.Skip(list.Count - nTest).Select(r => titleIds.IndexOf(r.Item)).ToArray();
            if (nTest > 0) testMembers.Add(m);
        }
        return new ModelsTopNData { Train = builder.Build(), Test = test, TestMembers = testMembers.ToArray() };
    }

    public static ModelsTopNData LoadMl100k(out List<Rating> trainPositives)
    {
        var all = ReadUData(DataFolder());
        var items = all.Select(r => r.Item).Distinct().OrderBy(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        var positives = all.Where(r => r.Value >= 4).ToList();
        var data = Split(positives, items);
        trainPositives = [];
        for (int m = 0; m < data.Train.Rows; m++)
        {
            var cols = data.Train.RowColumns(m);
            var ratings = data.Train.RowRatings(m);
            var times = data.Train.RowTimestamps(m);
            for (int k = 0; k < cols.Length; k++)
                trainPositives.Add(new Rating(data.Train.MemberIds[m], data.Train.TitleIds[cols[k]], ratings[k], times[k]));
        }
        return data;
    }

    /// <summary>
    /// P-NEXT: for each test member the query is the last training positive (by time, then item id), the target the
    /// first test positive; the similar-titles list (query and the member's training titles excluded) gives HR@n, MRR@n.
    /// </summary>
    public (double HitRate, double Mrr) EvaluateNext(IRecommender model, int n = 10)
    {
        double hits = 0, mrr = 0;
        var scores = new float[Train.Columns];
        var top = new int[n];
        foreach (var m in TestMembers)
        {
            var cols = Train.RowColumns(m);
            var times = Train.RowTimestamps(m);
            int query = -1;
            long latest = long.MinValue;
            for (int k = 0; k < cols.Length; k++)
                if (times[k] > latest || (times[k] == latest && cols[k] > query)) { latest = times[k]; query = cols[k]; }
            if (query < 0) continue;
            model.SimilarTitles(query, scores);
            foreach (var t in cols) scores[t] = float.NegativeInfinity;
            int count = TopN.Select(scores, n, top);
            int target = Test[m][0];
            int rank = Array.IndexOf(top, target, 0, count);
            if (rank >= 0) { hits++; mrr += 1.0 / (rank + 1); }
        }
        return (hits / TestMembers.Length, mrr / TestMembers.Length);
    }

    /// <summary>Recall@n, NDCG@n and coverage@n over the test members (excluding each member's training titles).</summary>
    public (double Recall, double Ndcg, double Coverage) Evaluate(IRecommender model, int n = 20)
    {
        var batch = Recommendations.RecommendBatch(model, TestMembers, n, Train);
        double recall = 0, ndcg = 0;
        var distinct = new HashSet<int>();
        for (int k = 0; k < TestMembers.Length; k++)
        {
            var truth = new HashSet<int>(Test[TestMembers[k]]);
            var row = batch.Row(k);
            int hits = 0;
            double dcg = 0;
            for (int r = 0; r < row.Length; r++)
            {
                if (row[r] < 0) break;
                distinct.Add(row[r]);
                if (truth.Contains(row[r])) { hits++; dcg += 1.0 / Math.Log2(r + 2); }
            }
            int ideal = Math.Min(n, truth.Count);
            double idcg = 0;
            for (int r = 0; r < ideal; r++) idcg += 1.0 / Math.Log2(r + 2);
            recall += (double)hits / ideal;
            ndcg += dcg / idcg;
        }
        return (recall / TestMembers.Length, ndcg / TestMembers.Length, (double)distinct.Count / Train.Columns);
    }
}

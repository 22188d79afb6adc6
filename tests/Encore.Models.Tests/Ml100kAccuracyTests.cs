using System.Globalization;
using Encore.Core;
using Encore.TestSupport;
using Xunit;

namespace Encore.Models.Tests;

/// <summary>
/// Accuracy regression on the real MovieLens 100K (P-TOPN of PROTOCOLS.md, read here directly from u.data):
/// each top-N model's default Recall@20 / NDCG@20 must stay within a tight band of its measured figure, so a
/// change that makes a model worse fails. Peers on the same split: popularity 0.1136, implicit item-kNN cosine
/// 0.1877, BM25 0.2078, numpy EASE 0.2202, implicit iALS 0.2272 Recall@20.
/// </summary>
public sealed class Ml100kAccuracyTests
{
    [Theory]
    [InlineData("popularity", "", 0.1136, 0.0901)]
    [InlineData("itemknn", "", 0.2124, 0.1565)]
    [InlineData("itemknn", "weighting=cosine", 0.1874, 0.1451)]
    [InlineData("ease", "", 0.2202, 0.1656)]
    [InlineData("ials", "", 0.2251, 0.1672)] // the scale-aware defaults (issue 10 item 9); the first defaults gave 0.2288 / 0.1693
    public void Default_models_keep_their_P_TOPN_figures(string model, string parameters, double recall, double ndcg)
    {
        var (train, test) = Split(SharedData.RequireMl100k());
        Assert.Equal(44_300, train.NonZeros);
        Assert.Equal(11_075, test.Sum(t => t.Value.Length));
        Assert.Equal(938, test.Count);
        var pairs = ModelParameters.ParsePairs(parameters.Length == 0 ? [] : parameters.Split(' '));
        var fitted = ModelCatalog.CreateTrainer(model, pairs).Fit(train, TestContext.Current.CancellationToken);
        var members = test.Keys.Order().ToArray();
        var batch = Recommendations.RecommendBatch(fitted, members, 20, train, ct: TestContext.Current.CancellationToken);
        double r = 0, n = 0;
        for (int k = 0; k < members.Length; k++)
        {
            var truth = test[members[k]].ToHashSet();
            var row = batch.Row(k);
            int hits = 0;
            double dcg = 0, idcg = 0;
            for (int i = 0; i < row.Length; i++)
                if (row[i] >= 0 && truth.Contains(row[i])) { hits++; dcg += 1 / Math.Log2(i + 2); }
            int ideal = Math.Min(20, truth.Count);
            for (int i = 0; i < ideal; i++) idcg += 1 / Math.Log2(i + 2);
            r += (double)hits / ideal;
            n += dcg / idcg;
        }
        Assert.InRange(r / members.Length, recall - 0.002, recall + 0.002);
        Assert.InRange(n / members.Length, ndcg - 0.002, ndcg + 0.002);
    }

    /// <summary>P-TOPN: ratings >= 4; per user with >= 5, the last max(1, round(0.2 n)) by (time, item) are test.</summary>
    private static (InteractionMatrix Train, Dictionary<int, int[]> Test) Split(string folder)
    {
        var rows = File.ReadLines(Path.Combine(folder, "u.data"))
            .Select(l => l.Split('\t'))
            .Select(f => (User: int.Parse(f[0], CultureInfo.InvariantCulture), Item: int.Parse(f[1], CultureInfo.InvariantCulture),
                Rating: int.Parse(f[2], CultureInfo.InvariantCulture), Time: long.Parse(f[3], CultureInfo.InvariantCulture)))
            .ToList();
        var titles = new IdMap(rows.Select(r => r.Item).Distinct().Order().Select(i => i.ToString(CultureInfo.InvariantCulture)));
        var builder = new InteractionMatrixBuilder(titleIds: titles);
        var test = new Dictionary<int, int[]>();
        foreach (var user in rows.Where(r => r.Rating >= 4).GroupBy(r => r.User).OrderBy(g => g.Key))
        {
            var positives = user.OrderBy(r => r.Time).ThenBy(r => r.Item).ToArray();
            int nTest = positives.Length >= 5 ? Math.Max(1, (int)Math.Round(0.2 * positives.Length, MidpointRounding.AwayFromZero)) : 0;
            int member = builder.MemberIds.GetOrAdd(user.Key.ToString(CultureInfo.InvariantCulture));
            foreach (var p in positives[..^nTest])
                builder.Add(member, titles.IndexOf(p.Item.ToString(CultureInfo.InvariantCulture)), 1f, p.Rating, p.Time);
            if (nTest > 0) test[member] = positives[^nTest..].Select(p => titles.IndexOf(p.Item.ToString(CultureInfo.InvariantCulture))).ToArray();
        }
        return (builder.Build(), test);
    }
}

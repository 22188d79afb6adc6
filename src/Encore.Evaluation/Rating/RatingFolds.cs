using Encore.Ingestion.Importers;
using Encore.Models.Ratings;

namespace Encore.Evaluation.Rating;

/// <summary>
/// The folds P-RATING evaluates on. A folder with MovieLens 100K's official folds (u1.base/u1.test ..
/// u5.base/u5.test) gives exactly those. Any other MovieLens release (1M, latest), which ships no folds,
/// is cut into five folds by a seeded shuffle of all its ratings, each rating in exactly one test fold
/// (as Surprise's KFold); <see cref="GeneratedFoldSeed"/> is stated with the result.
/// </summary>
public static class RatingFolds
{
    public const int FoldCount = 5;
    public const long GeneratedFoldSeed = 20_08;

    /// <summary>True when <paramref name="folder"/> has the official u1..u5 base/test files.</summary>
    public static bool HasOfficialFolds(string folder)
    {
        for (int k = 1; k <= FoldCount; k++)
        {
            if (!File.Exists(Path.Combine(folder, $"u{k}.base")) || !File.Exists(Path.Combine(folder, $"u{k}.test"))) return false;
        }
        return true;
    }

    /// <summary>Loads the folds of <paramref name="folder"/>; <paramref name="only"/> picks some by name (e.g. ["u1"]).</summary>
    public static IReadOnlyList<RatingFold> Load(string folder, IReadOnlyCollection<string>? only = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(folder);
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"P-RATING: no such data folder '{folder}'");
        var folds = new List<RatingFold>(FoldCount);
        if (HasOfficialFolds(folder))
        {
            for (int k = 1; k <= FoldCount; k++)
            {
                string name = $"u{k}";
                if (only is not null && !only.Contains(name)) continue;
                ct.ThrowIfCancellationRequested();
                folds.Add(new RatingFold(name,
                    MovieLensDataset.ReadRatingsFile(Path.Combine(folder, name + ".base"), ct),
                    MovieLensDataset.ReadRatingsFile(Path.Combine(folder, name + ".test"), ct)));
            }
        }
        else
        {
            var all = MovieLensDataset.Load(folder, ct).Ratings;
            var order = new int[all.Count];
            for (int i = 0; i < order.Length; i++) order[i] = i;
            var random = new SeededRandom((ulong)GeneratedFoldSeed);
            random.Shuffle(order);
            for (int k = 0; k < FoldCount; k++)
            {
                string name = $"f{k + 1}";
                if (only is not null && !only.Contains(name)) continue;
                int start = (int)((long)all.Count * k / FoldCount), end = (int)((long)all.Count * (k + 1) / FoldCount);
                var train = new List<RatingRecord>(all.Count - (end - start));
                var test = new List<RatingRecord>(end - start);
                for (int i = 0; i < order.Length; i++) (i >= start && i < end ? test : train).Add(all[order[i]]);
                folds.Add(new RatingFold(name, train, test));
            }
        }
        if (folds.Count == 0) throw new ArgumentException($"P-RATING: none of the folds [{string.Join(", ", only ?? [])}] exists in '{folder}'");
        return folds;
    }
}

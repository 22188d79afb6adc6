using Encore.Core;
using Encore.Ingestion.Importers;

namespace Encore.Evaluation.Ranking;

/// <summary>
/// What P-TOPN and P-NEXT start from: a data set's positives (ratings >= <see cref="PositiveThreshold"/>; every
/// other rating is dropped) and its catalogue (every title id of the data set: the titles file and every
/// rated title), ordered by <see cref="TitleIdOrder"/> so that dense title indices follow the ids.
/// </summary>
public sealed class RankingData
{
    public const float PositiveThreshold = 4f;

    public RankingData(string name, IdMap catalogue, IReadOnlyList<RatingRecord> positives, int ratings)
    {
        ArgumentNullException.ThrowIfNull(catalogue);
        ArgumentNullException.ThrowIfNull(positives);
        Name = name;
        Catalogue = catalogue;
        Positives = positives;
        Ratings = ratings;
    }

    /// <summary>The data set's name (its folder name, e.g. "ml-100k").</summary>
    public string Name { get; }

    /// <summary>Every title id of the data set, in id order: the columns of every split's matrices.</summary>
    public IdMap Catalogue { get; }

    /// <summary>The ratings >= 4, in file order.</summary>
    public IReadOnlyList<RatingRecord> Positives { get; }

    /// <summary>How many ratings the data set holds in all.</summary>
    public int Ratings { get; }

    /// <summary>Loads the MovieLens release in <paramref name="folder"/> (100K, 1M or latest; see <see cref="MovieLensDataset"/>).</summary>
    public static RankingData Load(string folder, CancellationToken ct = default)
    {
        var dataset = MovieLensDataset.Load(folder, ct);
        return From(dataset.Name, dataset.Titles.Select(t => t.Id), dataset.Ratings);
    }

    /// <summary>Builds the positives and the catalogue from ratings and the titles file's ids.</summary>
    public static RankingData From(string name, IEnumerable<string> titleIds, IReadOnlyList<RatingRecord> ratings)
    {
        var ids = new HashSet<string>(titleIds, StringComparer.Ordinal);
        var positives = new List<RatingRecord>(ratings.Count / 2);
        foreach (var r in ratings)
        {
            ids.Add(r.TitleId);
            if (r.Rating >= PositiveThreshold) positives.Add(r);
        }
        var sorted = ids.ToArray();
        Array.Sort(sorted, TitleIdOrder.Instance);
        return new RankingData(name, new IdMap(sorted), positives, ratings.Count);
    }
}

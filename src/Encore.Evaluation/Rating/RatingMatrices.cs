using Encore.Core;
using Encore.Ingestion.Importers;

namespace Encore.Evaluation.Rating;

/// <summary>Turns rating records into the training matrix and the test pairs' dense indices.</summary>
public static class RatingMatrices
{
    /// <summary>The member x title matrix of <paramref name="ratings"/>, weights 1, with ratings and times.</summary>
    public static InteractionMatrix Build(IReadOnlyList<RatingRecord> ratings)
    {
        var builder = new InteractionMatrixBuilder();
        foreach (var r in ratings) builder.Add(r.MemberId, r.TitleId, 1f, r.Rating, r.UnixSeconds);
        return builder.Build();
    }

    /// <summary>The dense indices of every test pair in <paramref name="memberIds"/> and <paramref name="titleIds"/> (-1 when unseen) and the true ratings.</summary>
    public static (int[] Members, int[] Titles, float[] Ratings) Pairs(IReadOnlyList<RatingRecord> test, IdMap memberIds, IdMap titleIds)
    {
        var members = new int[test.Count];
        var titles = new int[test.Count];
        var ratings = new float[test.Count];
        for (int k = 0; k < test.Count; k++)
        {
            members[k] = memberIds.IndexOf(test[k].MemberId);
            titles[k] = titleIds.IndexOf(test[k].TitleId);
            ratings[k] = test[k].Rating;
        }
        return (members, titles, ratings);
    }
}

using Encore.Core;

namespace Encore.Models.Ratings;

/// <summary>
/// The ratings of a training matrix in the two layouts the trainers walk: by member (the matrix's CSR) and
/// by title (its transpose), with the global mean and the rating range used for clipping.
/// </summary>
public sealed class RatingTrainingData
{
    public RatingTrainingData(InteractionMatrix data)
    {
        ArgumentNullException.ThrowIfNull(data);
        Matrix = data;
        var ratings = data.Ratings ?? data.Values;
        if (data.NonZeros == 0) throw new ArgumentException("the training matrix holds no ratings", nameof(data));
        double sum = 0;
        float min = float.MaxValue, max = float.MinValue;
        for (int member = 0; member < data.Rows; member++)
        {
            for (int p = data.RowPointers[member]; p < data.RowPointers[member + 1]; p++)
            {
                float r = ratings[p];
                if (!float.IsFinite(r))
                    throw new ArgumentException(
                        $"the rating of member '{data.MemberIds[member]}' for title '{data.TitleIds[data.ColumnIndices[p]]}' is {r}; every entry needs a finite rating",
                        nameof(data));
                sum += r;
                if (r < min) min = r;
                if (r > max) max = r;
            }
        }
        MemberRatings = ratings;
        Mean = (float)(sum / data.NonZeros);
        MinRating = min;
        MaxRating = max;
        var transposed = data.Ratings is null
            ? new InteractionMatrix(data.MemberIds, data.TitleIds, data.RowPointers, data.ColumnIndices, data.Values, data.Values).Transpose()
            : data.Transpose();
        TitlePointers = transposed.RowPointers;
        TitleMembers = transposed.ColumnIndices;
        TitleRatings = transposed.Ratings!;
    }

    public InteractionMatrix Matrix { get; }
    public int Members => Matrix.Rows;
    public int Titles => Matrix.Columns;
    public int Count => Matrix.NonZeros;
    public float Mean { get; }
    public float MinRating { get; }
    public float MaxRating { get; }

    public int[] MemberPointers => Matrix.RowPointers;
    public int[] MemberTitles => Matrix.ColumnIndices;
    /// <summary>Ratings in member-major (CSR) order.</summary>
    public float[] MemberRatings { get; }

    public int[] TitlePointers { get; }
    public int[] TitleMembers { get; }
    /// <summary>Ratings in title-major (CSC) order.</summary>
    public float[] TitleRatings { get; }
}

using Encore.Core;

namespace Encore.Models.Ratings;

/// <summary>
/// The ratings of a training matrix in the two layouts the trainers walk: by member (the matrix's CSR) and
/// by title (its transpose), with the global mean and the rating range used for clipping.
/// </summary>
public sealed class RatingTrainingData
{
    /// <summary>The ratings of <paramref name="data"/> (its values where it has no ratings); every rating must be finite.</summary>
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

    /// <summary>The training matrix, member-major.</summary>
    public InteractionMatrix Matrix { get; }
    /// <summary>How many members (rows) the data has.</summary>
    public int Members => Matrix.Rows;
    /// <summary>How many titles (columns) the data has.</summary>
    public int Titles => Matrix.Columns;
    /// <summary>How many ratings the data has.</summary>
    public int Count => Matrix.NonZeros;
    /// <summary>The mean of every rating.</summary>
    public float Mean { get; }
    /// <summary>The lowest rating: predictions are clipped to it.</summary>
    public float MinRating { get; }
    /// <summary>The highest rating: predictions are clipped to it.</summary>
    public float MaxRating { get; }

    /// <summary>Where each member's ratings start in <see cref="MemberTitles"/> and <see cref="MemberRatings"/> (members + 1 offsets).</summary>
    public int[] MemberPointers => Matrix.RowPointers;
    /// <summary>The title of each rating, in member-major order.</summary>
    public int[] MemberTitles => Matrix.ColumnIndices;
    /// <summary>Ratings in member-major (CSR) order.</summary>
    public float[] MemberRatings { get; }

    /// <summary>Where each title's ratings start in <see cref="TitleMembers"/> (titles + 1 offsets).</summary>
    public int[] TitlePointers { get; }
    /// <summary>The member of each rating, in title-major order.</summary>
    public int[] TitleMembers { get; }
    /// <summary>Ratings in title-major (CSC) order.</summary>
    public float[] TitleRatings { get; }
}

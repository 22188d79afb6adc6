namespace Encore.Core;

/// <summary>
/// A sparse member x title matrix in CSR form: the input every model fits on. Row r's entries are
/// <c>ColumnIndices[RowPointers[r]..RowPointers[r+1]]</c>, sorted by column, with one weight each and,
/// optionally, the explicit rating and the time (Unix seconds) of the latest interaction.
/// Immutable once built; build one with <see cref="InteractionMatrixBuilder"/>.
/// </summary>
public sealed class InteractionMatrix
{
    public InteractionMatrix(IdMap memberIds, IdMap titleIds, int[] rowPointers, int[] columnIndices,
        float[] values, float[]? ratings = null, long[]? timestamps = null)
    {
        ArgumentNullException.ThrowIfNull(memberIds);
        ArgumentNullException.ThrowIfNull(titleIds);
        if (rowPointers.Length != memberIds.Count + 1)
            throw new ArgumentException($"rowPointers has {rowPointers.Length} entries; expected members + 1 = {memberIds.Count + 1}", nameof(rowPointers));
        int nnz = rowPointers[^1];
        if (columnIndices.Length != nnz || values.Length != nnz)
            throw new ArgumentException($"columnIndices ({columnIndices.Length}) and values ({values.Length}) must both hold the {nnz} non-zeros");
        if (ratings is not null && ratings.Length != nnz) throw new ArgumentException("ratings must hold one value per non-zero", nameof(ratings));
        if (timestamps is not null && timestamps.Length != nnz) throw new ArgumentException("timestamps must hold one value per non-zero", nameof(timestamps));
        MemberIds = memberIds;
        TitleIds = titleIds;
        RowPointers = rowPointers;
        ColumnIndices = columnIndices;
        Values = values;
        Ratings = ratings;
        Timestamps = timestamps;
    }

    public IdMap MemberIds { get; }
    public IdMap TitleIds { get; }
    public int[] RowPointers { get; }
    public int[] ColumnIndices { get; }
    /// <summary>Preference weight (confidence) of each entry.</summary>
    public float[] Values { get; }
    /// <summary>Explicit rating of each entry, where the data has ratings.</summary>
    public float[]? Ratings { get; }
    /// <summary>Unix seconds of each entry, where the data has times.</summary>
    public long[]? Timestamps { get; }

    public int Rows => MemberIds.Count;
    public int Columns => TitleIds.Count;
    public int NonZeros => RowPointers[^1];

    public int RowLength(int row) => RowPointers[row + 1] - RowPointers[row];
    public ReadOnlySpan<int> RowColumns(int row) => ColumnIndices.AsSpan(RowPointers[row], RowLength(row));
    public ReadOnlySpan<float> RowValues(int row) => Values.AsSpan(RowPointers[row], RowLength(row));
    public ReadOnlySpan<float> RowRatings(int row) => Ratings is null ? default : Ratings.AsSpan(RowPointers[row], RowLength(row));
    public ReadOnlySpan<long> RowTimestamps(int row) => Timestamps is null ? default : Timestamps.AsSpan(RowPointers[row], RowLength(row));

    /// <summary>The transpose (title x member, i.e. CSC of this matrix), with ratings and times carried along.</summary>
    public InteractionMatrix Transpose()
    {
        int nnz = NonZeros;
        var pointers = new int[Columns + 1];
        foreach (var c in ColumnIndices) pointers[c + 1]++;
        for (int c = 0; c < Columns; c++) pointers[c + 1] += pointers[c];
        var next = pointers.AsSpan(0, Columns).ToArray();
        var cols = new int[nnz];
        var vals = new float[nnz];
        var ratings = Ratings is null ? null : new float[nnz];
        var times = Timestamps is null ? null : new long[nnz];
        for (int r = 0; r < Rows; r++)
        {
            for (int p = RowPointers[r]; p < RowPointers[r + 1]; p++)
            {
                int dst = next[ColumnIndices[p]]++;
                cols[dst] = r;
                vals[dst] = Values[p];
                if (ratings is not null) ratings[dst] = Ratings![p];
                if (times is not null) times[dst] = Timestamps![p];
            }
        }
        return new InteractionMatrix(TitleIds, MemberIds, pointers, cols, vals, ratings, times);
    }

    /// <summary>
    /// Whether some entry is negative evidence (a negative weight: the member was exposed to the title and did not
    /// like it, with the confidence as its magnitude). Models that cannot learn from it fit on <see cref="WithoutNegatives"/>.
    /// </summary>
    public bool HasNegatives => _hasNegatives ??= Values.AsSpan().IndexOfAnyInRange(float.NegativeInfinity, -float.Epsilon) >= 0;

    private bool? _hasNegatives;

    /// <summary>This matrix without its negative evidence (itself when it has none), rows and columns unchanged.</summary>
    public InteractionMatrix WithoutNegatives()
    {
        if (!HasNegatives) return this;
        var pointers = new int[Rows + 1];
        var cols = new List<int>(NonZeros);
        var vals = new List<float>(NonZeros);
        var ratings = Ratings is null ? null : new List<float>(NonZeros);
        var times = Timestamps is null ? null : new List<long>(NonZeros);
        for (int r = 0; r < Rows; r++)
        {
            for (int p = RowPointers[r]; p < RowPointers[r + 1]; p++)
            {
                if (!(Values[p] > 0)) continue;
                cols.Add(ColumnIndices[p]);
                vals.Add(Values[p]);
                ratings?.Add(Ratings![p]);
                times?.Add(Timestamps![p]);
            }
            pointers[r + 1] = cols.Count;
        }
        return new InteractionMatrix(MemberIds, TitleIds, pointers, cols.ToArray(), vals.ToArray(), ratings?.ToArray(), times?.ToArray());
    }

    /// <summary>Number of entries in each column (title popularity).</summary>
    public int[] ColumnCounts()
    {
        var counts = new int[Columns];
        foreach (var c in ColumnIndices) counts[c]++;
        return counts;
    }
}

namespace Encore.Core;

/// <summary>
/// A sparse member x title matrix in CSR form: the input every model fits on. Row r's entries are
/// <c>ColumnIndices[RowPointers[r]..RowPointers[r+1]]</c>, sorted by column, with one weight each and,
/// optionally, the explicit rating and the time (Unix seconds) of the latest interaction.
/// Immutable once built; build one with <see cref="InteractionMatrixBuilder"/>.
/// </summary>
public sealed class InteractionMatrix
{
    /// <summary>A matrix over the given arrays (kept, not copied), checked for consistent lengths.</summary>
    /// <param name="memberIds">The rows' member ids.</param>
    /// <param name="titleIds">The columns' title ids.</param>
    /// <param name="rowPointers">Where each row starts in the entry arrays: members + 1 offsets, the last one the entry count.</param>
    /// <param name="columnIndices">Each entry's column, sorted within its row.</param>
    /// <param name="values">Each entry's weight.</param>
    /// <param name="ratings">Each entry's explicit rating, or null where the data has none.</param>
    /// <param name="timestamps">Each entry's time in Unix seconds, or null where the data has none.</param>
    /// <exception cref="ArgumentException">An array's length does not match the ids or the entry count.</exception>
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

    /// <summary>The rows' member ids: row r is member <c>MemberIds[r]</c>.</summary>
    public IdMap MemberIds { get; }
    /// <summary>The columns' title ids: column c is title <c>TitleIds[c]</c>.</summary>
    public IdMap TitleIds { get; }
    /// <summary>Where each row's entries start (<see cref="Rows"/> + 1 offsets; the last is <see cref="NonZeros"/>).</summary>
    public int[] RowPointers { get; }
    /// <summary>Each entry's column (title index), sorted within its row.</summary>
    public int[] ColumnIndices { get; }
    /// <summary>Preference weight (confidence) of each entry.</summary>
    public float[] Values { get; }
    /// <summary>Explicit rating of each entry, where the data has ratings.</summary>
    public float[]? Ratings { get; }
    /// <summary>Unix seconds of each entry, where the data has times.</summary>
    public long[]? Timestamps { get; }

    /// <summary>The number of rows (members).</summary>
    public int Rows => MemberIds.Count;
    /// <summary>The number of columns (titles).</summary>
    public int Columns => TitleIds.Count;
    /// <summary>The number of stored entries.</summary>
    public int NonZeros => RowPointers[^1];

    /// <summary>How many entries row <paramref name="row"/> holds.</summary>
    public int RowLength(int row) => RowPointers[row + 1] - RowPointers[row];
    /// <summary>Row <paramref name="row"/>'s columns (title indices), ascending.</summary>
    public ReadOnlySpan<int> RowColumns(int row) => ColumnIndices.AsSpan(RowPointers[row], RowLength(row));
    /// <summary>Row <paramref name="row"/>'s weights, aligned with <see cref="RowColumns"/>.</summary>
    public ReadOnlySpan<float> RowValues(int row) => Values.AsSpan(RowPointers[row], RowLength(row));
    /// <summary>Row <paramref name="row"/>'s ratings, aligned with <see cref="RowColumns"/>; empty when the matrix has none.</summary>
    public ReadOnlySpan<float> RowRatings(int row) => Ratings is null ? default : Ratings.AsSpan(RowPointers[row], RowLength(row));
    /// <summary>Row <paramref name="row"/>'s times (Unix seconds), aligned with <see cref="RowColumns"/>; empty when the matrix has none.</summary>
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

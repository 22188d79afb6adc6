namespace Encore.Models.Numerics;

/// <summary>
/// A plain CSR matrix of floats (pointers, indices, values) for model internals: weighted copies and
/// transposes of the training matrix without the ratings and times that <see cref="Encore.Core.InteractionMatrix"/> carries.
/// </summary>
public sealed class SparseMatrix
{
    public SparseMatrix(int rows, int columns, int[] pointers, int[] indices, float[] values)
    {
        if (pointers.Length != rows + 1) throw new ArgumentException($"pointers holds {pointers.Length} entries; expected {rows + 1}", nameof(pointers));
        if (indices.Length != pointers[^1] || values.Length != pointers[^1]) throw new ArgumentException("indices and values must hold one entry per non-zero");
        Rows = rows;
        Columns = columns;
        Pointers = pointers;
        Indices = indices;
        Values = values;
    }

    public int Rows { get; }
    public int Columns { get; }
    public int[] Pointers { get; }
    public int[] Indices { get; }
    public float[] Values { get; }
    public int NonZeros => Pointers[^1];

    public ReadOnlySpan<int> RowIndices(int row) => Indices.AsSpan(Pointers[row], Pointers[row + 1] - Pointers[row]);
    public ReadOnlySpan<float> RowValues(int row) => Values.AsSpan(Pointers[row], Pointers[row + 1] - Pointers[row]);

    /// <summary>The transpose, with each row's indices ascending (a counting sort; one pass).</summary>
    public SparseMatrix Transpose()
    {
        var pointers = new int[Columns + 1];
        foreach (var c in Indices) pointers[c + 1]++;
        for (int c = 0; c < Columns; c++) pointers[c + 1] += pointers[c];
        var next = new int[Columns];
        Array.Copy(pointers, next, Columns);
        var indices = new int[NonZeros];
        var values = new float[NonZeros];
        for (int r = 0; r < Rows; r++)
        {
            for (int p = Pointers[r]; p < Pointers[r + 1]; p++)
            {
                int dst = next[Indices[p]]++;
                indices[dst] = r;
                values[dst] = Values[p];
            }
        }
        return new SparseMatrix(Columns, Rows, pointers, indices, values);
    }
}

using Encore.Models.Numerics;

namespace Encore.Models.Sequential;

/// <summary>
/// "Which title follows which": over every member's time-ordered history, each title is paired with the
/// <c>window</c> titles after it, a pair d steps apart counting decay^(d-1). Stored sparse (title x title CSR),
/// so the cost grows with the pairs seen, not with titles squared.
/// </summary>
internal static class TitleTransitions
{
    /// <summary>The raw decayed pair counts from the histories (<paramref name="pointers"/>/<paramref name="titles"/>: CSR, each row oldest first).</summary>
    public static SparseMatrix Count(int[] pointers, int[] titles, int titleCount, int window, float decay, CancellationToken ct = default)
    {
        int members = pointers.Length - 1;
        var weights = new float[window];
        for (int d = 0; d < window; d++) weights[d] = MathF.Pow(decay, d);
        // Pass 1: how many pairs start at each title; pass 2: fill; then sort and merge each row.
        var rowStart = new int[titleCount + 1];
        for (int m = 0; m < members; m++)
        {
            int start = pointers[m], end = pointers[m + 1];
            for (int p = start; p < end - 1; p++) rowStart[titles[p] + 1] += Math.Min(window, end - 1 - p);
        }
        for (int t = 0; t < titleCount; t++) rowStart[t + 1] += rowStart[t];
        var next = rowStart.AsSpan(0, titleCount).ToArray();
        var to = new int[rowStart[^1]];
        var w = new float[rowStart[^1]];
        for (int m = 0; m < members; m++)
        {
            if ((m & 1023) == 0) ct.ThrowIfCancellationRequested();
            int start = pointers[m], end = pointers[m + 1];
            for (int p = start; p < end - 1; p++)
            {
                int from = titles[p];
                int last = Math.Min(end - 1, p + window);
                for (int q = p + 1; q <= last; q++)
                {
                    int slot = next[from]++;
                    to[slot] = titles[q];
                    w[slot] = weights[q - p - 1];
                }
            }
        }
        // Merge repeated (from, to) pairs row by row, compacting in place.
        var outPointers = new int[titleCount + 1];
        int write = 0;
        for (int t = 0; t < titleCount; t++)
        {
            int s = rowStart[t], e = rowStart[t + 1];
            Array.Sort(to, w, s, e - s);
            for (int k = s; k < e; k++)
            {
                if (write > outPointers[t] && to[write - 1] == to[k]) w[write - 1] += w[k];
                else
                {
                    to[write] = to[k];
                    w[write] = w[k];
                    write++;
                }
            }
            outPointers[t + 1] = write;
        }
        return new SparseMatrix(titleCount, titleCount, outPointers, to[..write], w[..write]);
    }

    /// <summary>
    /// Each row scaled to sum 1 (the probability of what follows), then each column divided by its title's
    /// <paramref name="popularity"/>^<paramref name="exponent"/>.
    /// </summary>
    public static SparseMatrix Normalize(SparseMatrix counts, ReadOnlySpan<int> popularity, float exponent)
    {
        var values = (float[])counts.Values.Clone();
        var damp = new float[counts.Columns];
        for (int t = 0; t < damp.Length; t++) damp[t] = exponent == 0 ? 1f : 1f / MathF.Pow(Math.Max(1, popularity[t]), exponent);
        for (int r = 0; r < counts.Rows; r++)
        {
            int s = counts.Pointers[r], e = counts.Pointers[r + 1];
            float sum = 0;
            for (int k = s; k < e; k++) sum += values[k];
            if (sum <= 0) continue;
            for (int k = s; k < e; k++) values[k] = values[k] / sum * damp[counts.Indices[k]];
        }
        return new SparseMatrix(counts.Rows, counts.Columns, counts.Pointers, counts.Indices, values);
    }
}

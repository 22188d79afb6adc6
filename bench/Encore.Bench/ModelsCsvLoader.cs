using Encore.Models.Numerics;

namespace Encore.Bench;

/// <summary>
/// Reads a P-SCALE interactions CSV (<c>user,item,weight,timestamp</c>, 0-based integer ids, optional header)
/// straight into CSR in two streaming passes (count per member, then fill), so the peak is the CSR itself.
/// </summary>
public static class ModelsCsvLoader
{
    public static SparseMatrix LoadCsr(string path)
    {
        var counts = new List<int>();
        int maxItem = -1;
        Scan(path, (u, i, _) =>
        {
            while (counts.Count <= u) counts.Add(0);
            counts[u]++;
            if (i > maxItem) maxItem = i;
        });
        int rows = counts.Count;
        var pointers = new int[rows + 1];
        for (int r = 0; r < rows; r++) pointers[r + 1] = pointers[r] + counts[r];
        var next = pointers[..rows];
        var indices = new int[pointers[^1]];
        var values = new float[pointers[^1]];
        Scan(path, (u, i, w) =>
        {
            int p = next[u]++;
            indices[p] = i;
            values[p] = w;
        });
        for (int r = 0; r < rows; r++) Array.Sort(indices, values, pointers[r], pointers[r + 1] - pointers[r]);
        return new SparseMatrix(rows, maxItem + 1, pointers, indices, values);
    }

    private static void Scan(string path, Action<int, int, float> add)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        var buffer = new byte[1 << 20];
        Span<long> fields = stackalloc long[4];
        int field = 0, line = 1;
        long value = 0, scale = 1, weightScale = 1;
        bool digits = false, header = false, skipLine = false, fraction = false;
        int read;
        while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            for (int k = 0; k < read; k++)
            {
                byte b = buffer[k];
                if (b == '\n')
                {
                    if (!skipLine && (field > 0 || digits))
                    {
                        fields[Math.Min(field, 3)] = value;
                        if (field < 2) throw new InvalidDataException($"{path}:{line}: expected user,item,weight[,timestamp]");
                        if (field == 2) weightScale = scale;
                        add((int)fields[0], (int)fields[1], (float)fields[2] / weightScale);
                    }
                    field = 0; value = 0; scale = 1; weightScale = 1; fraction = false; digits = false; skipLine = false; line++;
                    continue;
                }
                if (skipLine || b == '\r') continue;
                if (b == ',') { if (field < 4) fields[field] = value; if (field == 2) weightScale = scale; field++; value = 0; scale = 1; fraction = false; digits = false; continue; }
                if (b >= '0' && b <= '9') { value = value * 10 + (b - '0'); digits = true; if (fraction) scale *= 10; continue; }
                if (b == '.' && field == 2 && !fraction) { fraction = true; continue; }
                if (line == 1 && !header) { header = true; skipLine = true; continue; } // a header line
                throw new InvalidDataException($"{path}:{line}: unexpected character '{(char)b}'");
            }
        }
    }
}

namespace Encore.Analytics.Audience;

/// <summary>Spearman's rank correlation (ties take their mean rank; NaN when either side is constant or shorter than 2).</summary>
public static class RankCorrelation
{
    public static double Spearman(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        if (a.Length != b.Length) throw new ArgumentException($"{a.Length} values against {b.Length}");
        if (a.Length < 2) return double.NaN;
        var ra = Ranks(a);
        var rb = Ranks(b);
        double ma = 0, mb = 0;
        for (int i = 0; i < ra.Length; i++) { ma += ra[i]; mb += rb[i]; }
        ma /= ra.Length; mb /= rb.Length;
        double sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < ra.Length; i++)
        {
            double da = ra[i] - ma, db = rb[i] - mb;
            sab += da * db; saa += da * da; sbb += db * db;
        }
        return saa == 0 || sbb == 0 ? double.NaN : sab / Math.Sqrt(saa * sbb);
    }

    /// <summary>Ranks from 1, ties given their mean rank.</summary>
    public static double[] Ranks(ReadOnlySpan<double> values)
    {
        var order = new int[values.Length];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        var keys = values.ToArray();
        Array.Sort(keys, order);
        var ranks = new double[values.Length];
        for (int i = 0; i < order.Length;)
        {
            int j = i;
            while (j + 1 < order.Length && keys[j + 1] == keys[i]) j++;
            double rank = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) ranks[order[k]] = rank;
            i = j + 1;
        }
        return ranks;
    }
}

using System.Text;

namespace Encore.Analytics.Experiments;

/// <summary>One arm of an experiment and its share of the members who are in the experiment.</summary>
public sealed record Variant(string Name, double Weight)
{
    /// <summary>
    /// Variants from comma-separated names (control first) and optional comma-separated weights (equal when null), as
    /// a command line or a query string gives them; a wrong list is an <see cref="ArgumentException"/> saying why.
    /// </summary>
    public static IReadOnlyList<Variant> Parse(string names, string? weights)
    {
        var list = names.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (list.Length < 2) throw new ArgumentException($"variants needs at least two names (got {Core.UnicodeText.Quote(names)})");
        var shares = new double[list.Length];
        Array.Fill(shares, 1.0);
        if (weights is not null)
        {
            var parts = weights.Split(',', StringSplitOptions.TrimEntries);
            if (parts.Length != list.Length) throw new ArgumentException($"weights has {parts.Length} values for {list.Length} variants");
            for (int i = 0; i < parts.Length; i++)
                if (!double.TryParse(parts[i], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out shares[i])
                    || !(shares[i] > 0) || !double.IsFinite(shares[i]))
                    throw new ArgumentException($"weights: {Core.UnicodeText.Quote(parts[i])} is not a positive number");
        }
        var variants = new Variant[list.Length];
        for (int i = 0; i < list.Length; i++) variants[i] = new Variant(list[i], shares[i]);
        return variants;
    }
}

/// <summary>
/// Deterministic assignment of members to the variants of one experiment by hashing: a member's bucket is a 64-bit
/// hash (FNV-1a, then a SplitMix64 finalizer) of "salt/member id", so it is stable (same member, same experiment, same
/// variant, on every machine and run) and independent across experiments (a different salt gives an unrelated
/// bucket). A holdout share, hashed under its own salt, is kept out of the experiment altogether (it sees the
/// control experience and measures the long-run effect of everything shipped).
/// </summary>
public sealed class VariantAssigner
{
    /// <summary>Returned by <see cref="Assign"/> for a member in the holdout.</summary>
    public const int Holdout = -1;

    private readonly double[] _cumulative;

    public VariantAssigner(string experiment, IReadOnlyList<Variant> variants, double holdoutShare = 0, string holdoutSalt = "encore-holdout")
    {
        if (string.IsNullOrWhiteSpace(experiment)) throw new ArgumentException("the experiment needs a name (its hashing salt)", nameof(experiment));
        ArgumentNullException.ThrowIfNull(variants);
        if (variants.Count < 2) throw new ArgumentException($"an experiment needs at least two variants (got {variants.Count})", nameof(variants));
        if (holdoutShare is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(holdoutShare), holdoutShare, "the holdout share must be within [0, 1)");
        var names = new HashSet<string>(StringComparer.Ordinal);
        double total = 0;
        foreach (var v in variants)
        {
            if (string.IsNullOrWhiteSpace(v.Name)) throw new ArgumentException("a variant has no name", nameof(variants));
            if (!names.Add(v.Name)) throw new ArgumentException($"variant '{v.Name}' is named twice", nameof(variants));
            if (!(v.Weight > 0) || double.IsInfinity(v.Weight)) throw new ArgumentException($"variant '{v.Name}' has weight {v.Weight}; weights must be positive", nameof(variants));
            total += v.Weight;
        }
        Experiment = experiment;
        Variants = variants;
        HoldoutShare = holdoutShare;
        HoldoutSalt = holdoutSalt;
        _cumulative = new double[variants.Count];
        double acc = 0;
        for (int i = 0; i < variants.Count; i++)
        {
            acc += variants[i].Weight / total;
            _cumulative[i] = acc;
        }
        _cumulative[^1] = 1.0;
    }

    /// <summary>A two-arm split, "control" and "treatment", half each.</summary>
    public static VariantAssigner TwoWay(string experiment, double holdoutShare = 0) =>
        new(experiment, [new Variant("control", 1), new Variant("treatment", 1)], holdoutShare);

    public string Experiment { get; }
    public IReadOnlyList<Variant> Variants { get; }
    public double HoldoutShare { get; }
    public string HoldoutSalt { get; }

    /// <summary>Expected share of the experiment's (non-holdout) members per variant.</summary>
    public double ExpectedShare(int variant) => _cumulative[variant] - (variant == 0 ? 0 : _cumulative[variant - 1]);

    /// <summary>The variant index of <paramref name="memberId"/>, or <see cref="Holdout"/>.</summary>
    public int Assign(string memberId)
    {
        ArgumentNullException.ThrowIfNull(memberId);
        if (HoldoutShare > 0 && Unit(HoldoutSalt, memberId) < HoldoutShare) return Holdout;
        double u = Unit(Experiment, memberId);
        for (int i = 0; i < _cumulative.Length; i++) if (u < _cumulative[i]) return i;
        return _cumulative.Length - 1;
    }

    /// <summary>A uniform number in [0, 1) fixed by (salt, id).</summary>
    public static double Unit(string salt, string id)
    {
        ulong h = 14695981039346656037UL;
        h = Fnv(h, salt);
        h = (h ^ '/') * 1099511628211UL;
        h = Fnv(h, id);
        h += 0x9E3779B97F4A7C15UL;
        h = (h ^ (h >> 30)) * 0xBF58476D1CE4E5B9UL;
        h = (h ^ (h >> 27)) * 0x94D049BB133111EBUL;
        h ^= h >> 31;
        return (h >> 11) * (1.0 / (1UL << 53));
    }

    private static ulong Fnv(ulong h, string text)
    {
        Span<byte> buffer = stackalloc byte[256];
        int max = Encoding.UTF8.GetMaxByteCount(text.Length);
        byte[]? rented = max > buffer.Length ? new byte[max] : null;
        var bytes = rented ?? buffer;
        int length = Encoding.UTF8.GetBytes(text, bytes);
        for (int i = 0; i < length; i++) h = (h ^ bytes[i]) * 1099511628211UL;
        return h;
    }
}

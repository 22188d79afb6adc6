using System.Runtime.CompilerServices;
using System.Numerics.Tensors;

namespace Encore.Simulation;

/// <summary>
/// Every member's true utility for every title: what evaluation measures models against. It lives only in
/// memory, derived from the seed; nothing of it is written to the event log. Utilities are standardized over
/// random (member, title) pairs: 0 is an average match, above 1 a title the member truly likes, below 0 one
/// they dislike.
/// </summary>
public sealed class GroundTruth
{
    private readonly SimCatalogue _titles;
    private readonly SimMembers _members;
    private readonly float _offset;
    private readonly float _scale;

    /// <summary>Utility above which a member truly likes a title.</summary>
    public const float LikeThreshold = 1.0f;
    /// <summary>Utility below which a member dislikes a title.</summary>
    public const float DislikeThreshold = 0.0f;

    internal GroundTruth(SimCatalogue titles, SimMembers members, ulong seed)
    {
        _titles = titles;
        _members = members;
        _scale = 1f;
        _offset = 0f;
        // Standardize on a fixed sample of pairs, so the thresholds above mean the same at every size.
        var rng = SimRandom.Create(seed, 0x7247_0001);
        const int samples = 20_000;
        double sum = 0, sumSq = 0;
        for (int i = 0; i < samples; i++)
        {
            double u = RawUtility(rng.NextInt(members.Count), rng.NextInt(titles.Count));
            sum += u;
            sumSq += u * u;
        }
        double mean = sum / samples;
        double sd = Math.Sqrt(Math.Max(1e-9, sumSq / samples - mean * mean));
        _offset = (float)mean;
        _scale = (float)(1.0 / sd);
    }

    public int Members => _members.Count;
    public int Titles => _titles.Count;

    /// <summary>The true utility of <paramref name="title"/> for <paramref name="member"/> (dense indices).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public float Utility(int member, int title) => (RawUtility(member, title) - _offset) * _scale;

    /// <summary>The true utility by external ids (as stored: "m0000001", "t000001").</summary>
    public float Utility(string memberId, string titleId)
    {
        int m = _members.IndexOf(memberId), t = _titles.IndexOf(titleId);
        if (m < 0) throw new ArgumentException($"unknown simulated member '{memberId}'", nameof(memberId));
        if (t < 0) throw new ArgumentException($"unknown simulated title '{titleId}'", nameof(titleId));
        return Utility(m, t);
    }

    /// <summary>Writes the member's utility for every title.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Utilities(int member, Span<float> utilities)
    {
        if (utilities.Length != _titles.Count) throw new ArgumentException($"expected {_titles.Count} slots", nameof(utilities));
        for (int t = 0; t < utilities.Length; t++) utilities[t] = Utility(member, t);
    }

    /// <summary>
    /// The member's true top <paramref name="k"/> titles, best first, among titles available by
    /// <paramref name="day"/> (all when null) and not in <paramref name="exclude"/>.
    /// </summary>
    public int[] TrueTopK(int member, int k, int? day = null, IReadOnlySet<int>? exclude = null)
    {
        var heap = new PriorityQueue<int, float>(k + 1);
        for (int t = 0; t < _titles.Count; t++)
        {
            if (day is { } d && !_titles.IsAvailable(t, d)) continue;
            if (exclude is not null && exclude.Contains(t)) continue;
            float u = Utility(member, t);
            if (heap.Count < k) heap.Enqueue(t, u);
            else if (heap.TryPeek(out _, out var worst) && u > worst) heap.DequeueEnqueue(t, u);
        }
        var top = new int[heap.Count];
        for (int i = top.Length - 1; i >= 0; i--) top[i] = heap.Dequeue();
        return top;
    }

    /// <summary>Utility of a title the service does not carry (what drives searches for it).</summary>
    internal float AbsentUtility(int member, int absent)
    {
        int d = _titles.Dimensions;
        float dot = TensorPrimitives.Dot(_members.LatentOf(member), _titles.AbsentLatent.AsSpan(absent * d, d));
        float genre = 0;
        uint mask = _titles.AbsentGenreMasks[absent];
        for (int g = 0; g < Genres.Count; g++) if (Genres.Has(mask, g)) genre += _members.GenreAffinity[member * Genres.Count + g];
        return (dot + 0.5f * genre - _offset) * _scale;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private float RawUtility(int member, int title)
    {
        int d = _titles.Dimensions;
        float u = TensorPrimitives.Dot(_members.LatentOf(member), _titles.LatentOf(title));

        uint mask = _titles.GenreMasks[title];
        float genre = 0;
        int genres = 0;
        int affinity = member * Genres.Count;
        for (uint rest = mask; rest != 0; rest &= rest - 1)
        {
            genre += _members.GenreAffinity[affinity + System.Numerics.BitOperations.TrailingZeroCount(rest)];
            genres++;
        }
        u += 0.7f * genre / MathF.Sqrt(Math.Max(1, genres));

        int director = _titles.Director[title];
        for (int k = 0; k < SimMembers.FavoriteDirectorSlots; k++)
            if (_members.FavoriteDirectors[member * SimMembers.FavoriteDirectorSlots + k] == director) { u += 0.6f; break; }
        for (int c = 0; c < SimCatalogue.CastPerTitle; c++)
        {
            int actor = _titles.Cast[title * SimCatalogue.CastPerTitle + c];
            if (actor < 0) continue;
            for (int k = 0; k < SimMembers.FavoriteActorSlots; k++)
                if (_members.FavoriteActors[member * SimMembers.FavoriteActorSlots + k] == actor) u += 0.35f;
        }

        var language = _titles.Language[title];
        if (language != "en" && !ReferenceEquals(language, _members.Language[member]) && language != _members.Language[member])
            u -= 0.6f * (1f - _members.LanguageOpenness[member]);
        return u + _titles.Quality[title];
    }
}

namespace Encore.Core;

/// <summary>
/// Collects (member, title, weight[, rating, time]) triplets in any order and builds an
/// <see cref="InteractionMatrix"/>. A repeated (member, title) pair is merged: weights add up, and the
/// rating and time of the latest interaction are kept.
/// </summary>
public sealed class InteractionMatrixBuilder
{
    private readonly List<int> _rows = [];
    private readonly List<int> _cols = [];
    private readonly List<float> _weights = [];
    private readonly List<float> _ratings = [];
    private readonly List<long> _times = [];
    private bool _hasRatings;
    private bool _hasTimes;

    /// <summary>An empty builder over the given id maps (new ones where null); the maps grow as ids are added.</summary>
    /// <param name="memberIds">Member ids; pass a pre-filled map to fix the row order.</param>
    /// <param name="titleIds">Title ids; pass a pre-filled map (e.g. the whole catalogue) to fix the columns.</param>
    public InteractionMatrixBuilder(IdMap? memberIds = null, IdMap? titleIds = null)
    {
        MemberIds = memberIds ?? new IdMap();
        TitleIds = titleIds ?? new IdMap();
    }

    /// <summary>The member ids seen so far (the rows of the matrix to be built).</summary>
    public IdMap MemberIds { get; }
    /// <summary>The title ids seen so far (the columns of the matrix to be built).</summary>
    public IdMap TitleIds { get; }
    /// <summary>How many triplets were added (before repeated pairs are merged).</summary>
    public int Count => _rows.Count;

    /// <summary>Adds an interaction by external ids, adding ids not yet in <see cref="MemberIds"/> or <see cref="TitleIds"/>.</summary>
    /// <param name="memberId">The member.</param>
    /// <param name="titleId">The title.</param>
    /// <param name="weight">The preference weight (finite); a repeated pair's weights add up.</param>
    /// <param name="rating">The explicit rating, if any.</param>
    /// <param name="unixSeconds">When it happened, in Unix seconds, if known.</param>
    public void Add(string memberId, string titleId, float weight, float? rating = null, long? unixSeconds = null)
        => Add(MemberIds.GetOrAdd(memberId), TitleIds.GetOrAdd(titleId), weight, rating, unixSeconds);

    /// <summary>Adds by dense indices already in <see cref="MemberIds"/> and <see cref="TitleIds"/>.</summary>
    /// <param name="member">The member's index.</param>
    /// <param name="title">The title's index.</param>
    /// <param name="weight">The preference weight (finite); a repeated pair's weights add up.</param>
    /// <param name="rating">The explicit rating, if any.</param>
    /// <param name="unixSeconds">When it happened, in Unix seconds, if known.</param>
    /// <exception cref="ArgumentOutOfRangeException">An index is not in its map, or the weight is not finite.</exception>
    public void Add(int member, int title, float weight, float? rating = null, long? unixSeconds = null)
    {
        if ((uint)member >= (uint)MemberIds.Count) throw new ArgumentOutOfRangeException(nameof(member), member, "member index is not in MemberIds");
        if ((uint)title >= (uint)TitleIds.Count) throw new ArgumentOutOfRangeException(nameof(title), title, "title index is not in TitleIds");
        if (!float.IsFinite(weight)) throw new ArgumentOutOfRangeException(nameof(weight), weight, "weight must be finite");
        _rows.Add(member);
        _cols.Add(title);
        _weights.Add(weight);
        _ratings.Add(rating ?? float.NaN);
        _times.Add(unixSeconds ?? long.MinValue);
        _hasRatings |= rating.HasValue;
        _hasTimes |= unixSeconds.HasValue;
    }

    /// <summary>The matrix of everything added, repeated pairs merged, rows sorted by column.</summary>
    public InteractionMatrix Build()
    {
        int n = _rows.Count;
        int rows = MemberIds.Count;
        // Order entries by (row, column, time) with a counting sort on rows, then a sort inside each row.
        var rowStart = new int[rows + 1];
        foreach (var r in _rows) rowStart[r + 1]++;
        for (int r = 0; r < rows; r++) rowStart[r + 1] += rowStart[r];
        var order = new int[n];
        var next = rowStart.AsSpan(0, rows).ToArray();
        for (int i = 0; i < n; i++) order[next[_rows[i]]++] = i;

        var pointers = new int[rows + 1];
        var cols = new List<int>(n);
        var vals = new List<float>(n);
        var ratings = new List<float>(_hasRatings ? n : 0);
        var times = new List<long>(_hasTimes ? n : 0);
        var keys = new (int Col, long Time, int Index)[0];
        for (int r = 0; r < rows; r++)
        {
            int len = rowStart[r + 1] - rowStart[r];
            if (keys.Length < len) keys = new (int, long, int)[Math.Max(len, keys.Length * 2)];
            for (int k = 0; k < len; k++)
            {
                int i = order[rowStart[r] + k];
                keys[k] = (_cols[i], _times[i], i);
            }
            Array.Sort(keys, 0, len);
            for (int k = 0; k < len; k++)
            {
                var (col, time, i) = keys[k];
                bool merge = cols.Count > pointers[r] && cols[^1] == col;
                if (merge)
                {
                    vals[^1] += _weights[i];
                    if (_hasRatings && !float.IsNaN(_ratings[i])) ratings[^1] = _ratings[i];
                    if (_hasTimes) times[^1] = Math.Max(times[^1], time);
                    continue;
                }
                cols.Add(col);
                vals.Add(_weights[i]);
                if (_hasRatings) ratings.Add(_ratings[i]);
                if (_hasTimes) times.Add(time);
            }
            pointers[r + 1] = cols.Count;
        }
        return new InteractionMatrix(MemberIds, TitleIds, pointers, cols.ToArray(), vals.ToArray(),
            _hasRatings ? ratings.ToArray() : null, _hasTimes ? times.ToArray() : null);
    }
}

namespace Encore.Core;

/// <summary>Maps external ids (strings) to dense indices 0..Count-1, in order of first appearance.</summary>
public sealed class IdMap
{
    private readonly List<string> _ids;
    private readonly Dictionary<string, int> _index;

    /// <summary>An empty map.</summary>
    public IdMap() : this(0) { }

    /// <summary>An empty map with room for <paramref name="capacity"/> ids before it grows.</summary>
    public IdMap(int capacity)
    {
        _ids = new List<string>(capacity);
        _index = new Dictionary<string, int>(capacity, StringComparer.Ordinal);
    }

    /// <summary>A map of <paramref name="ids"/>, indexed in their order; a repeated id keeps its first index.</summary>
    public IdMap(IEnumerable<string> ids) : this()
    {
        foreach (var id in ids) GetOrAdd(id);
    }

    /// <summary>How many ids the map holds (the next index to be given).</summary>
    public int Count => _ids.Count;

    /// <summary>A copy that later additions to this map do not change (what a trained model keeps as its ids).</summary>
    public IdMap Copy()
    {
        var copy = new IdMap(_ids.Count);
        foreach (var id in _ids) copy.GetOrAdd(id);
        return copy;
    }

    /// <summary>The id at dense index <paramref name="index"/> (0..Count-1).</summary>
    public string this[int index] => _ids[index];

    /// <summary>Every id, in index order.</summary>
    public IReadOnlyList<string> Ids => _ids;

    /// <summary>The index of <paramref name="id"/>, adding it at the end (index Count) when it is new.</summary>
    public int GetOrAdd(string id)
    {
        if (_index.TryGetValue(id, out var i)) return i;
        i = _ids.Count;
        _ids.Add(id);
        _index.Add(id, i);
        return i;
    }

    /// <summary>Whether the map holds <paramref name="id"/>; if so, <paramref name="index"/> is its index.</summary>
    public bool TryGetIndex(string id, out int index) => _index.TryGetValue(id, out index);

    /// <summary>The index of <paramref name="id"/>, or -1 when unknown.</summary>
    public int IndexOf(string id) => _index.TryGetValue(id, out var i) ? i : -1;
}

namespace Encore.Core;

/// <summary>Maps external ids (strings) to dense indices 0..Count-1, in order of first appearance.</summary>
public sealed class IdMap
{
    private readonly List<string> _ids;
    private readonly Dictionary<string, int> _index;

    public IdMap() : this(0) { }

    public IdMap(int capacity)
    {
        _ids = new List<string>(capacity);
        _index = new Dictionary<string, int>(capacity, StringComparer.Ordinal);
    }

    public IdMap(IEnumerable<string> ids) : this()
    {
        foreach (var id in ids) GetOrAdd(id);
    }

    public int Count => _ids.Count;

    /// <summary>A copy that later additions to this map do not change (what a trained model keeps as its ids).</summary>
    public IdMap Copy()
    {
        var copy = new IdMap(_ids.Count);
        foreach (var id in _ids) copy.GetOrAdd(id);
        return copy;
    }

    public string this[int index] => _ids[index];

    public IReadOnlyList<string> Ids => _ids;

    public int GetOrAdd(string id)
    {
        if (_index.TryGetValue(id, out var i)) return i;
        i = _ids.Count;
        _ids.Add(id);
        _index.Add(id, i);
        return i;
    }

    public bool TryGetIndex(string id, out int index) => _index.TryGetValue(id, out index);

    /// <summary>The index of <paramref name="id"/>, or -1 when unknown.</summary>
    public int IndexOf(string id) => _index.TryGetValue(id, out var i) ? i : -1;
}

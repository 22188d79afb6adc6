namespace Encore.Ingestion.Importers;

/// <summary>
/// Hands out one string instance per distinct id text, so that millions of ratings share a few thousand
/// id strings instead of allocating two per line.
/// </summary>
internal sealed class StringPool
{
    private readonly Dictionary<string, string> _strings = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    public StringPool() => _lookup = _strings.GetAlternateLookup<ReadOnlySpan<char>>();

    public string Get(ReadOnlySpan<char> text)
    {
        if (_lookup.TryGetValue(text, out var existing)) return existing;
        var s = text.ToString();
        _strings.Add(s, s);
        return s;
    }
}

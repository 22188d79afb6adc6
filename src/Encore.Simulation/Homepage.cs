namespace Encore.Simulation;

/// <summary>
/// A homepage being built for one session: rows of titles, each slot with the probability with which the
/// policy put that title there. A title appears at most once per page. Reused between sessions by one worker.
/// </summary>
public sealed class Homepage
{
    private readonly int[] _seenStamp;
    private int _stamp = 1;
    private readonly List<string> _rowNames = [];
    private readonly List<int> _rowStarts = [];
    private readonly List<int> _titles = [];
    private readonly List<float> _propensities = [];

    /// <summary>An empty page for a catalogue of <paramref name="catalogueSize"/> titles.</summary>
    public Homepage(int catalogueSize) => _seenStamp = new int[catalogueSize];

    /// <summary>How many rows the page has.</summary>
    public int RowCount => _rowNames.Count;
    /// <summary>How many slots (titles) the page has, over all rows.</summary>
    public int SlotCount => _titles.Count;

    /// <summary>The name of row <paramref name="row"/> (e.g. "popular").</summary>
    public string RowName(int row) => _rowNames[row];
    /// <summary>The first slot of row <paramref name="row"/>.</summary>
    public int RowStart(int row) => _rowStarts[row];
    /// <summary>How many slots row <paramref name="row"/> has.</summary>
    public int RowLength(int row) => (row + 1 < _rowStarts.Count ? _rowStarts[row + 1] : _titles.Count) - _rowStarts[row];
    /// <summary>The title (catalogue index) in slot <paramref name="slot"/>.</summary>
    public int Title(int slot) => _titles[slot];
    /// <summary>The probability with which the policy put the title of slot <paramref name="slot"/> there.</summary>
    public float Propensity(int slot) => _propensities[slot];

    /// <summary>Titles on the page plus titles excluded from it.</summary>
    public int MarkedCount { get; private set; }

    /// <summary>Empties the page for the next session.</summary>
    public void Clear()
    {
        MarkedCount = 0;
        _rowNames.Clear();
        _rowStarts.Clear();
        _titles.Clear();
        _propensities.Clear();
        if (++_stamp == int.MaxValue)
        {
            Array.Clear(_seenStamp);
            _stamp = 1;
        }
    }

    /// <summary>Starts a new row; <paramref name="name"/> is recorded on its impressions (e.g. "popular", "genre:drama").</summary>
    public void BeginRow(string name)
    {
        _rowNames.Add(name);
        _rowStarts.Add(_titles.Count);
    }

    /// <summary>Whether <paramref name="title"/> is on the page (or excluded from it).</summary>
    public bool Contains(int title) => _seenStamp[title] == _stamp;

    /// <summary>Adds a slot to the current row; returns false (and adds nothing) when the title is already on the page.</summary>
    public bool Add(int title, float propensity)
    {
        if (_rowNames.Count == 0) throw new InvalidOperationException("call BeginRow before adding titles");
        if ((uint)title >= (uint)_seenStamp.Length) throw new ArgumentOutOfRangeException(nameof(title), title, "title index outside the catalogue");
        if (_seenStamp[title] == _stamp) return false;
        _seenStamp[title] = _stamp;
        MarkedCount++;
        _titles.Add(title);
        _propensities.Add(propensity);
        return true;
    }

    /// <summary>Keeps <paramref name="title"/> off this page (e.g. a film the member has finished).</summary>
    public void Exclude(int title)
    {
        if ((uint)title >= (uint)_seenStamp.Length || _seenStamp[title] == _stamp) return;
        _seenStamp[title] = _stamp;
        MarkedCount++;
    }

    /// <summary>Removes a row left empty (keeps impressions meaningful).</summary>
    public void DropEmptyLastRow()
    {
        if (_rowNames.Count > 0 && _rowStarts[^1] == _titles.Count)
        {
            _rowNames.RemoveAt(_rowNames.Count - 1);
            _rowStarts.RemoveAt(_rowStarts.Count - 1);
        }
    }
}

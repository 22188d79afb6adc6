using Encore.Core;

namespace Encore.Storage;

/// <summary>Which optional fields an event row carries (a bit each; absent fields take no bytes in a block).</summary>
[Flags]
internal enum EventFields : ushort
{
    None = 0,
    Title = 1 << 0,
    Episode = 1 << 1,
    Position = 1 << 2,
    Rating = 1 << 3,
    Pause = 1 << 4,
    SeekFrom = 1 << 5,
    Propensity = 1 << 6,
    RowPosition = 1 << 7,
    Query = 1 << 8,
    Results = 1 << 9,
    Row = 1 << 10,
    /// <summary>The event id is text (otherwise it is a canonical UUID held as 128 bits).</summary>
    TextId = 1 << 11,
}

/// <summary>
/// Events with integer keys as columns (struct of arrays): what a pending batch, a block and a segment being
/// sealed hold in memory. Rows are appended; <see cref="Seq"/> is the order the store accepted them in.
/// </summary>
internal sealed class EventColumns
{
    public int Count;
    public long[] Seq = [], Ts = [], Session = [];
    public int[] Member = [], Title = [], Episode = [], RowPosition = [];
    public byte[] Kind = [], Device = [];
    public EventFields[] Fields = [];
    public UInt128[] Uuid = [];
    public string?[] TextId = [], Query = [], Row = [];
    public string[]?[] Results = [];
    public double[] Position = [], Rating = [], Pause = [], SeekFrom = [], Propensity = [];

    public EventColumns(int capacity = 0) => Grow(capacity);

    public void Clear() => Count = 0;

    /// <summary>Adds a row with every field unset and returns its index; the caller fills it in.</summary>
    public int AddRow()
    {
        if (Count == Seq.Length) Grow(Math.Max(16, Count * 2));
        Fields[Count] = EventFields.None;
        TextId[Count] = Query[Count] = Row[Count] = null;
        Results[Count] = null;
        Title[Count] = Episode[Count] = 0;
        return Count++;
    }

    /// <summary>Adds <paramref name="e"/> with the keys the store resolved for it.</summary>
    public void Add(ViewingEvent e, in EncodedEventId id, long seq, long tsMs, int member, int title, int episode, long session)
    {
        int i = AddRow();
        var fields = EventFields.None;
        Seq[i] = seq;
        Ts[i] = tsMs;
        Kind[i] = (byte)e.Kind;
        Device[i] = (byte)e.Device;
        Member[i] = member;
        Session[i] = session;
        if (id.IsUuid) Uuid[i] = id.Uuid;
        else { TextId[i] = id.Text; fields |= EventFields.TextId; }
        if (title != 0) { Title[i] = title; fields |= EventFields.Title; }
        if (episode != 0) { Episode[i] = episode; fields |= EventFields.Episode; }
        if (e.PositionSeconds is { } position) { Position[i] = position; fields |= EventFields.Position; }
        if (e.Rating is { } rating) { Rating[i] = rating; fields |= EventFields.Rating; }
        if (e.PauseSeconds is { } pause) { Pause[i] = pause; fields |= EventFields.Pause; }
        if (e.SeekFromSeconds is { } from) { SeekFrom[i] = from; fields |= EventFields.SeekFrom; }
        if (e.Propensity is { } propensity) { Propensity[i] = propensity; fields |= EventFields.Propensity; }
        if (e.RowPosition is { } slot) { RowPosition[i] = slot; fields |= EventFields.RowPosition; }
        if (e.Query is { } query) { Query[i] = query; fields |= EventFields.Query; }
        if (e.ResultsShown is { } results) { Results[i] = [.. results]; fields |= EventFields.Results; }
        if (e.Row is { } row) { Row[i] = row; fields |= EventFields.Row; }
        Fields[i] = fields;
    }

    /// <summary>Copies row <paramref name="i"/> of <paramref name="from"/> to the end of this one.</summary>
    public void CopyRow(EventColumns from, int i)
    {
        int j = AddRow();
        Seq[j] = from.Seq[i];
        Ts[j] = from.Ts[i];
        Session[j] = from.Session[i];
        Member[j] = from.Member[i];
        Title[j] = from.Title[i];
        Episode[j] = from.Episode[i];
        RowPosition[j] = from.RowPosition[i];
        Kind[j] = from.Kind[i];
        Device[j] = from.Device[i];
        Fields[j] = from.Fields[i];
        Uuid[j] = from.Uuid[i];
        TextId[j] = from.TextId[i];
        Query[j] = from.Query[i];
        Row[j] = from.Row[i];
        Results[j] = from.Results[i];
        Position[j] = from.Position[i];
        Rating[j] = from.Rating[i];
        Pause[j] = from.Pause[i];
        SeekFrom[j] = from.SeekFrom[i];
        Propensity[j] = from.Propensity[i];
    }

    public bool Has(int i, EventFields field) => (Fields[i] & field) != 0;

    /// <summary>The event id as it was sent.</summary>
    public string EventId(int i) => Has(i, EventFields.TextId) ? TextId[i]! : EventIds.FormatUuid(Uuid[i]);

    /// <summary>The kind's own number (see <see cref="InteractionRow.Value"/>), NaN where it has none.</summary>
    public float Value(int i) => (EventKind)Kind[i] switch
    {
        EventKind.Rating when Has(i, EventFields.Rating) => (float)Rating[i],
        EventKind.Pause when Has(i, EventFields.Pause) => (float)Pause[i],
        EventKind.Seek when Has(i, EventFields.SeekFrom) => (float)SeekFrom[i],
        EventKind.Impression when Has(i, EventFields.Propensity) => (float)Propensity[i],
        _ => float.NaN,
    };

    /// <summary>
    /// The row indices in (timestamp, accepted order) order: the order of a segment, and of every read.
    /// </summary>
    public int[] TimeOrder()
    {
        var order = new int[Count];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        var ts = Ts;
        var seq = Seq;
        Array.Sort(order, (a, b) => ts[a] != ts[b] ? ts[a].CompareTo(ts[b]) : seq[a].CompareTo(seq[b]));
        return order;
    }

    private void Grow(int capacity)
    {
        Array.Resize(ref Seq, capacity);
        Array.Resize(ref Ts, capacity);
        Array.Resize(ref Session, capacity);
        Array.Resize(ref Member, capacity);
        Array.Resize(ref Title, capacity);
        Array.Resize(ref Episode, capacity);
        Array.Resize(ref RowPosition, capacity);
        Array.Resize(ref Kind, capacity);
        Array.Resize(ref Device, capacity);
        Array.Resize(ref Fields, capacity);
        Array.Resize(ref Uuid, capacity);
        Array.Resize(ref TextId, capacity);
        Array.Resize(ref Query, capacity);
        Array.Resize(ref Row, capacity);
        Array.Resize(ref Results, capacity);
        Array.Resize(ref Position, capacity);
        Array.Resize(ref Rating, capacity);
        Array.Resize(ref Pause, capacity);
        Array.Resize(ref SeekFrom, capacity);
        Array.Resize(ref Propensity, capacity);
    }
}

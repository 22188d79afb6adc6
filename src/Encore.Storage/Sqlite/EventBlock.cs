using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace Encore.Storage;

/// <summary>
/// The binary form of a run of events, as one SQLite BLOB: a pending batch, or a block of a sealed segment.
/// One BLOB per thousand events instead of a row (and its index entries) per event is what lets the log
/// take events at a few microseconds each.
/// </summary>
/// <remarks>
/// Layout: a format byte, the row count (varint), then each row: its <see cref="EventFields"/> (varint),
/// timestamp, sequence number and session key as zigzag deltas from the previous row (small, since rows
/// are near each other in time and sessions), kind and device bytes, member key, then only the fields the
/// row has: title and episode keys, the id (16 bytes of a UUID, else UTF-8 text), doubles as 8 raw bytes
/// (exact), the row position, and texts as length-prefixed UTF-8. Little-endian throughout.
/// </remarks>
internal static class EventBlock
{
    private const byte Format = 1;

    /// <summary>
    /// Encodes rows <paramref name="rows"/> of <paramref name="from"/>, in that order, into the start of
    /// <paramref name="buffer"/> (grown when too small) and returns the length.
    /// </summary>
    public static int Encode(EventColumns from, ReadOnlySpan<int> rows, ref byte[] buffer)
    {
        var w = new Writer(buffer);
        w.Byte(Format);
        w.Varint((ulong)rows.Length);
        long ts = 0, seq = 0, session = 0;
        foreach (int i in rows)
        {
            var fields = from.Fields[i];
            w.Varint((ulong)fields);
            w.Signed(from.Ts[i] - ts);
            w.Signed(from.Seq[i] - seq);
            w.Signed(from.Session[i] - session);
            ts = from.Ts[i];
            seq = from.Seq[i];
            session = from.Session[i];
            w.Byte(from.Kind[i]);
            w.Byte(from.Device[i]);
            w.Varint((uint)from.Member[i]);
            if ((fields & EventFields.Title) != 0) w.Varint((uint)from.Title[i]);
            if ((fields & EventFields.Episode) != 0) w.Varint((uint)from.Episode[i]);
            if ((fields & EventFields.TextId) != 0) w.Text(from.TextId[i]!);
            else w.UInt128(from.Uuid[i]);
            if ((fields & EventFields.Position) != 0) w.Double(from.Position[i]);
            if ((fields & EventFields.Rating) != 0) w.Double(from.Rating[i]);
            if ((fields & EventFields.Pause) != 0) w.Double(from.Pause[i]);
            if ((fields & EventFields.SeekFrom) != 0) w.Double(from.SeekFrom[i]);
            if ((fields & EventFields.Propensity) != 0) w.Double(from.Propensity[i]);
            if ((fields & EventFields.RowPosition) != 0) w.Signed(from.RowPosition[i]);
            if ((fields & EventFields.Query) != 0) w.Text(from.Query[i]!);
            if ((fields & EventFields.Results) != 0)
            {
                var results = from.Results[i]!;
                w.Varint((ulong)results.Length);
                foreach (var result in results) w.Text(result);
            }
            if ((fields & EventFields.Row) != 0) w.Text(from.Row[i]!);
        }
        buffer = w.Buffer;
        return w.Length;
    }

    /// <summary>Appends every row of <paramref name="block"/> to <paramref name="into"/>; <paramref name="what"/> names the block in errors.</summary>
    public static void Decode(ReadOnlySpan<byte> block, EventColumns into, string what) => Decode(block, into, what, [], all: true);

    /// <summary>
    /// Appends only rows <paramref name="rows"/> (ascending positions in the block) to <paramref name="into"/>:
    /// the rows before them are stepped over without building their strings (a member's few rows in a block).
    /// </summary>
    public static void Decode(ReadOnlySpan<byte> block, EventColumns into, string what, ReadOnlySpan<int> rows) => Decode(block, into, what, rows, all: false);

    private static void Decode(ReadOnlySpan<byte> block, EventColumns into, string what, ReadOnlySpan<int> rows, bool all)
    {
        var r = new Reader(block, what);
        if (r.Byte() != Format) throw r.Corrupt("unknown block format");
        long count = (long)r.Varint();
        if (count > block.Length) throw r.Corrupt("row count larger than the block");
        if (!all && rows.Length > 0 && rows[^1] >= count) throw r.Corrupt($"row {rows[^1]} asked of a block of {count}");
        long ts = 0, seq = 0, session = 0;
        int wanted = 0;
        for (long n = 0; n < count; n++)
        {
            if (!all && wanted == rows.Length) return;
            if (!all && rows[wanted] != n)
            {
                // Stepped over: only the running deltas matter.
                var skipped = (EventFields)r.Varint();
                ts += r.Signed();
                seq += r.Signed();
                session += r.Signed();
                r.Skip(skipped);
                continue;
            }
            wanted++;
            int i = into.AddRow();
            var fields = (EventFields)r.Varint();
            into.Fields[i] = fields;
            into.Ts[i] = ts += r.Signed();
            into.Seq[i] = seq += r.Signed();
            into.Session[i] = session += r.Signed();
            into.Kind[i] = r.Byte();
            into.Device[i] = r.Byte();
            into.Member[i] = r.Key();
            if ((fields & EventFields.Title) != 0) into.Title[i] = r.Key();
            if ((fields & EventFields.Episode) != 0) into.Episode[i] = r.Key();
            if ((fields & EventFields.TextId) != 0) into.TextId[i] = r.Text();
            else into.Uuid[i] = r.UInt128();
            if ((fields & EventFields.Position) != 0) into.Position[i] = r.Double();
            if ((fields & EventFields.Rating) != 0) into.Rating[i] = r.Double();
            if ((fields & EventFields.Pause) != 0) into.Pause[i] = r.Double();
            if ((fields & EventFields.SeekFrom) != 0) into.SeekFrom[i] = r.Double();
            if ((fields & EventFields.Propensity) != 0) into.Propensity[i] = r.Double();
            if ((fields & EventFields.RowPosition) != 0) into.RowPosition[i] = (int)r.Signed();
            if ((fields & EventFields.Query) != 0) into.Query[i] = r.Text();
            if ((fields & EventFields.Results) != 0)
            {
                var results = new string[checked((int)Math.Min(r.Varint(), (ulong)block.Length))];
                for (int k = 0; k < results.Length; k++) results[k] = r.Text();
                into.Results[i] = results;
            }
            if ((fields & EventFields.Row) != 0) into.Row[i] = r.Text();
        }
        if (all && !r.AtEnd) throw r.Corrupt("bytes left after the last row");
    }

    private ref struct Writer(byte[] buffer)
    {
        public byte[] Buffer = buffer;
        public int Length;

        private Span<byte> Take(int n)
        {
            if (Length + n > Buffer.Length) Array.Resize(ref Buffer, Math.Max(Buffer.Length * 2, Length + n + 4096));
            var span = Buffer.AsSpan(Length, n);
            Length += n;
            return span;
        }

        public void Byte(byte value) => Take(1)[0] = value;

        public void Varint(ulong value)
        {
            var span = Take(10);
            int n = 0;
            while (value >= 0x80)
            {
                span[n++] = (byte)(value | 0x80);
                value >>= 7;
            }
            span[n++] = (byte)value;
            Length -= 10 - n;
        }

        public void Signed(long value) => Varint((ulong)((value << 1) ^ (value >> 63)));

        public void Double(double value) => BinaryPrimitives.WriteDoubleLittleEndian(Take(8), value);

        public void UInt128(UInt128 value) => BinaryPrimitives.WriteUInt128LittleEndian(Take(16), value);

        public void Text(string value)
        {
            int bytes = Encoding.UTF8.GetByteCount(value);
            Varint((ulong)bytes);
            Encoding.UTF8.GetBytes(value, Take(bytes));
        }
    }

    private ref struct Reader(ReadOnlySpan<byte> block, string what)
    {
        private readonly ReadOnlySpan<byte> _block = block;
        private int _at;

        public readonly bool AtEnd => _at == _block.Length;

        public readonly InvalidDataException Corrupt(string reason) => new($"{what}: {reason} at byte {_at} of {_block.Length}; the event log is corrupt");

        private ReadOnlySpan<byte> Take(int n)
        {
            if (n < 0 || _block.Length - _at < n) throw Corrupt("a row runs past the end of the block");
            var span = _block.Slice(_at, n);
            _at += n;
            return span;
        }

        public byte Byte() => Take(1)[0];

        public ulong Varint()
        {
            ulong value = 0;
            for (int shift = 0; shift < 64; shift += 7)
            {
                byte b = Byte();
                value |= (ulong)(b & 0x7f) << shift;
                if (b < 0x80) return value;
            }
            throw Corrupt("a number longer than 64 bits");
        }

        public long Signed()
        {
            ulong v = Varint();
            return (long)(v >> 1) ^ -(long)(v & 1);
        }

        public int Key()
        {
            ulong v = Varint();
            if (v > int.MaxValue) throw Corrupt("a key beyond the 32-bit range");
            return (int)v;
        }

        public double Double() => BinaryPrimitives.ReadDoubleLittleEndian(Take(8));

        /// <summary>Steps over the rest of a row (after its deltas) that has <paramref name="fields"/>.</summary>
        public void Skip(EventFields fields)
        {
            Take(2);
            Varint();
            if ((fields & EventFields.Title) != 0) Varint();
            if ((fields & EventFields.Episode) != 0) Varint();
            if ((fields & EventFields.TextId) != 0) SkipText();
            else Take(16);
            int doubles = BitOperations.PopCount((uint)(fields & (EventFields.Position | EventFields.Rating | EventFields.Pause | EventFields.SeekFrom | EventFields.Propensity)));
            Take(8 * doubles);
            if ((fields & EventFields.RowPosition) != 0) Varint();
            if ((fields & EventFields.Query) != 0) SkipText();
            if ((fields & EventFields.Results) != 0)
            {
                ulong n = Varint();
                for (ulong k = 0; k < n; k++) SkipText();
            }
            if ((fields & EventFields.Row) != 0) SkipText();
        }

        private void SkipText()
        {
            ulong n = Varint();
            if (n > int.MaxValue) throw Corrupt("a text longer than the block");
            Take((int)n);
        }

        public UInt128 UInt128() => BinaryPrimitives.ReadUInt128LittleEndian(Take(16));

        public string Text()
        {
            ulong n = Varint();
            if (n > int.MaxValue) throw Corrupt("a text longer than the block");
            return Encoding.UTF8.GetString(Take((int)n));
        }
    }
}

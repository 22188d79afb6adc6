using System.Globalization;
using Encore.Core;
using Encore.Ingestion.Importers;
using Encore.Models.Numerics;

namespace Encore.Evaluation.Interactions;

/// <summary>
/// The lines of an interactions file (<see cref="InteractionsReader"/>) in memory: ids interned once each (users and
/// items in order of first appearance), and per line the user's and item's index, the weight and the time. Nothing
/// is merged or dropped here; <see cref="Ranking.RankingData.FromInteractions(InteractionsFile)"/> decides what the lines mean.
/// </summary>
public sealed class InteractionsFile
{
    private InteractionsFile(string path, InteractionsLayout layout, IdMap users, IdMap items, int[] userIndex, int[] itemIndex,
        float[] weights, long[] times, int count)
    {
        Path = path;
        Layout = layout;
        Users = users;
        Items = items;
        UserIndex = userIndex;
        ItemIndex = itemIndex;
        Weights = weights;
        Times = times;
        Count = count;
        if (layout.HasTimestamp && count > 0)
        {
            long first = times[0];
            for (int i = 1; i < count && !HasTimes; i++) HasTimes = times[i] != first;
        }
    }

    public string Path { get; }
    public InteractionsLayout Layout { get; }
    public IdMap Users { get; }
    public IdMap Items { get; }

    /// <summary>Lines read (blank lines and a header not counted).</summary>
    public int Count { get; }

    /// <summary>Per line (the first <see cref="Count"/> entries): user index, item index, weight (1 without a weight column), Unix seconds (0 without a timestamp column).</summary>
    public int[] UserIndex { get; }
    public int[] ItemIndex { get; }
    public float[] Weights { get; }
    public long[] Times { get; }

    /// <summary>
    /// Whether the lines carry a time order: the file has a timestamp column and at least two different values in it.
    /// (The P-SCALE file of gen_synth.py writes 0 on every line: a column that orders nothing.)
    /// </summary>
    public bool HasTimes { get; }

    /// <summary>Why <see cref="HasTimes"/> is false, in words (empty when it is true).</summary>
    public string NoTimesReason => HasTimes ? ""
        : !Layout.HasTimestamp ? "it has no timestamp column"
        : Count == 0 ? "it holds no lines"
        : string.Create(CultureInfo.InvariantCulture, $"its timestamp column holds {Times[0]} on every line");

    /// <summary>Reads every line of <paramref name="path"/>.</summary>
    /// <exception cref="ImportException">The file is missing or a line is malformed (file:line: reason).</exception>
    public static InteractionsFile Load(string path, CancellationToken ct = default)
    {
        using var reader = new InteractionsReader(path);
        // A first guess at the line count from the size (about 24 bytes a line), grown as needed.
        int capacity = (int)Math.Clamp(reader.Length / 24, 16, 1 << 26);
        var userIndex = new int[capacity];
        var itemIndex = new int[capacity];
        var weights = new float[capacity];
        var times = new long[capacity];
        var users = new Interner();
        var items = new Interner();
        int n = 0;
        while (reader.TryRead(out var line))
        {
            if ((n & 0xFFFF) == 0) ct.ThrowIfCancellationRequested();
            if (n == userIndex.Length)
            {
                int grown = checked(n * 2);
                Array.Resize(ref userIndex, grown);
                Array.Resize(ref itemIndex, grown);
                Array.Resize(ref weights, grown);
                Array.Resize(ref times, grown);
            }
            userIndex[n] = users.IndexOf(line.User);
            itemIndex[n] = items.IndexOf(line.Item);
            weights[n] = line.Weight;
            times[n] = line.UnixSeconds;
            n++;
        }
        return new InteractionsFile(path, reader.Layout, users.ToIdMap(), items.ToIdMap(), userIndex, itemIndex, weights, times, n);
    }

    /// <summary>
    /// Reads a file whose user and item ids are non-negative integers (P-SCALE's 0-based ids) straight into CSR,
    /// using the ids themselves as row and column indices, in two streaming passes (count per row, then fill), so
    /// that the peak is the CSR itself; weights as given, timestamps ignored, duplicate pairs kept as they are.
    /// For the speed benchmarks, which need no id map.
    /// </summary>
    public static SparseMatrix LoadCsr(string path, CancellationToken ct = default)
    {
        var counts = new List<int>();
        int maxItem = -1;
        using (var reader = new InteractionsReader(path))
        {
            while (reader.TryRead(out var line))
            {
                int u = IntegerId(reader, line.User, line.Line), i = IntegerId(reader, line.Item, line.Line);
                while (counts.Count <= u) counts.Add(0);
                counts[u]++;
                if (i > maxItem) maxItem = i;
                if ((line.Line & 0xFFFF) == 0) ct.ThrowIfCancellationRequested();
            }
        }
        int rows = counts.Count;
        var pointers = new int[rows + 1];
        for (int r = 0; r < rows; r++) pointers[r + 1] = pointers[r] + counts[r];
        var next = pointers[..rows];
        var indices = new int[pointers[^1]];
        var values = new float[pointers[^1]];
        using (var reader = new InteractionsReader(path))
        {
            while (reader.TryRead(out var line))
            {
                int p = next[IntegerId(reader, line.User, line.Line)]++;
                indices[p] = IntegerId(reader, line.Item, line.Line);
                values[p] = line.Weight;
            }
        }
        for (int r = 0; r < rows; r++) Array.Sort(indices, values, pointers[r], pointers[r + 1] - pointers[r]);
        return new SparseMatrix(rows, maxItem + 1, pointers, indices, values);
    }

    private static int IntegerId(InteractionsReader reader, ReadOnlySpan<char> id, long line)
    {
        if (InteractionsReader.TryParseDigits(id, out long digits) && digits <= int.MaxValue) return (int)digits;
        if (!int.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out int value))
            throw new ImportException(reader.Path, line, $"id {UnicodeText.Quote(id)} is not a non-negative integer (this reader uses ids as indices)");
        return value;
    }

    /// <summary>Strings to dense indices, looked up by span so that only a new id allocates its string.</summary>
    private sealed class Interner
    {
        private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;
        private readonly List<string> _ids = [];

        public Interner() => _lookup = _index.GetAlternateLookup<ReadOnlySpan<char>>();

        public int IndexOf(ReadOnlySpan<char> id)
        {
            if (_lookup.TryGetValue(id, out int index)) return index;
            index = _ids.Count;
            var text = id.ToString();
            _ids.Add(text);
            _index.Add(text, index);
            return index;
        }

        public IdMap ToIdMap()
        {
            var map = new IdMap(_ids.Count);
            foreach (var id in _ids) map.GetOrAdd(id);
            return map;
        }
    }
}

using Encore.Core;
using Encore.Signals;
using Encore.Storage;

namespace Encore.Ranking.ContinueWatching;

/// <summary>
/// Training (or evaluation) data for the resume model, built from an event log through time cuts: at each cut T,
/// every member's Continue Watching candidates with their <see cref="ResumeFeatures"/> from the events before T, and
/// the label "the member begins playing the title again (a play start or a replay) in [T, T + window)". One pass over
/// the log fills every cut (<see cref="ResumeExampleCollector"/>). Examples are stored cut by cut and, within a cut,
/// member by member in the order of the member's candidates (most recently played first).
/// </summary>
public sealed class ResumeExamples
{
    private readonly float[] _features;
    private readonly bool[] _labels;
    private readonly int[] _members, _titles, _cuts;
    private readonly float[] _daysIdle;

    internal ResumeExamples(int count, float[] features, bool[] labels, int[] members, int[] titles, int[] cuts, float[] daysIdle,
        IReadOnlyList<long> cutsMs, long windowMs, long lastRowMs)
    {
        Count = count;
        _features = features;
        _labels = labels;
        _members = members;
        _titles = titles;
        _cuts = cuts;
        _daysIdle = daysIdle;
        CutsMs = cutsMs;
        WindowMs = windowMs;
        LastRowMs = lastRowMs;
    }

    public int Count { get; }
    public static int FeatureCount => ResumeFeatures.Count;

    /// <summary>The cut times (Unix ms, ascending); <see cref="Cut"/> indexes them.</summary>
    public IReadOnlyList<long> CutsMs { get; }
    public long WindowMs { get; }

    /// <summary>The time of the last row read: a cut whose window ends after it has labels from part of its window only.</summary>
    public long LastRowMs { get; }

    public ReadOnlySpan<float> Features(int i) => _features.AsSpan(i * FeatureCount, FeatureCount);
    public bool Label(int i) => _labels[i];
    public int Member(int i) => _members[i];
    public int Title(int i) => _titles[i];
    public int Cut(int i) => _cuts[i];

    /// <summary>Days between the title's last playback and the cut: the recency baseline orders by its opposite.</summary>
    public float DaysIdle(int i) => _daysIdle[i];

    /// <summary>The examples of the cuts whose whole label window lies before <paramref name="untilMs"/>.</summary>
    public int[] IndicesBefore(long untilMs)
    {
        int n = 0;
        for (int i = 0; i < Count; i++) if (CutsMs[_cuts[i]] + WindowMs <= untilMs) n++;
        var idx = new int[n];
        n = 0;
        for (int i = 0; i < Count; i++) if (CutsMs[_cuts[i]] + WindowMs <= untilMs) idx[n++] = i;
        return idx;
    }

    /// <summary>The examples of one cut.</summary>
    public int[] IndicesOfCut(int cut)
    {
        int n = 0;
        for (int i = 0; i < Count; i++) if (_cuts[i] == cut) n++;
        var idx = new int[n];
        n = 0;
        for (int i = 0; i < Count; i++) if (_cuts[i] == cut) idx[n++] = i;
        return idx;
    }
}

/// <summary>
/// Folds an event log, in time order, into signals and, at each cut, snapshots every member's Continue Watching
/// candidates and their features; labels them from the plays begun in the window after the cut. Rows must come in
/// timestamp order, as <see cref="IEventStore.ReadInteractionsAsync"/> yields them.
/// </summary>
public sealed class ResumeExampleCollector
{
    private readonly long[] _cutsMs;
    private readonly long _windowMs;
    private int _nextCut;
    private readonly List<(int Cut, long EndMs, Dictionary<long, int> Pairs)> _open = [];
    private readonly List<ContinueWatchingCandidate> _candidates = [];
    private float[] _row = new float[ResumeFeatures.Count * 16];
    private float[] _features = new float[ResumeFeatures.Count * 4096];
    private bool[] _labels = new bool[4096];
    private int[] _members = new int[4096], _titles = new int[4096], _cuts = new int[4096];
    private float[] _daysIdle = new float[4096];
    private int _count;
    private long _lastRowMs = long.MinValue;

    /// <param name="signals">The signals to fold into (empty: the collector reads the log from its start).</param>
    /// <param name="cutsMs">The cut times, Unix ms.</param>
    /// <param name="window">How long after a cut a play counts as a resume (7 days).</param>
    public ResumeExampleCollector(SignalSet signals, IReadOnlyList<long> cutsMs, TimeSpan window)
    {
        ArgumentNullException.ThrowIfNull(signals);
        ArgumentNullException.ThrowIfNull(cutsMs);
        if (window <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(window), window, "the label window must be positive");
        Signals = signals;
        _cutsMs = [.. cutsMs];
        Array.Sort(_cutsMs);
        _windowMs = (long)window.TotalMilliseconds;
    }

    /// <summary>The signals of every row folded so far.</summary>
    public SignalSet Signals { get; }

    /// <summary>Reads <paramref name="store"/>'s log once and returns the examples of every cut, and the signals of the whole log.</summary>
    public static async Task<(ResumeExamples Examples, SignalSet Signals)> LoadAsync(IEventStore store, IReadOnlyList<long> cutsMs, TimeSpan window,
        SignalOptions? options = null, CancellationToken ct = default, IQueryResolver? resolver = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        var catalogue = await SignalCatalogue.LoadAsync(store, ct).ConfigureAwait(false);
        var members = await store.ReadMemberIdsAsync(ct).ConfigureAwait(false);
        var collector = new ResumeExampleCollector(new SignalSet(catalogue, members, options, resolver), cutsMs, window);
        await foreach (var row in store.ReadInteractionsAsync(EventQuery.All, ct).ConfigureAwait(false)) collector.Apply(row);
        return (collector.Finish(), collector.Signals);
    }

    /// <summary>Folds one row: first snapshots every cut at or before it, then labels the open windows, then updates the signals.</summary>
    public void Apply(in InteractionRow row)
    {
        long ms = row.UnixMilliseconds;
        if (ms < _lastRowMs) throw new ArgumentException($"rows must come in time order (a row at {ms} ms after one at {_lastRowMs} ms)", nameof(row));
        _lastRowMs = ms;
        while (_nextCut < _cutsMs.Length && _cutsMs[_nextCut] <= ms) Snapshot(_nextCut++);
        if (_open.Count > 0)
        {
            for (int w = _open.Count - 1; w >= 0; w--)
                if (_open[w].EndMs <= ms) _open.RemoveAt(w);
            if (row.Kind is EventKind.PlayStart or EventKind.Replay && row.Member >= 0 && row.Title >= 0)
            {
                long key = ((long)row.Member << 32) | (uint)row.Title;
                foreach (var (_, _, pairs) in _open)
                    if (pairs.TryGetValue(key, out int example)) _labels[example] = true;
            }
        }
        Signals.Apply(row);
    }

    /// <summary>Snapshots the cuts not reached yet (their windows then have no rows) and returns every example.</summary>
    public ResumeExamples Finish()
    {
        while (_nextCut < _cutsMs.Length) Snapshot(_nextCut++);
        _open.Clear();
        return new ResumeExamples(_count, _features, _labels, _members, _titles, _cuts, _daysIdle, _cutsMs, _windowMs, _lastRowMs);
    }

    private void Snapshot(int cut)
    {
        long now = _cutsMs[cut];
        var pairs = new Dictionary<long, int>();
        int f = ResumeFeatures.Count;
        for (int member = 0; member < Signals.MemberIds.Count; member++)
        {
            _candidates.Clear();
            ContinueWatchingCandidates.Collect(Signals, member, _candidates);
            int n = _candidates.Count;
            if (n == 0) continue;
            if (_row.Length < n * f) _row = new float[n * f * 2];
            ResumeFeatures.Compute(Signals, member, now, _candidates, _row);
            Reserve(_count + n);
            _row.AsSpan(0, n * f).CopyTo(_features.AsSpan(_count * f));
            for (int i = 0; i < n; i++)
            {
                var c = _candidates[i];
                int e = _count + i;
                _members[e] = member;
                _titles[e] = c.Title;
                _cuts[e] = cut;
                _daysIdle[e] = (float)(Math.Max(0, now - c.LastPlayMs) / 86_400_000.0);
                pairs[((long)member << 32) | (uint)c.Title] = e;
            }
            _count += n;
        }
        _open.Add((cut, now + _windowMs, pairs));
    }

    private void Reserve(int count)
    {
        if (count <= _labels.Length) return;
        int size = Math.Max(count, _labels.Length * 2);
        Array.Resize(ref _features, size * ResumeFeatures.Count);
        Array.Resize(ref _labels, size);
        Array.Resize(ref _members, size);
        Array.Resize(ref _titles, size);
        Array.Resize(ref _cuts, size);
        Array.Resize(ref _daysIdle, size);
    }
}

using Encore.Core;
using Encore.Signals;
using Encore.Storage;

namespace Encore.Evaluation.Simulation;

/// <summary>
/// A split of an event log in time: everything before <see cref="TrainEndMs"/> is folded into
/// <see cref="Signals"/> (what a model may learn from), and the window after it up to <see cref="TruthEndMs"/>
/// gives the truth: the titles each member starts anew there (never begun in training; a title only shown,
/// searched or rated before still counts) and watches to at least <see cref="WatchedShare"/> of its runtime, or
/// completes. It also records each member's first event in the window (the device and hour of their next
/// session), for context-aware scoring. Several splits are read in one pass over the log (<see cref="LoadAsync"/>):
/// P-SIM's test split and the validation split carved out of its training days.
/// </summary>
public sealed class TimeSplit
{
    /// <summary>The share of the runtime a title must be watched to (or completed) to count as watched.</summary>
    public const double WatchedShare = 0.7;

    private readonly Dictionary<long, float> _progress = []; // pair started in the window -> best watched share
    private readonly Dictionary<int, NextSession> _next = [];
    private Dictionary<int, List<int>>? _truth;
    private InteractionMatrix? _played;

    private TimeSplit(SignalSet signals, long trainEndMs, long truthEndMs)
    {
        Signals = signals;
        TrainEndMs = trainEndMs;
        TruthEndMs = truthEndMs;
    }

    /// <summary>The training events, folded.</summary>
    public SignalSet Signals { get; }
    public long TrainEndMs { get; }
    public long TruthEndMs { get; }
    public DateTime TrainEndUtc => DateTime.UnixEpoch.AddMilliseconds(TrainEndMs);
    public long TrainEvents { get; private set; }
    public long TruthEvents { get; private set; }

    /// <summary>Member index -> titles started anew in the window and watched to <see cref="WatchedShare"/>, ascending.</summary>
    public IReadOnlyDictionary<int, List<int>> WatchedTruth => _truth ?? throw new InvalidOperationException("the split is still being read");

    /// <summary>Member index -> the device and hour of the member's first event in the window.</summary>
    public IReadOnlyDictionary<int, NextSession> NextSessions => _next;

    /// <summary>The titles each member began in training: masked from every list, as the truth leaves them out.</summary>
    public InteractionMatrix PlayedMatrix() => _played ??= Signals.PlayedMatrix();

    /// <summary>The context model of the training days (built once per options).</summary>
    public ContextModel Context(ContextOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        lock (_contexts)
        {
            if (!_contexts.TryGetValue(options, out var model)) _contexts[options] = model = ContextModel.Build(Signals, options);
            return model;
        }
    }

    private readonly Dictionary<ContextOptions, ContextModel> _contexts = [];

    /// <summary>The training matrix under <paramref name="preferences"/>, weighed as of the end of training.</summary>
    public InteractionMatrix TrainMatrix(PreferenceOptions preferences) => Signals.ToMatrix(preferences, TrainEndMs);

    /// <summary>
    /// Reads <paramref name="store"/>'s log once and fills one split per (train end, truth end) window. The member and
    /// title indices are the store's in every split.
    /// </summary>
    /// <param name="resolver">Names the title of each search (search intent, <see cref="TitleSignals.SearchIntent"/>); null: none.</param>
    public static async Task<IReadOnlyList<TimeSplit>> LoadAsync(IEventStore store, IReadOnlyList<(long TrainEndMs, long TruthEndMs)> windows,
        SignalOptions? options = null, CancellationToken ct = default, IQueryResolver? resolver = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(windows);
        var catalogue = await SignalCatalogue.LoadAsync(store, ct).ConfigureAwait(false);
        var members = await store.ReadMemberIdsAsync(ct).ConfigureAwait(false);
        var splits = new TimeSplit[windows.Count];
        for (int i = 0; i < splits.Length; i++)
            splits[i] = new TimeSplit(new SignalSet(catalogue, members, options, resolver), windows[i].TrainEndMs, windows[i].TruthEndMs);
        await foreach (var row in store.ReadInteractionsAsync(EventQuery.All, ct).ConfigureAwait(false))
        {
            foreach (var split in splits)
            {
                if (row.UnixMilliseconds < split.TrainEndMs) split.Train(row);
                else if (row.UnixMilliseconds < split.TruthEndMs) split.Observe(row, catalogue);
            }
        }
        foreach (var split in splits) split.Finish();
        return splits;
    }

    private void Train(in InteractionRow row)
    {
        TrainEvents++;
        Signals.Apply(row);
    }

    private void Observe(in InteractionRow row, SignalCatalogue catalogue)
    {
        TruthEvents++;
        if (row.Member < 0) return;
        _next.TryAdd(row.Member, new NextSession(row.Device, (int)(row.UnixMilliseconds / 3_600_000 % 24)));
        if ((uint)row.Title >= (uint)catalogue.Titles) return;
        long key = ((long)row.Member << 32) | (uint)row.Title;
        if (row.Kind == EventKind.PlayStart && !Signals.Get(row.Member, row.Title).Played) _progress.TryAdd(key, 0f);
        if (!_progress.TryGetValue(key, out var best)) return;
        float length = Math.Max(1, catalogue.Runtimes[row.Title]);
        float share = row.Kind == EventKind.Completion ? 1f
            : row.Kind is EventKind.Stop or EventKind.Pause or EventKind.SkipIntro && !float.IsNaN(row.Position) ? row.Position / length : 0f;
        if (share > best) _progress[key] = share;
    }

    private void Finish()
    {
        var truth = new Dictionary<int, List<int>>();
        foreach (var (key, share) in _progress)
        {
            if (share < WatchedShare) continue;
            int member = (int)(key >> 32), title = (int)(key & 0xFFFFFFFF);
            if (!truth.TryGetValue(member, out var list)) truth[member] = list = [];
            list.Add(title);
        }
        foreach (var list in truth.Values) list.Sort();
        _truth = truth;
        _progress.Clear();
    }
}

/// <summary>Where and when a member's next session begins: the context a page for it is scored with.</summary>
public readonly record struct NextSession(DeviceKind Device, int Hour);

using Encore.Core;
using Encore.Simulation;
using Encore.Storage;

namespace Encore.Evaluation.Simulation;

/// <summary>
/// The P-SIM split of a simulated service's event log: everything before the last <see cref="TestDays"/>
/// simulated days is training (aggregated per member and title into <see cref="PairSignals"/>); the truth of a
/// member is the set of titles they start in the test days (not played in training) and watch to at least 70%
/// of the runtime (a film, or one episode of a series), or complete. The hidden-taste truth (the true top 20)
/// comes from the simulated world rebuilt from its seed.
/// </summary>
public sealed class PSimSplit
{
    public const int TestDays = 14;

    /// <summary>The fewest simulated days P-SIM can split: the <see cref="TestDays"/> test days and at least one day of training before them.</summary>
    public const int MinimumDays = TestDays + 1;

    /// <summary>Why a service of <paramref name="days"/> days is too short for P-SIM.</summary>
    public static string TooFewDays(int days) =>
        $"P-SIM needs at least {MinimumDays} simulated days: the last {TestDays} are its test period, and training needs at least one day before them (this service has {days})";
    public const double WatchedShare = 0.7;

    private PSimSplit(IdMap members, IdMap titles, Dictionary<long, PairSignals> train, Dictionary<int, List<int>> truth,
        DateTime splitUtc, SimulationManifest manifest, long trainEvents, long testEvents)
    {
        Members = members;
        Titles = titles;
        TrainPairs = train;
        WatchedTruth = truth;
        SplitUtc = splitUtc;
        Manifest = manifest;
        TrainEvents = trainEvents;
        TestEvents = testEvents;
    }

    public IdMap Members { get; }
    public IdMap Titles { get; }
    /// <summary>(member index &lt;&lt; 32 | title index) -> what the member did with the title before the split.</summary>
    public IReadOnlyDictionary<long, PairSignals> TrainPairs { get; }
    /// <summary>Member index -> titles started in the test days and watched to 70% (not played before).</summary>
    public IReadOnlyDictionary<int, List<int>> WatchedTruth { get; }
    public DateTime SplitUtc { get; }
    public SimulationManifest Manifest { get; }
    public long TrainEvents { get; }
    public long TestEvents { get; }

    public static long Key(int member, int title) => ((long)member << 32) | (uint)title;

    /// <summary>Reads the store's event log once (streaming) and splits it.</summary>
    public static async Task<PSimSplit> LoadAsync(IEventStore store, SimulationManifest manifest, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(manifest);
        if (manifest.Days < MinimumDays) throw new ArgumentException(TooFewDays(manifest.Days));
        var members = await store.ReadMemberIdsAsync(ct).ConfigureAwait(false);
        var titles = await store.ReadTitleIdsAsync(ct).ConfigureAwait(false);
        var runtime = new int[titles.Count];
        await foreach (var title in store.ReadTitlesAsync(ct).ConfigureAwait(false))
        {
            int t = titles.IndexOf(title.Id);
            if (t >= 0) runtime[t] = title.RuntimeSeconds;
        }
        var split = DateTime.SpecifyKind(manifest.StartUtc, DateTimeKind.Utc).AddDays(manifest.Days - TestDays);
        long splitMs = new DateTimeOffset(split).ToUnixTimeMilliseconds();

        var train = new Dictionary<long, PairSignals>();
        var openSegment = new Dictionary<long, float>(); // pair -> position where the current playback started
        var testProgress = new Dictionary<long, float>(); // pair started in the test days -> best watched share
        long trainEvents = 0, testEvents = 0;
        await foreach (var row in store.ReadInteractionsAsync(EventQuery.All, ct).ConfigureAwait(false))
        {
            if (row.Title < 0 || row.Member < 0) continue;
            long key = Key(row.Member, row.Title);
            float length = Math.Max(1, runtime[row.Title]);
            if (row.UnixMilliseconds < splitMs)
            {
                trainEvents++;
                ref var s = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(train, key, out bool existed);
                if (!existed) s.Rating = float.NaN;
                s.LastUnixSeconds = Math.Max(s.LastUnixSeconds, row.UnixSeconds);
                switch (row.Kind)
                {
                    case EventKind.PlayStart:
                        s.Starts++;
                        openSegment[key] = float.IsNaN(row.Position) ? 0 : row.Position;
                        break;
                    case EventKind.Replay when float.IsNaN(row.Position) || row.Position == 0:
                        // A replay of the title (a scene replay carries the scene's position and is counted below).
                        s.Starts++;
                        s.Replays++;
                        openSegment[key] = 0;
                        break;
                    case EventKind.Replay:
                        s.Replays++;
                        break;
                    case EventKind.Seek when openSegment.TryGetValue(key, out var from) && !float.IsNaN(row.Value) && row.Position > row.Value:
                        // Skipping ahead: the skipped part was not watched.
                        s.WatchedRuntimes += Math.Max(0, row.Value - from) / length;
                        openSegment[key] = row.Position;
                        break;
                    case EventKind.Stop or EventKind.Completion:
                        if (openSegment.Remove(key, out var start) && !float.IsNaN(row.Position))
                            s.WatchedRuntimes += Math.Max(0, row.Position - start) / length;
                        if (row.Kind == EventKind.Completion) s.Completions++;
                        break;
                    case EventKind.SkipCredits:
                        s.SkippedCredits++;
                        break;
                    case EventKind.Rating:
                        s.Rating = row.Value;
                        break;
                }
                continue;
            }
            testEvents++;
            // Truth is what the member starts anew: a title only shown, searched or rated before still counts.
            if (row.Kind == EventKind.PlayStart && !(train.TryGetValue(key, out var before) && before.Starts > 0)) testProgress.TryAdd(key, 0f);
            if (!testProgress.TryGetValue(key, out var best)) continue;
            float share = row.Kind == EventKind.Completion ? 1f
                : row.Kind is EventKind.Stop or EventKind.Pause or EventKind.SkipIntro && !float.IsNaN(row.Position) ? row.Position / length : 0f;
            if (share > best) testProgress[key] = share;
        }

        var truth = new Dictionary<int, List<int>>();
        foreach (var (key, share) in testProgress)
        {
            if (share < WatchedShare) continue;
            int member = (int)(key >> 32), title = (int)(key & 0xFFFFFFFF);
            if (!truth.TryGetValue(member, out var list)) truth[member] = list = [];
            list.Add(title);
        }
        foreach (var list in truth.Values) list.Sort();
        return new PSimSplit(members, titles, train, truth, split, manifest, trainEvents, testEvents);
    }

    /// <summary>The titles each member started in the training days (what P-SIM never recommends back).</summary>
    public InteractionMatrix PlayedMatrix() => TrainMatrix(SignalSetting.Plays);

    /// <summary>The training matrix under one signal setting (pairs it weighs 0 are left out; ratings and times carried).</summary>
    public InteractionMatrix TrainMatrix(SignalSetting setting)
    {
        var builder = new InteractionMatrixBuilder(Members, Titles);
        foreach (var (key, signals) in TrainPairs)
        {
            float w = setting.Weight(signals);
            if (!(w > 0)) continue;
            // Ratings go along only where every pair has one (models that read ratings would see gaps as NaN otherwise).
            float? rating = ReferenceEquals(setting, SignalSetting.Ratings) ? signals.Rating : null;
            builder.Add((int)(key >> 32), (int)(key & 0xFFFFFFFF), w, rating, signals.LastUnixSeconds);
        }
        return builder.Build();
    }
}

using System.Diagnostics;
using Encore.Core;

namespace Encore.Simulation;

/// <summary>
/// A simulated streaming service: a catalogue, members with hidden tastes (<see cref="Truth"/>) and the events
/// they produce day by day under a homepage policy. Generation is streamed (one block of members of one day at
/// a time goes to the sink) and deterministic: the same options give the same events byte for byte, whatever
/// the number of threads.
/// </summary>
public sealed class SimulatedService
{
    internal const int BlockSize = 4096;
    private const int ChunkSize = 128;

    public SimulatedService(SimulationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        options.Calibration.Validate();
        Options = options;
        Catalogue = CatalogueGenerator.Generate(options);
        Members = MemberGenerator.Generate(options, Catalogue);
        Truth = new GroundTruth(Catalogue, Members, options.Seed);
        View = new ServiceView(Catalogue, options.StartUtc);
    }

    public SimulationOptions Options { get; }
    public SimCatalogue Catalogue { get; }
    public SimMembers Members { get; }
    /// <summary>Every member's true utility for every title: for evaluation only, never in the event log.</summary>
    public GroundTruth Truth { get; }
    /// <summary>What the service observes as the run goes (popularity, available titles).</summary>
    public ServiceView View { get; }

    /// <summary>The catalogue as <see cref="Title"/> records (for the store).</summary>
    public IEnumerable<Title> Titles()
    {
        for (int t = 0; t < Catalogue.Count; t++) yield return Catalogue.ToTitle(t, Options.StartUtc);
    }

    /// <summary>The members as <see cref="Member"/> records (for the store).</summary>
    public IEnumerable<Member> MemberRecords()
    {
        for (int m = 0; m < Members.Count; m++) yield return Members.ToMember(m);
    }

    /// <summary>
    /// Runs every simulated day under <paramref name="policy"/>, handing each block of events to
    /// <paramref name="sink"/>. A service runs once: create a new one (same options, same world) for another run.
    /// </summary>
    public async Task<SimulationSummary> RunAsync(IHomepagePolicy policy, ISimulationSink sink,
        IProgress<SimulationProgress>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(sink);
        if (Interlocked.Exchange(ref _started, 1) != 0)
            throw new InvalidOperationException("this simulated service has already run; create a new SimulatedService with the same options");

        var clock = Stopwatch.StartNew();
        int members = Members.Count;
        var states = new MemberState?[members];
        int chunks = (BlockSize + ChunkSize - 1) / ChunkSize;
        var chunkBatches = new SimulationBatch[chunks];
        for (int i = 0; i < chunks; i++) chunkBatches[i] = new SimulationBatch();
        var workers = new ThreadLocal<SessionSimulator>(() => new SessionSimulator(this, policy), trackAllValues: false);
        var batch = new SimulationBatch();
        long events = 0, plays = 0, sessions = 0;
        var parallel = new ParallelOptions { CancellationToken = ct };

        await sink.BeginAsync(this, ct).ConfigureAwait(false);
        for (int day = 0; day < Options.Days; day++)
        {
            View.StartDay(day, Options.Calibration.PopularityHalfLifeDays);
            if (day == 0) SeedPopularity();
            policy.PrepareDay(View);
            for (int blockStart = 0; blockStart < members; blockStart += BlockSize)
            {
                int blockEnd = Math.Min(members, blockStart + BlockSize);
                int blockChunks = (blockEnd - blockStart + ChunkSize - 1) / ChunkSize;
                int currentDay = day, currentStart = blockStart;
                Parallel.For(0, blockChunks, parallel, c =>
                {
                    var output = chunkBatches[c];
                    output.Clear();
                    var simulator = workers.Value!;
                    int from = currentStart + c * ChunkSize, to = Math.Min(blockEnd, from + ChunkSize);
                    for (int m = from; m < to; m++)
                    {
                        if (!Members.IsActive(m, currentDay)) continue;
                        var state = states[m] ??= new MemberState();
                        simulator.SimulateDay(m, currentDay, state, output);
                    }
                });
                batch.Clear();
                batch.Day = day;
                for (int c = 0; c < blockChunks; c++) batch.Append(chunkBatches[c]);
                // Popularity counts new viewers: a long series resumed every day is not more popular for it.
                foreach (var p in batch.PlayList) if (p.FirstTime) View.PlaysToday[p.Title]++;
                events += batch.EventList.Count;
                plays += batch.PlayList.Count;
                sessions += batch.SessionList.Count;
                await sink.WriteAsync(batch, ct).ConfigureAwait(false);
                progress?.Report(new SimulationProgress(day, Options.Days, blockEnd, members, events));
            }
        }
        await sink.CompleteAsync(ct).ConfigureAwait(false);
        workers.Dispose();
        int left = 0;
        foreach (var state in states) if (state is not null && state.LeftOnDay != int.MaxValue) left++;
        return new SimulationSummary(Options, policy.Name, events, plays, sessions, clock.Elapsed) { MembersLeft = left };
    }

    private int _started;

    /// <summary>
    /// The service existed before the log starts: plays before day 0 are estimated from the tastes of a fixed
    /// sample of members (how many of them would like each title), so popularity starts from tastes, not a list.
    /// </summary>
    private void SeedPopularity()
    {
        int sample = Math.Min(Members.Count, 256);
        var rng = SimRandom.Create(Options.Seed, 0x5EED_0009);
        var chosen = new int[sample];
        for (int i = 0; i < sample; i++) chosen[i] = rng.NextInt(Members.Count);
        double scale = Options.Members * Options.Calibration.SessionsPerDayMedian / sample / Math.Max(1, Catalogue.Count / 50.0);
        for (int t = 0; t < Catalogue.Count; t++)
        {
            if (!Catalogue.IsAvailable(t, 0)) continue;
            double likes = 0;
            foreach (int m in chosen) likes += Math.Max(0, Truth.Utility(m, t) - 0.5);
            View.Popularity[t] = (float)(likes * scale);
        }
    }

    /// <summary>The stored form of an event: ids are "{member}-{session}-{sequence}", sessions "{member}-{session}".</summary>
    public ViewingEvent ToViewingEvent(in SimEvent e)
    {
        string member = Members.Ids[e.Member];
        string session = $"{member}-s{e.Session}";
        string[]? results = null;
        if (e.Results is { } shown)
        {
            results = new string[shown.Length];
            for (int i = 0; i < shown.Length; i++) results[i] = Catalogue.Ids[shown[i]];
        }
        return new ViewingEvent
        {
            EventId = $"{session}-{e.Sequence}",
            Kind = e.Kind,
            MemberId = member,
            TitleId = e.Title >= 0 ? Catalogue.Ids[e.Title] : null,
            EpisodeId = e.Episode >= 0 ? Catalogue.EpisodeId(e.Title, e.Episode) : null,
            Device = e.Device,
            TimestampUtc = DateTime.UnixEpoch.AddMilliseconds(e.TimestampMs),
            SessionId = session,
            PositionSeconds = float.IsNaN(e.Position) ? null : Math.Round(e.Position, 1),
            Rating = e.Kind == EventKind.Rating ? e.Value : null,
            PauseSeconds = e.Kind == EventKind.Pause ? Math.Round(e.Value, 1) : null,
            SeekFromSeconds = e.Kind == EventKind.Seek ? Math.Round(e.Value, 1) : null,
            Query = e.Kind == EventKind.Search ? e.Text : null,
            ResultsShown = results,
            Row = e.Kind == EventKind.Impression ? e.Text : null,
            RowPosition = e.Kind == EventKind.Impression ? e.Slot : null,
            Propensity = e.Kind == EventKind.Impression ? e.Value : null,
        };
    }
}

/// <summary>Where a run stands.</summary>
public readonly record struct SimulationProgress(int Day, int Days, int MembersDone, int Members, long Events);

/// <summary>What a run produced.</summary>
public sealed record SimulationSummary(SimulationOptions Options, string Policy, long Events, long Plays, long Sessions, TimeSpan Elapsed)
{
    /// <summary>Members who left because the service served them poorly (beyond the baseline churn drawn up front): what a policy changes.</summary>
    public int MembersLeft { get; init; }
}

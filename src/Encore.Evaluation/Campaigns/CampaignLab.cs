using System.Diagnostics;
using Encore.Analytics.Experiments;
using Encore.Analytics.OffPolicy;
using Encore.Core;
using Encore.Evaluation.Experiments;
using Encore.Simulation;

namespace Encore.Evaluation.Campaigns;

/// <summary>Settings of the <see cref="CampaignLab"/>.</summary>
public sealed record CampaignLabOptions
{
    public int Members { get; init; } = 600_000;
    public int Titles { get; init; } = 1_000;
    /// <summary>Days simulated: predictions are of the first day (a campaign shown for days meets members who already declined its titles, which the log of an exploring policy cannot show).</summary>
    public int Days { get; init; } = 1;
    public ulong Seed { get; init; } = SimulationOptions.DefaultSeed;
    /// <summary>Logged impressions each prediction is made from (whole members are taken until this many).</summary>
    public int LoggedImpressions { get; init; } = 10_000;
    /// <summary>Predictions per campaign, each from different logged members.</summary>
    public int Replicates { get; init; } = 8;
    /// <summary>The logging arm's weight in the split, against 1 per campaign arm.</summary>
    public double LoggingWeight { get; init; } = 4;
    public int BootstrapSamples { get; init; } = 300;
    /// <summary>The exploring policy that logs.</summary>
    public CampaignSpec Logging { get; init; } = new("explore") { PopularityWeight = 0.5 };
    /// <summary>The campaigns and policies whose value is predicted and then observed.</summary>
    public IReadOnlyList<CampaignSpec> Campaigns { get; init; } = DefaultCampaigns();

    /// <summary>22 campaigns and policies: sharper and flatter popularity, genre pushes, recent releases, series or films, personalized.</summary>
    public static IReadOnlyList<CampaignSpec> DefaultCampaigns() =>
    [
        new("popular") { PopularityWeight = 1 },
        new("popular-sharp") { PopularityWeight = 1, Temperature = 0.5 },
        new("popular-sharper") { PopularityWeight = 1, Temperature = 0.3 },
        new("uniform") { PopularityWeight = 0 },
        new("long-tail") { PopularityWeight = -0.5 },
        new("drama") { PopularityWeight = 0.5, Genre = Genres.Drama, GenreBoost = 1.5 },
        new("comedy") { PopularityWeight = 0.5, Genre = Genres.Comedy, GenreBoost = 1.5 },
        new("action") { PopularityWeight = 0.5, Genre = Genres.Action, GenreBoost = 1.5 },
        new("kids") { PopularityWeight = 0.5, Genre = Genres.Kids, GenreBoost = 1.5 },
        new("documentary") { PopularityWeight = 0.5, Genre = Genres.Documentary, GenreBoost = 1.5 },
        new("thriller-push") { PopularityWeight = 0.5, Genre = Genres.Thriller, GenreBoost = 3 },
        new("romance-push") { PopularityWeight = 0.5, Genre = Genres.Romance, GenreBoost = 3 },
        new("horror-push") { PopularityWeight = 0.5, Genre = Genres.Horror, GenreBoost = 2 },
        new("recent") { PopularityWeight = 0.5, RecentBoost = 1 },
        new("recent-push") { PopularityWeight = 0.5, RecentBoost = 2.5 },
        new("series") { PopularityWeight = 0.5, SeriesBoost = 1 },
        new("films") { PopularityWeight = 0.5, SeriesBoost = -1 },
        new("personal") { PopularityWeight = 0, UtilityWeight = 1 },
        new("personal-strong") { PopularityWeight = 0, UtilityWeight = 2 },
        new("personal-popular") { PopularityWeight = 0.5, UtilityWeight = 1 },
        new("personal-sharp") { PopularityWeight = 0, UtilityWeight = 3 },
        new("drama-recent") { PopularityWeight = 0.5, Genre = Genres.Drama, GenreBoost = 1, RecentBoost = 1 },
    ];

    public void Validate()
    {
        if (Members < 100) throw new ArgumentOutOfRangeException(nameof(Members), Members, "the lab needs at least 100 members");
        if (LoggedImpressions < 100) throw new ArgumentOutOfRangeException(nameof(LoggedImpressions), LoggedImpressions, "predict from at least 100 impressions");
        if (Replicates < 1) throw new ArgumentOutOfRangeException(nameof(Replicates), Replicates, "at least one replicate");
        if (Campaigns.Count < 1) throw new ArgumentException("no campaigns to predict", nameof(Campaigns));
        if (!(LoggingWeight > 0)) throw new ArgumentOutOfRangeException(nameof(LoggingWeight), LoggingWeight, "the logging arm's weight must be positive");
    }
}

/// <summary>One prediction of one campaign by one estimator, against the value its arm observed.</summary>
/// <param name="ObservedStdError">The sampling error of the arm's own value (the arm is a finite sample of members too).</param>
public readonly record struct CampaignPrediction(int Replicate, double Estimate, double Lower, double Upper, double Observed, double ObservedStdError, double EffectiveSampleSize)
{
    public double RelativeError => Math.Abs(Estimate - Observed) / Math.Abs(Observed);
    public bool Covers => Lower <= Observed && Observed <= Upper;

    /// <summary>Whether the interval, widened by the arm's own 95% sampling error (in quadrature), covers the observed value.</summary>
    public bool CoversWithArmError
    {
        get
        {
            double arm = 1.96 * ObservedStdError;
            double below = Math.Sqrt((Estimate - Lower) * (Estimate - Lower) + arm * arm);
            double above = Math.Sqrt((Upper - Estimate) * (Upper - Estimate) + arm * arm);
            return Estimate - below <= Observed && Observed <= Estimate + above;
        }
    }
}

/// <summary>A campaign's observed value in its own arm and every estimator's predictions of it.</summary>
/// <param name="Observed">Takes per impression of the policy's rows in the campaign's arm.</param>
/// <param name="ObservedSlate">Takes per row looked at (the slate value).</param>
public sealed record CampaignOutcome(string Campaign, int ArmMembers, long ArmImpressions, double Observed, double ObservedStdError, double ObservedSlate, double ObservedSlateStdError,
    IReadOnlyDictionary<OffPolicyEstimator, IReadOnlyList<CampaignPrediction>> Predictions, IReadOnlyList<string> Warnings)
{
    public double MeanRelativeError(OffPolicyEstimator e)
    {
        double s = 0;
        foreach (var p in Predictions[e]) s += p.RelativeError;
        return s / Predictions[e].Count;
    }
}

/// <summary>An estimator over all campaigns and replicates.</summary>
/// <param name="CoverageWithArmError">Coverage when the interval is widened by the observed arm's own sampling error.</param>
public sealed record EstimatorSummary(OffPolicyEstimator Estimator, int Predictions, double MeanRelativeError, double MedianRelativeError, double Coverage,
    double CoverageWithArmError, double MeanIntervalWidth);

/// <summary>What the lab found.</summary>
public sealed record CampaignLabResult(CampaignLabOptions Options, int LoggingMembers, long LoggingImpressions, double LoggingValue,
    IReadOnlyList<CampaignOutcome> Campaigns, IReadOnlyList<EstimatorSummary> Estimators, TimeSpan Elapsed);

/// <summary>
/// The campaign lab: one simulated service in which members are split by hash between an exploring logging policy
/// (which records what it could have shown in every slot) and one arm per campaign. Each campaign's value (takes per
/// impression of the policy rows; per row for the slate estimators) is predicted from <see cref="CampaignLabOptions.LoggedImpressions"/>
/// impressions of the logging arm only, several times from different members, and compared with what its own arm
/// observed. Nothing in the simulator is changed: the arms are ordinary homepage policies.
/// </summary>
public static class CampaignLab
{
    public static async Task<CampaignLabResult> RunAsync(CampaignLabOptions options, IProgress<string>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var clock = Stopwatch.StartNew();
        var service = new SimulatedService(new SimulationOptions { Members = options.Members, Titles = options.Titles, Days = options.Days, Seed = options.Seed });
        var variants = new List<Variant> { new("logging", options.LoggingWeight) };
        foreach (var c in options.Campaigns) variants.Add(new Variant(c.Name, 1));
        var assigner = new VariantAssigner("campaign-lab", variants);
        var recorder = new PageRecorder();
        var arms = new List<IHomepagePolicy> { new CampaignPagePolicy(service, options.Logging, recorder) };
        foreach (var c in options.Campaigns) arms.Add(new CampaignPagePolicy(service, c));
        var split = new SplitPolicy(service, assigner, arms);
        var sink = new ImpressionSink(split);
        await service.RunAsync(split, sink, ct: ct).ConfigureAwait(false);
        progress?.Report($"simulated {options.Members} members x {options.Days} days in {clock.Elapsed.TotalSeconds:F0} s; logging arm {sink.Logged.Count} impressions");

        var pages = recorder.Collect();
        var recent = CampaignPagePolicy.RecentTitles(service);
        var logged = sink.Logged;
        // The logging arm's members, shuffled, cut into disjoint samples of about LoggedImpressions each.
        var perMember = new Dictionary<int, List<int>>();
        for (int i = 0; i < logged.Count; i++)
        {
            if (!perMember.TryGetValue(logged[i].Member, out var list)) perMember[logged[i].Member] = list = [];
            list.Add(i);
        }
        var members = perMember.Keys.ToArray();
        Array.Sort(members);
        var rng = new Xoshiro256StarStar(options.Seed ^ 0xCA4A);
        for (int i = members.Length - 1; i > 0; i--)
        {
            int j = (int)(rng.NextDouble() * (i + 1));
            (members[i], members[j]) = (members[j], members[i]);
        }
        var samples = new List<List<int>>();
        var current = new List<int>();
        foreach (int m in members)
        {
            current.AddRange(perMember[m]);
            if (current.Count >= options.LoggedImpressions)
            {
                samples.Add(current);
                current = [];
                if (samples.Count == options.Replicates) break;
            }
        }
        if (samples.Count == 0) throw new InvalidOperationException($"the logging arm logged {logged.Count} impressions, fewer than the {options.LoggedImpressions} a prediction needs; add members or days");

        var estimatorOptions = new PolicyValueOptions { BootstrapSamples = options.BootstrapSamples, Seed = options.Seed };
        var outcomes = new List<CampaignOutcome>();
        var targetProbabilities = new double[CampaignPagePolicy.PoolSize];
        for (int c = 0; c < options.Campaigns.Count; c++)
        {
            var spec = options.Campaigns[c];
            var (observed, observedSe, observedSlate, observedSlateSe, armMembers, armImpressions) = sink.Observed(c + 1);
            var predictions = new Dictionary<OffPolicyEstimator, List<CampaignPrediction>>();
            foreach (var e in Enum.GetValues<OffPolicyEstimator>()) predictions[e] = [];
            var warnings = new HashSet<string>();
            for (int r = 0; r < samples.Count; r++)
            {
                var builder = new BanditLogBuilder();
                var clusterOf = new Dictionary<int, int>();
                int lastSlate = -1, slateKey = 0;
                foreach (int i in samples[r])
                {
                    var imp = logged[i];
                    if (!pages.TryGetSlot(imp.Member, imp.Day, imp.Ordinal, imp.Row, imp.Position, out var candidates, out int shown, out double p0) || shown != imp.Title)
                        throw new InvalidOperationException($"impression of member {imp.Member} day {imp.Day} session {imp.Ordinal} row {imp.Row} slot {imp.Position} has no recorded slot");
                    var probabilities = targetProbabilities.AsSpan(0, candidates.Length);
                    spec.Distribution(service, recent, imp.Member, candidates, recorder.LogPopularity(imp.Day), probabilities);
                    double target = probabilities[candidates.IndexOf(shown)];
                    if (!clusterOf.TryGetValue(imp.Member, out int cluster)) clusterOf[imp.Member] = cluster = clusterOf.Count;
                    int slate = imp.SlateId;
                    if (slate != lastSlate) { slateKey++; lastSlate = slate; }
                    builder.Add(cluster, slateKey, shown, p0, imp.Taken ? 1 : 0, target, candidates, probabilities);
                }
                var estimate = PolicyValueEstimator.Estimate(builder.Build(), estimatorOptions);
                foreach (var w in estimate.Warnings) warnings.Add(w);
                foreach (var result in estimate.Estimates)
                {
                    double truth = result.PerSlate ? observedSlate : observed;
                    double truthSe = result.PerSlate ? observedSlateSe : observedSe;
                    predictions[result.Estimator].Add(new CampaignPrediction(r, result.Value, result.Lower, result.Upper, truth, truthSe, estimate.EffectiveSampleSize));
                }
            }
            var frozen = new Dictionary<OffPolicyEstimator, IReadOnlyList<CampaignPrediction>>();
            foreach (var (k, v) in predictions) frozen[k] = v;
            outcomes.Add(new CampaignOutcome(spec.Name, armMembers, armImpressions, observed, observedSe, observedSlate, observedSlateSe, frozen, [.. warnings]));
            progress?.Report($"{spec.Name}: observed {observed:F4}, DR {frozen[OffPolicyEstimator.DoublyRobust][0].Estimate:F4}");
        }

        var summaries = new List<EstimatorSummary>();
        foreach (var e in Enum.GetValues<OffPolicyEstimator>())
        {
            var errors = new List<double>();
            double covered = 0, coveredWide = 0, width = 0;
            foreach (var o in outcomes)
                foreach (var p in o.Predictions[e])
                {
                    errors.Add(p.RelativeError);
                    if (p.Covers) covered++;
                    if (p.CoversWithArmError) coveredWide++;
                    width += (p.Upper - p.Lower) / Math.Abs(p.Observed);
                }
            errors.Sort();
            double mean = 0;
            foreach (double x in errors) mean += x;
            summaries.Add(new EstimatorSummary(e, errors.Count, mean / errors.Count, errors[errors.Count / 2], covered / errors.Count, coveredWide / errors.Count, width / errors.Count));
        }
        var (loggingValue, _, _, _, loggingMembers, loggingImpressions) = sink.Observed(0);
        return new CampaignLabResult(options, loggingMembers, loggingImpressions, loggingValue, outcomes, summaries, clock.Elapsed);
    }

    /// <summary>One impression of the logging arm: who, which page (day, ordinal of the session that day), where, what, and whether it was taken.</summary>
    internal readonly record struct LoggedImpression(int Member, int Day, int Ordinal, int Row, int Position, int Title, bool Taken, int SlateId);

    /// <summary>
    /// Counts impressions and takes of the policy rows per member and arm, and keeps the logging arm's impressions.
    /// A take is an impression followed directly by a play start of its title (the simulator emits them so).
    /// </summary>
    private sealed class ImpressionSink(SplitPolicy split) : ISimulationSink
    {
        private readonly Dictionary<int, (long Impressions, long Takes, long Slates)> _members = [];
        private readonly Dictionary<int, int> _firstSession = [];
        private int _slates;
        public List<LoggedImpression> Logged { get; } = [];

        public ValueTask BeginAsync(SimulatedService service, CancellationToken ct) => ValueTask.CompletedTask;

        public ValueTask WriteAsync(SimulationBatch batch, CancellationToken ct)
        {
            _firstSession.Clear();
            foreach (var s in batch.Sessions)
                if (!_firstSession.TryGetValue(s.Member, out int first) || s.Session < first) _firstSession[s.Member] = s.Session;
            var events = batch.Events;
            int lastMember = -1, lastSession = -1, lastRow = -1;
            for (int i = 0; i < events.Count; i++)
            {
                var e = events[i];
                if (e.Kind != EventKind.Impression || e.Text is null || ImpressionLog.FixedRows.Contains(e.Text)) continue;
                bool taken = i + 1 < events.Count && events[i + 1] is { Kind: EventKind.PlayStart or EventKind.Replay } next
                    && next.Member == e.Member && next.Session == e.Session && next.Title == e.Title;
                bool newSlate = e.Member != lastMember || e.Session != lastSession || e.Row != lastRow;
                if (newSlate) _slates++;
                lastMember = e.Member; lastSession = e.Session; lastRow = e.Row;
                _members.TryGetValue(e.Member, out var counts);
                _members[e.Member] = (counts.Impressions + 1, counts.Takes + (taken ? 1 : 0), counts.Slates + (newSlate ? 1 : 0));
                if (split.ArmOf(e.Member) == 0)
                    Logged.Add(new LoggedImpression(e.Member, batch.Day, e.Session - _firstSession[e.Member], e.Row, e.Slot, e.Title, taken, _slates));
            }
            return ValueTask.CompletedTask;
        }

        public ValueTask CompleteAsync(CancellationToken ct) => ValueTask.CompletedTask;

        /// <summary>Takes per impression in an arm and per slate, each with its delta-method standard error over members; members, impressions.</summary>
        public (double Value, double StdError, double Slate, double SlateStdError, int Members, long Impressions) Observed(int arm)
        {
            var takes = new List<double>();
            var impressions = new List<double>();
            var slates = new List<double>();
            foreach (var (m, c) in _members)
            {
                if (split.ArmOf(m) != arm) continue;
                takes.Add(c.Takes);
                impressions.Add(c.Impressions);
                slates.Add(c.Slates);
            }
            if (takes.Count < 2) return (double.NaN, double.NaN, double.NaN, double.NaN, takes.Count, 0);
            var (ratio, variance) = ExperimentTests.RatioMoments(takes.ToArray(), impressions.ToArray());
            var (slate, slateVariance) = ExperimentTests.RatioMoments(takes.ToArray(), slates.ToArray());
            double n = 0;
            foreach (double x in impressions) n += x;
            return (ratio, Math.Sqrt(variance), slate, Math.Sqrt(slateVariance), takes.Count, (long)n);
        }
    }
}

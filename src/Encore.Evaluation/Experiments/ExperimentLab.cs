using System.Diagnostics;
using Encore.Analytics.Experiments;
using Encore.Analytics.OffPolicy;
using Encore.Core;
using Encore.Simulation;

namespace Encore.Evaluation.Experiments;

/// <summary>Settings of the <see cref="ExperimentLab"/>.</summary>
public sealed record ExperimentLabOptions
{
    public int Members { get; init; } = 4_000;
    public int Titles { get; init; } = 1_000;
    public int PreDays { get; init; } = 7;
    public int ExperimentDays { get; init; } = 14;
    public ulong Seed { get; init; } = SimulationOptions.DefaultSeed;
    /// <summary>A/A experiments (re-randomizations of one run with a single policy).</summary>
    public int AaExperiments { get; init; } = 1_000;
    /// <summary>The control's policy: a <see cref="PolicyCatalog"/> name or "encore" (Encore's page generator, <see cref="Simulation.EncorePagePolicy"/>).</summary>
    public string Control { get; init; } = "popularity";
    /// <summary>The treatment's policy, named as <see cref="Control"/>.</summary>
    public string Treatment { get; init; } = "oracle";
    /// <summary>Share of the treatment's members dropped to make the skewed split the SRM check must catch.</summary>
    public double SkewDrop { get; init; } = 0.1;
    public ExperimentOptions Analysis { get; init; } = new();

    public void Validate()
    {
        if (Members < 200) throw new ArgumentOutOfRangeException(nameof(Members), Members, "the lab needs at least 200 members");
        if (PreDays < 1 || ExperimentDays < 2) throw new ArgumentException($"need a pre-period of at least 1 day and an experiment of at least 2 (got {PreDays} and {ExperimentDays})");
        if (AaExperiments < 1) throw new ArgumentOutOfRangeException(nameof(AaExperiments), AaExperiments, "at least one A/A experiment");
        if (SkewDrop is <= 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(SkewDrop), SkewDrop, "the skew must drop a share within (0, 1)");
    }
}

/// <summary>What the experiment lab measured.</summary>
/// <param name="AaFixedHorizon">Share of A/A experiments whose end-of-period Welch test on hours had p &lt; α (should be about α).</param>
/// <param name="AaPeeking">Share where a daily Welch test had p &lt; α on some day (what peeking does to a fixed-horizon test).</param>
/// <param name="AaSequential">Share where mSPRT's always-valid p-value fell below α on some day (should be at most α).</param>
/// <param name="AaTakeRate">Share whose take-rate delta-method test had p &lt; α at the end.</param>
/// <param name="AaSequentialTakeRate">Share where mSPRT on the take-rate, looking every day, fell below α.</param>
/// <param name="CupedVarianceReduction">Mean over the A/A experiments of CUPED's variance reduction on hours watched.</param>
public sealed record ExperimentLabResult(ExperimentLabOptions Options, int AaMembers, double AaFixedHorizon, double AaPeeking, double AaSequential,
    double AaTakeRate, double AaSequentialTakeRate, double CupedVarianceReduction, ExperimentReport KnownEffect, ExperimentReport Skewed, TimeSpan Elapsed);

/// <summary>
/// Validates the experiment statistics on the simulator: one run with a single policy re-randomized into many A/A
/// experiments (false positives of the fixed-horizon test, of daily peeking and of mSPRT; CUPED's variance reduction),
/// one run with two policies split by <see cref="SplitPolicy"/> after a pre-period (the known effect must be detected),
/// and the same run with part of one arm's members dropped (the SRM check must fire).
/// </summary>
public static class ExperimentLab
{
    public static async Task<ExperimentLabResult> RunAsync(ExperimentLabOptions options, IProgress<string>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var clock = Stopwatch.StartNew();
        var simulation = new SimulationOptions { Members = options.Members, Titles = options.Titles, Days = options.PreDays + options.ExperimentDays, Seed = options.Seed };

        var aaService = new SimulatedService(simulation);
        var aa = await RunAsync(aaService, CreatePolicy(options.Control, aaService), options.PreDays, ct).ConfigureAwait(false);
        progress?.Report($"A/A run: {clock.Elapsed.TotalSeconds:F0} s");
        var (fixedRate, peeking, sequential, takeRate, sequentialTake, cuped, entered) = AaExperiments(aa, options);
        progress?.Report($"{options.AaExperiments} A/A experiments: {clock.Elapsed.TotalSeconds:F0} s");

        var service = new SimulatedService(simulation);
        var assigner = VariantAssigner.TwoWay("known-effect");
        var control = CreatePolicy(options.Control, service);
        var treatment = CreatePolicy(options.Treatment, service);
        var split = new SplitPolicy(service, assigner, [control, treatment], options.PreDays);
        var ab = await RunAsync(service, split, options.PreDays, ct, control, treatment).ConfigureAwait(false);
        var known = ExperimentAnalyzer.Analyze(ab, assigner, options.Analysis);
        // The same data with part of the treatment's members lost (a logging bug on one arm).
        var skewed = new MemberOutcomes(ab.MemberIds, ab.Days);
        Array.Copy(ab.FirstDay, skewed.FirstDay, ab.Count);
        for (int m = 0; m < ab.Count; m++)
            if (assigner.Assign(ab.MemberIds[m]) == 1 && VariantAssigner.Unit("lost-logs", ab.MemberIds[m]) < options.SkewDrop) skewed.FirstDay[m] = int.MaxValue;
        CopyOutcomes(ab, skewed);
        var skew = ExperimentAnalyzer.Analyze(skewed, assigner, options.Analysis);
        return new ExperimentLabResult(options, entered, fixedRate, peeking, sequential, takeRate, sequentialTake, cuped, known, skew, clock.Elapsed);
    }

    private static void CopyOutcomes(MemberOutcomes from, MemberOutcomes to)
    {
        Array.Copy(from.Impressions, to.Impressions, from.Count);
        Array.Copy(from.Takes, to.Takes, from.Count);
        Array.Copy(from.Hours, to.Hours, from.Count);
        Array.Copy(from.Plays, to.Plays, from.Count);
        Array.Copy(from.Completions, to.Completions, from.Count);
        Array.Copy(from.Retained, to.Retained, from.Count);
        Array.Copy(from.PreHours, to.PreHours, from.Count);
        Array.Copy(from.DailyHours, to.DailyHours, from.DailyHours.Length);
        Array.Copy(from.DailyTakes, to.DailyTakes, from.DailyTakes.Length);
        Array.Copy(from.DailyImpressions, to.DailyImpressions, from.DailyImpressions.Length);
    }

    /// <summary>A policy by name: "encore" is Encore's page generator (it learns from the run's events), any other a <see cref="PolicyCatalog"/> policy.</summary>
    public static IHomepagePolicy CreatePolicy(string name, SimulatedService service)
        => string.Equals(name, "encore", StringComparison.OrdinalIgnoreCase) ? new Simulation.EncorePagePolicy(service) : PolicyCatalog.Create(name, service);

    /// <summary>
    /// Runs <paramref name="service"/> under <paramref name="policy"/> and collects every member's outcomes (period from
    /// day <paramref name="preDays"/>); policies that learn from the run's events (<see cref="ISimulationSink"/>) are fed them.
    /// </summary>
    public static async Task<MemberOutcomes> RunAsync(SimulatedService service, IHomepagePolicy policy, int preDays, CancellationToken ct = default, params IHomepagePolicy[] arms)
    {
        ArgumentNullException.ThrowIfNull(service);
        var sink = new OutcomeSink(service, preDays);
        var sinks = new List<ISimulationSink> { sink };
        if (policy is ISimulationSink learner) sinks.Add(learner);
        foreach (var arm in arms) if (arm is ISimulationSink s && !sinks.Contains(s)) sinks.Add(s);
        await service.RunAsync(policy, sinks.Count == 1 ? sink : new CompositeSink(sinks), ct: ct).ConfigureAwait(false);
        return sink.Outcomes;
    }

    private static (double Fixed, double Peeking, double Sequential, double TakeRate, double SequentialTakeRate, double Cuped, int Entered) AaExperiments(MemberOutcomes o, ExperimentLabOptions options)
    {
        int n = o.Count, days = o.Days;
        double alpha = 1 - options.Analysis.Confidence;
        // Cumulative hours per (day, member), so that each look is one pass.
        var cumulative = new double[days * n];
        var takes = new double[days * n];
        var impressions = new double[days * n];
        for (int m = 0; m < n; m++)
        {
            double acc = 0, t = 0, i = 0;
            for (int d = 0; d < days; d++)
            {
                acc += o.DailyHours[m * days + d]; cumulative[d * n + m] = acc;
                t += o.DailyTakes[m * days + d]; takes[d * n + m] = t;
                i += o.DailyImpressions[m * days + d]; impressions[d * n + m] = i;
            }
        }
        var entered = new List<int>();
        for (int m = 0; m < n; m++) if (o.FirstDay[m] != int.MaxValue) entered.Add(m);
        var (_, hoursVariance) = ExperimentTests.MeanVariance(Pick(o.Hours, entered));
        double tau2 = options.Analysis.MixingEffect * options.Analysis.MixingEffect * hoursVariance;
        double takeSum = 0, impressionSum = 0;
        foreach (int m in entered) { takeSum += o.Takes[m]; impressionSum += o.Impressions[m]; }
        double tauTake = Math.Pow(options.Analysis.MixingEffect * (impressionSum > 0 ? takeSum / impressionSum : 1), 2);
        int fixedHits = 0, peekHits = 0, sequentialHits = 0, takeHits = 0, sequentialTakeHits = 0;
        double cuped = 0;
        var control = new List<int>(n);
        var treatment = new List<int>(n);
        for (int k = 0; k < options.AaExperiments; k++)
        {
            var assigner = VariantAssigner.TwoWay($"aa-{k}");
            control.Clear();
            treatment.Clear();
            foreach (int m in entered) (assigner.Assign(o.MemberIds[m]) == 0 ? control : treatment).Add(m);
            var test = new SequentialTest(tau2, alpha);
            var takeTest = new SequentialTest(tauTake, alpha);
            bool peeked = false;
            for (int d = 0; d < days; d++)
            {
                var (rateDifference, rateVariance) = ExperimentAnalyzer.LookRatio(takes.AsSpan(d * n, n), impressions.AsSpan(d * n, n), o.FirstDay, d, control, treatment);
                if (rateVariance > 0) takeTest.Look(rateDifference, rateVariance);
                var (difference, variance) = ExperimentAnalyzer.Look(cumulative.AsSpan(d * n, n), o.FirstDay, d, control, treatment);
                if (variance <= 0) continue;
                test.Look(difference, variance);
                if (2 * Distributions.NormalCdf(-Math.Abs(difference) / Math.Sqrt(variance)) < alpha) peeked = true;
            }
            var final = ExperimentTests.Welch(ExperimentAnalyzer.Hours, Pick(o.Hours, control), Pick(o.Hours, treatment), options.Analysis.Confidence);
            var adjusted = ExperimentTests.Cuped(ExperimentAnalyzer.HoursCuped, Pick(o.Hours, control), Pick(o.PreHours, control), Pick(o.Hours, treatment), Pick(o.PreHours, treatment), options.Analysis.Confidence);
            var take = ExperimentTests.Ratio(ExperimentAnalyzer.TakeRate, Pick(o.Takes, control), Pick(o.Impressions, control), Pick(o.Takes, treatment), Pick(o.Impressions, treatment), options.Analysis.Confidence);
            if (final.PValue < alpha) fixedHits++;
            if (peeked) peekHits++;
            if (test.Rejected) sequentialHits++;
            if (take.PValue < alpha) takeHits++;
            if (takeTest.Rejected) sequentialTakeHits++;
            cuped += adjusted.VarianceReduction;
        }
        double total = options.AaExperiments;
        return (fixedHits / total, peekHits / total, sequentialHits / total, takeHits / total, sequentialTakeHits / total, cuped / total, entered.Count);
    }

    private static double[] Pick(double[] values, List<int> who)
    {
        var x = new double[who.Count];
        for (int i = 0; i < x.Length; i++) x[i] = values[who[i]];
        return x;
    }

    /// <summary>Member outcomes straight from the simulator's records: hours and completions from plays, takes from impressions followed by their play.</summary>
    private sealed class OutcomeSink(SimulatedService service, int preDays) : ISimulationSink
    {
        public MemberOutcomes Outcomes { get; } = new(service.Members.Ids, service.Options.Days - preDays);

        public ValueTask BeginAsync(SimulatedService s, CancellationToken ct) => ValueTask.CompletedTask;

        public ValueTask WriteAsync(SimulationBatch batch, CancellationToken ct)
        {
            int day = batch.Day - preDays;
            foreach (var s in batch.Sessions) Outcomes.SeenOn(s.Member, day);
            foreach (var p in batch.Plays)
            {
                Outcomes.AddHours(p.Member, day, p.WatchSeconds / 3600.0);
                if (day < 0) continue;
                Outcomes.Plays[p.Member]++;
                if (p.Completed) Outcomes.Completions[p.Member]++;
            }
            if (day < 0) return ValueTask.CompletedTask;
            var events = batch.Events;
            for (int i = 0; i < events.Count; i++)
            {
                var e = events[i];
                if (e.Kind != EventKind.Impression || e.Text is null || ImpressionLog.FixedRows.Contains(e.Text)) continue;
                bool taken = i + 1 < events.Count && events[i + 1] is { Kind: EventKind.PlayStart or EventKind.Replay } next
                    && next.Member == e.Member && next.Session == e.Session && next.Title == e.Title;
                Outcomes.AddImpression(e.Member, day, taken);
            }
            return ValueTask.CompletedTask;
        }

        public ValueTask CompleteAsync(CancellationToken ct) => ValueTask.CompletedTask;
    }
}

namespace Encore.Analytics.Experiments;

/// <summary>A variant's members and headline numbers.</summary>
public sealed record VariantSummary(string Name, int Members, double TakeRate, double HoursPerMember, double CompletionRate, double Retention);

/// <summary>One treatment against the control: every metric's test, and the always-valid sequential test of hours watched.</summary>
/// <param name="SequentialPValue">mSPRT's always-valid p-value for hours per member after a look every day of the period.</param>
/// <param name="SequentialRejectedOnDay">The first day (1-based) it fell below α, or 0.</param>
/// <param name="SequentialTakeRatePValue">mSPRT's always-valid p-value for the take-rate (delta-method variance) after daily looks.</param>
/// <param name="SequentialTakeRateRejectedOnDay">The first day (1-based) that fell below α, or 0.</param>
public sealed record VariantComparison(string Treatment, IReadOnlyList<MetricComparison> Metrics, double SequentialPValue, int SequentialRejectedOnDay,
    double SequentialTakeRatePValue, int SequentialTakeRateRejectedOnDay)
{
    /// <summary>Each day's look: the differences so far and the always-valid p-values after that look (they never rise).</summary>
    public IReadOnlyList<DailyLook> Daily { get; init; } = [];

    public MetricComparison this[string metric]
    {
        get
        {
            foreach (var m in Metrics) if (m.Metric == metric) return m;
            throw new KeyNotFoundException($"no metric '{metric}'");
        }
    }
}

/// <summary>One daily look of the sequential tests: cumulative differences (treatment − control) and the always-valid p-values.</summary>
public sealed record DailyLook(int Day, double HoursDifference, double HoursPValue, double TakeRateDifference, double TakeRatePValue);

/// <summary>An experiment read from its members' outcomes: who is where, whether the split is sound, what differs.</summary>
public sealed record ExperimentReport(string Experiment, int Days, int HoldoutMembers, SampleRatioResult SampleRatio,
    IReadOnlyList<VariantSummary> Variants, IReadOnlyList<VariantComparison> Comparisons, IReadOnlyList<string> Warnings);

/// <summary>Settings of <see cref="ExperimentAnalyzer"/>.</summary>
public sealed record ExperimentOptions
{
    public double Confidence { get; init; } = 0.95;
    /// <summary>mSPRT's mixing standard deviation as a share of the control's standard deviation of hours per member.</summary>
    public double MixingEffect { get; init; } = 0.1;
}

/// <summary>
/// Reads an experiment: members are assigned by the experiment's <see cref="VariantAssigner"/> (only members seen in the
/// period count), the sample-ratio-mismatch check runs first, then each treatment is compared with the first variant
/// (the control) on take-rate (delta method), hours per member (Welch, and CUPED when there is a pre-period),
/// completion per play (delta method) and retention (Welch), plus mSPRT on hours with one look per day.
/// </summary>
public static class ExperimentAnalyzer
{
    public const string TakeRate = "take-rate", Hours = "hours", HoursCuped = "hours-cuped", Completion = "completion", Retention = "retention";

    public static ExperimentReport Analyze(MemberOutcomes outcomes, VariantAssigner assigner, ExperimentOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        ArgumentNullException.ThrowIfNull(assigner);
        options ??= new ExperimentOptions();
        int k = assigner.Variants.Count;
        var arm = new int[outcomes.Count];
        var members = new List<int>[k];
        for (int v = 0; v < k; v++) members[v] = [];
        int holdout = 0;
        bool anyPre = false;
        for (int m = 0; m < outcomes.Count; m++)
        {
            if (outcomes.FirstDay[m] == int.MaxValue) { arm[m] = int.MinValue; continue; }
            arm[m] = assigner.Assign(outcomes.MemberIds[m]);
            if (arm[m] == VariantAssigner.Holdout) { holdout++; continue; }
            members[arm[m]].Add(m);
            anyPre |= outcomes.PreHours[m] > 0;
        }
        var counts = new long[k];
        var shares = new double[k];
        for (int v = 0; v < k; v++) { counts[v] = members[v].Count; shares[v] = assigner.ExpectedShare(v); }
        var srm = SampleRatioCheck.Test(counts, shares);
        var warnings = new List<string>();
        if (srm.Alert) warnings.Add($"sample ratio mismatch: members per variant {string.Join("/", counts)} against the designed split (chi-square {srm.ChiSquare:F1}, p = {srm.PValue:G2} < {SampleRatioCheck.AlertBelow}); the assignment or the logging is broken, do not trust the metrics");
        var summaries = new List<VariantSummary>();
        for (int v = 0; v < k; v++)
        {
            var g = members[v];
            double imp = 0, takes = 0, hours = 0, plays = 0, done = 0, kept = 0;
            foreach (int m in g) { imp += outcomes.Impressions[m]; takes += outcomes.Takes[m]; hours += outcomes.Hours[m]; plays += outcomes.Plays[m]; done += outcomes.Completions[m]; kept += outcomes.Retained[m]; }
            summaries.Add(new VariantSummary(assigner.Variants[v].Name, g.Count, imp > 0 ? takes / imp : 0, g.Count > 0 ? hours / g.Count : 0, plays > 0 ? done / plays : 0, g.Count > 0 ? kept / g.Count : 0));
        }
        var comparisons = new List<VariantComparison>();
        if (members[0].Count < 2) warnings.Add($"the control '{assigner.Variants[0].Name}' has {members[0].Count} members; nothing to compare");
        else
            for (int v = 1; v < k; v++)
            {
                if (members[v].Count < 2) { warnings.Add($"variant '{assigner.Variants[v].Name}' has {members[v].Count} members; not compared"); continue; }
                comparisons.Add(Compare(outcomes, members[0], members[v], assigner.Variants[v].Name, anyPre, options));
            }
        return new ExperimentReport(assigner.Experiment, outcomes.Days, holdout, srm, summaries, comparisons, warnings);
    }

    private static VariantComparison Compare(MemberOutcomes o, List<int> control, List<int> treatment, string name, bool cuped, ExperimentOptions options)
    {
        double[] Pick(double[] values, List<int> who)
        {
            var x = new double[who.Count];
            for (int i = 0; i < x.Length; i++) x[i] = values[who[i]];
            return x;
        }
        var metrics = new List<MetricComparison>
        {
            ExperimentTests.Ratio(TakeRate, Pick(o.Takes, control), Pick(o.Impressions, control), Pick(o.Takes, treatment), Pick(o.Impressions, treatment), options.Confidence),
            ExperimentTests.Welch(Hours, Pick(o.Hours, control), Pick(o.Hours, treatment), options.Confidence),
        };
        if (cuped) metrics.Add(ExperimentTests.Cuped(HoursCuped, Pick(o.Hours, control), Pick(o.PreHours, control), Pick(o.Hours, treatment), Pick(o.PreHours, treatment), options.Confidence));
        metrics.Add(ExperimentTests.Ratio(Completion, Pick(o.Completions, control), Pick(o.Plays, control), Pick(o.Completions, treatment), Pick(o.Plays, treatment), options.Confidence));
        metrics.Add(ExperimentTests.Welch(Retention, Pick(o.Retained, control), Pick(o.Retained, treatment), options.Confidence));

        var (_, controlVariance) = ExperimentTests.MeanVariance(Pick(o.Hours, control));
        var test = new SequentialTest(Math.Max(1e-12, options.MixingEffect * options.MixingEffect * controlVariance), 1 - options.Confidence);
        double controlTakeRate = metrics[0].ControlMean;
        var takeTest = new SequentialTest(Math.Max(1e-12, Math.Pow(options.MixingEffect * controlTakeRate, 2)), 1 - options.Confidence);
        var cumulative = new double[o.Count];
        var takes = new double[o.Count];
        var impressions = new double[o.Count];
        var daily = new DailyLook[o.Days];
        for (int day = 0; day < o.Days; day++)
        {
            for (int m = 0; m < o.Count; m++)
            {
                cumulative[m] += o.DailyHours[m * o.Days + day];
                takes[m] += o.DailyTakes[m * o.Days + day];
                impressions[m] += o.DailyImpressions[m * o.Days + day];
            }
            var (difference, variance) = Look(cumulative, o.FirstDay, day, control, treatment);
            test.Look(difference, variance);
            var (rateDifference, rateVariance) = LookRatio(takes, impressions, o.FirstDay, day, control, treatment);
            takeTest.Look(rateDifference, rateVariance);
            daily[day] = new DailyLook(day + 1, difference, test.PValue, rateDifference, takeTest.PValue);
        }
        return new VariantComparison(name, metrics, test.PValue, test.RejectedAtLook, takeTest.PValue, takeTest.RejectedAtLook) { Daily = daily };
    }

    /// <summary>The difference of mean cumulative values (treatment − control) among members who entered by <paramref name="day"/>, and its variance.</summary>
    public static (double Difference, double Variance) Look(ReadOnlySpan<double> cumulative, ReadOnlySpan<int> firstDay, int day, List<int> control, List<int> treatment)
    {
        var (mc, vc, nc) = Moments(cumulative, firstDay, day, control);
        var (mt, vt, nt) = Moments(cumulative, firstDay, day, treatment);
        if (nc < 2 || nt < 2) return (0, 0);
        return (mt - mc, vc / nc + vt / nt);
    }

    /// <summary>The difference of ratio metrics (Σ num / Σ den, treatment − control) among members who entered by <paramref name="day"/>, and its delta-method variance.</summary>
    public static (double Difference, double Variance) LookRatio(ReadOnlySpan<double> num, ReadOnlySpan<double> den, ReadOnlySpan<int> firstDay, int day, List<int> control, List<int> treatment)
    {
        var (rc, vc) = RatioAmong(num, den, firstDay, day, control);
        var (rt, vt) = RatioAmong(num, den, firstDay, day, treatment);
        return (rt - rc, vc + vt);
    }

    private static (double Ratio, double Variance) RatioAmong(ReadOnlySpan<double> num, ReadOnlySpan<double> den, ReadOnlySpan<int> firstDay, int day, List<int> who)
    {
        double sn = 0, sd = 0, snn = 0, sdd = 0, snd = 0;
        int n = 0;
        foreach (int m in who)
        {
            if (firstDay[m] > day) continue;
            sn += num[m]; sd += den[m]; snn += num[m] * num[m]; sdd += den[m] * den[m]; snd += num[m] * den[m];
            n++;
        }
        if (n < 2 || sd <= 0) return (0, 0);
        double mn = sn / n, md = sd / n, r = mn / md;
        double vn = (snn - n * mn * mn) / (n - 1), vd = (sdd - n * md * md) / (n - 1), cov = (snd - n * mn * md) / (n - 1);
        return (r, Math.Max(0, (vn - 2 * r * cov + r * r * vd) / (n * md * md)));
    }

    private static (double Mean, double Variance, int Count) Moments(ReadOnlySpan<double> values, ReadOnlySpan<int> firstDay, int day, List<int> who)
    {
        double s = 0, ss = 0;
        int n = 0;
        foreach (int m in who)
        {
            if (firstDay[m] > day) continue;
            s += values[m];
            ss += values[m] * values[m];
            n++;
        }
        if (n < 2) return (0, 0, n);
        double mean = s / n;
        return (mean, Math.Max(0, (ss - n * mean * mean) / (n - 1)), n);
    }
}

namespace Encore.Analytics.Experiments;

/// <summary>The sample-ratio-mismatch check: observed members per variant against the designed split.</summary>
/// <param name="Alert">p below <see cref="SampleRatioCheck.AlertBelow"/>: the assignment or the logging is broken; do not read the metrics.</param>
public sealed record SampleRatioResult(IReadOnlyList<long> Observed, IReadOnlyList<double> Expected, double ChiSquare, int DegreesOfFreedom, double PValue, bool Alert);

/// <summary>Pearson's chi-square goodness-of-fit test of the members per variant against the designed shares.</summary>
internal static class SampleRatioCheck
{
    /// <summary>The usual alert level for SRM (Kohavi et al.): p &lt; 0.001.</summary>
    public const double AlertBelow = 0.001;

    public static SampleRatioResult Test(ReadOnlySpan<long> observed, ReadOnlySpan<double> shares, double alertBelow = AlertBelow)
    {
        if (observed.Length < 2 || observed.Length != shares.Length) throw new ArgumentException($"need at least two variants and one share per variant (got {observed.Length} counts, {shares.Length} shares)");
        double total = 0, shareSum = 0;
        foreach (long o in observed) { if (o < 0) throw new ArgumentException("counts must be non-negative"); total += o; }
        foreach (double s in shares) { if (!(s > 0)) throw new ArgumentException("shares must be positive"); shareSum += s; }
        var expected = new double[observed.Length];
        double chi = 0;
        for (int i = 0; i < observed.Length; i++)
        {
            expected[i] = total * shares[i] / shareSum;
            if (expected[i] > 0) chi += (observed[i] - expected[i]) * (observed[i] - expected[i]) / expected[i];
        }
        double p = total > 0 ? Distributions.ChiSquareSurvival(chi, observed.Length - 1) : 1;
        return new SampleRatioResult(observed.ToArray(), expected, chi, observed.Length - 1, p, p < alertBelow);
    }
}

/// <summary>
/// A treatment-minus-control comparison of one metric: means, the difference with its interval, the relative
/// difference, the test's p-value, and for CUPED the share of variance removed.
/// </summary>
/// <param name="Method">"welch", "delta" (ratio metric by the delta method) or "cuped".</param>
/// <param name="VarianceReduction">1 − Var(adjusted)/Var(raw) of the difference's estimate (CUPED only; else 0).</param>
public sealed record MetricComparison(string Metric, string Method, long ControlUnits, long TreatmentUnits, double ControlMean, double TreatmentMean,
    double Difference, double StdError, double Lower, double Upper, double PValue, double VarianceReduction)
{
    /// <summary>Difference relative to the control's mean (NaN when the control's mean is 0).</summary>
    public double Relative => ControlMean != 0 ? Difference / ControlMean : double.NaN;
}

/// <summary>
/// The fixed-horizon tests: Welch's t-test for means per member, the delta method for ratio metrics whose unit of
/// analysis (the impression, the play) is finer than the unit of randomization (the member), and CUPED (Deng et al.
/// 2013): Y − θ(X − mean X) with X the same metric in the pre-period and θ = Cov(Y, X)/Var(X) pooled over both arms.
/// </summary>
public static class ExperimentTests
{
    /// <summary>Welch's unequal-variance t-test on per-member values.</summary>
    public static MetricComparison Welch(string metric, ReadOnlySpan<double> control, ReadOnlySpan<double> treatment, double confidence = 0.95)
    {
        Require(control.Length, treatment.Length, metric);
        var (mc, vc) = MeanVariance(control);
        var (mt, vt) = MeanVariance(treatment);
        return FromMoments(metric, "welch", control.Length, treatment.Length, mc, vc, mt, vt, confidence, 0);
    }

    /// <summary>
    /// A ratio metric Σ numerator / Σ denominator per arm (e.g. plays per impression), its variance by the delta method
    /// on per-member sums: Var(N̄/D̄) ≈ (Var N − 2R Cov(N, D) + R² Var D) / (n D̄²).
    /// </summary>
    public static MetricComparison Ratio(string metric, ReadOnlySpan<double> controlNum, ReadOnlySpan<double> controlDen,
        ReadOnlySpan<double> treatmentNum, ReadOnlySpan<double> treatmentDen, double confidence = 0.95)
    {
        if (controlNum.Length != controlDen.Length || treatmentNum.Length != treatmentDen.Length) throw new ArgumentException($"{metric}: numerators and denominators differ in length");
        Require(controlNum.Length, treatmentNum.Length, metric);
        var (rc, varC) = RatioMoments(controlNum, controlDen);
        var (rt, varT) = RatioMoments(treatmentNum, treatmentDen);
        double se = Math.Sqrt(varC + varT);
        double diff = rt - rc;
        double z = Distributions.NormalQuantile(1 - (1 - confidence) / 2);
        double p = se > 0 ? 2 * Distributions.NormalCdf(-Math.Abs(diff / se)) : 1;
        return new MetricComparison(metric, "delta", controlNum.Length, treatmentNum.Length, rc, rt, diff, se, diff - z * se, diff + z * se, p, 0);
    }

    /// <summary>The ratio Σ num / Σ den and the delta-method variance of that ratio (per-member sums as units).</summary>
    public static (double Ratio, double Variance) RatioMoments(ReadOnlySpan<double> num, ReadOnlySpan<double> den)
    {
        int n = num.Length;
        double sn = 0, sd = 0;
        for (int i = 0; i < n; i++) { sn += num[i]; sd += den[i]; }
        double mn = sn / n, md = sd / n;
        if (md <= 0) return (0, 0);
        double r = mn / md, vn = 0, vd = 0, cov = 0;
        for (int i = 0; i < n; i++)
        {
            double a = num[i] - mn, b = den[i] - md;
            vn += a * a; vd += b * b; cov += a * b;
        }
        vn /= n - 1; vd /= n - 1; cov /= n - 1;
        return (r, Math.Max(0, (vn - 2 * r * cov + r * r * vd) / (n * md * md)));
    }

    /// <summary>CUPED: Welch's test on Y − θ(X − X̄), X the pre-period value of the same member; reports the variance removed.</summary>
    public static MetricComparison Cuped(string metric, ReadOnlySpan<double> controlY, ReadOnlySpan<double> controlX,
        ReadOnlySpan<double> treatmentY, ReadOnlySpan<double> treatmentX, double confidence = 0.95)
    {
        if (controlY.Length != controlX.Length || treatmentY.Length != treatmentX.Length) throw new ArgumentException($"{metric}: the pre-period covariate needs one value per member");
        Require(controlY.Length, treatmentY.Length, metric);
        double theta = Theta(controlY, controlX, treatmentY, treatmentX, out double meanX);
        var (mc, vc) = AdjustedMoments(controlY, controlX, theta, meanX);
        var (mt, vt) = AdjustedMoments(treatmentY, treatmentX, theta, meanX);
        var (_, rawC) = MeanVariance(controlY);
        var (_, rawT) = MeanVariance(treatmentY);
        double raw = rawC / controlY.Length + rawT / treatmentY.Length;
        double adjusted = vc / controlY.Length + vt / treatmentY.Length;
        double reduction = raw > 0 ? 1 - adjusted / raw : 0;
        return FromMoments(metric, "cuped", controlY.Length, treatmentY.Length, mc, vc, mt, vt, confidence, reduction);
    }

    /// <summary>θ = Cov(Y, X)/Var(X) over both arms together (so that the adjustment is the same in both), and X's pooled mean.</summary>
    public static double Theta(ReadOnlySpan<double> y1, ReadOnlySpan<double> x1, ReadOnlySpan<double> y2, ReadOnlySpan<double> x2, out double meanX)
    {
        int n = y1.Length + y2.Length;
        double sx = 0, sy = 0;
        for (int i = 0; i < y1.Length; i++) { sx += x1[i]; sy += y1[i]; }
        for (int i = 0; i < y2.Length; i++) { sx += x2[i]; sy += y2[i]; }
        meanX = sx / n;
        double my = sy / n, cov = 0, vx = 0;
        for (int i = 0; i < y1.Length; i++) { cov += (x1[i] - meanX) * (y1[i] - my); vx += (x1[i] - meanX) * (x1[i] - meanX); }
        for (int i = 0; i < y2.Length; i++) { cov += (x2[i] - meanX) * (y2[i] - my); vx += (x2[i] - meanX) * (x2[i] - meanX); }
        return vx > 0 ? cov / vx : 0;
    }

    private static (double Mean, double Variance) AdjustedMoments(ReadOnlySpan<double> y, ReadOnlySpan<double> x, double theta, double meanX)
    {
        double s = 0;
        for (int i = 0; i < y.Length; i++) s += y[i] - theta * (x[i] - meanX);
        double m = s / y.Length, v = 0;
        for (int i = 0; i < y.Length; i++)
        {
            double d = y[i] - theta * (x[i] - meanX) - m;
            v += d * d;
        }
        return (m, y.Length > 1 ? v / (y.Length - 1) : 0);
    }

    public static (double Mean, double Variance) MeanVariance(ReadOnlySpan<double> values)
    {
        double s = 0;
        foreach (double v in values) s += v;
        double m = s / values.Length, ss = 0;
        foreach (double v in values) ss += (v - m) * (v - m);
        return (m, values.Length > 1 ? ss / (values.Length - 1) : 0);
    }

    private static MetricComparison FromMoments(string metric, string method, int nc, int nt, double mc, double vc, double mt, double vt, double confidence, double reduction)
    {
        double a = vc / nc, b = vt / nt;
        double se = Math.Sqrt(a + b);
        double df = a + b > 0 ? (a + b) * (a + b) / (a * a / Math.Max(1, nc - 1) + b * b / Math.Max(1, nt - 1)) : double.PositiveInfinity;
        double diff = mt - mc;
        double p = se > 0 ? Distributions.StudentTwoSided(diff / se, df) : 1;
        double q = Distributions.StudentQuantile(confidence, df);
        return new MetricComparison(metric, method, nc, nt, mc, mt, diff, se, diff - q * se, diff + q * se, p, reduction);
    }

    private static void Require(int control, int treatment, string metric)
    {
        if (control < 2 || treatment < 2) throw new ArgumentException($"{metric}: each arm needs at least two members (control {control}, treatment {treatment})");
    }
}

/// <summary>
/// The mixture sequential probability ratio test (mSPRT; Johari et al., "Always valid inference", 2017) for a
/// difference of means: with θ̂ the observed difference, V its variance and τ² the mixing variance of the effect
/// under the alternative, Λ = sqrt(V/(V + τ²)) exp(τ² θ̂² / (2V(V + τ²))). The always-valid p-value is the running
/// minimum of 1/Λ over looks; rejecting when it falls below α keeps the false-positive rate at α however often one
/// looks.
/// </summary>
public sealed class SequentialTest
{
    public SequentialTest(double mixingVariance, double alpha = 0.05)
    {
        if (!(mixingVariance > 0)) throw new ArgumentOutOfRangeException(nameof(mixingVariance), mixingVariance, "the mixing variance τ² must be positive");
        if (alpha is <= 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "alpha must be within (0, 1)");
        MixingVariance = mixingVariance;
        Alpha = alpha;
    }

    public double MixingVariance { get; }
    public double Alpha { get; }
    /// <summary>The always-valid p-value after the looks so far.</summary>
    public double PValue { get; private set; } = 1;
    public int Looks { get; private set; }
    /// <summary>The first look at which <see cref="PValue"/> fell below α (0 when it has not).</summary>
    public int RejectedAtLook { get; private set; }
    public bool Rejected => RejectedAtLook > 0;

    /// <summary>Λ for an observed difference with variance <paramref name="variance"/>.</summary>
    public static double LikelihoodRatio(double difference, double variance, double mixingVariance)
    {
        if (!(variance > 0)) return 1;
        double log = 0.5 * Math.Log(variance / (variance + mixingVariance))
            + mixingVariance * difference * difference / (2 * variance * (variance + mixingVariance));
        return Math.Exp(Math.Min(log, 700));
    }

    /// <summary>Takes one look at the data so far (the cumulative difference and its variance); returns the always-valid p-value.</summary>
    public double Look(double difference, double variance)
    {
        Looks++;
        double lambda = LikelihoodRatio(difference, variance, MixingVariance);
        PValue = Math.Min(PValue, 1 / lambda);
        if (RejectedAtLook == 0 && PValue < Alpha) RejectedAtLook = Looks;
        return PValue;
    }
}

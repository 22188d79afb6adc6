using Encore.Core;

namespace Encore.Analytics.OffPolicy;

/// <summary>The off-policy estimators (definitions as in Open Bandit Pipeline, obp.ope).</summary>
public enum OffPolicyEstimator
{
    /// <summary>Inverse propensity scoring: mean of w·r, w = π(a|x)/π0(a|x). Unbiased, high variance.</summary>
    Ips,
    /// <summary>Self-normalized IPS: Σ w·r / Σ w. Slightly biased, much lower variance when weights are large.</summary>
    SelfNormalizedIps,
    /// <summary>Direct method: mean of Σ_a π(a|x) q̂(x, a) with the cross-fitted reward model. Low variance, biased by the model.</summary>
    DirectMethod,
    /// <summary>Doubly robust: the direct method plus w·(r − q̂(x, a)).</summary>
    DoublyRobust,
    /// <summary>Switch-DR: doubly robust where w ≤ τ, the direct method alone where w &gt; τ (τ chosen by estimated MSE).</summary>
    SwitchDoublyRobust,
    /// <summary>DR with optimistic shrinkage (DRos): w replaced by λw/(w² + λ) (λ chosen by estimated MSE).</summary>
    DoublyRobustShrinkage,
    /// <summary>Slate, independent IPS: per row shown, Σ_k w_k r_k over its positions (the row's total reward if each position acts alone).</summary>
    SlateIndependentIps,
    /// <summary>Slate, reward-interaction (cascade) IPS: per row shown, Σ_k (Π_{j≤k} w_j) r_k: exact when a member reads a row in order and each reward depends on what came before.</summary>
    SlateCascadeIps,
}

/// <summary>One estimator's value of the target policy, with its bootstrap interval.</summary>
/// <param name="Value">Per impression for the slot estimators, per row shown (slate) for the slate estimators.</param>
/// <param name="Parameter">The chosen τ (switch) or λ (shrinkage); null for the other estimators and where the choice was ∞ (plain DR).</param>
public sealed record EstimatorResult(OffPolicyEstimator Estimator, double Value, double Lower, double Upper, double StdError, double? Parameter)
{
    /// <summary>Whether the estimator's unit is a whole row (slate) rather than an impression.</summary>
    public bool PerSlate => Estimator is OffPolicyEstimator.SlateIndependentIps or OffPolicyEstimator.SlateCascadeIps;
}

/// <summary>
/// What the log says a target policy would achieve: every estimator's value and interval, the logging policy's own
/// value per impression and per row, the effective sample size of the importance weights and the support diagnostics.
/// </summary>
/// <param name="EffectiveSampleSize">(Σw)²/Σw²: how many on-policy records the weighted log is worth.</param>
/// <param name="UnsupportedMass">Share of the target's probability mass (direct-method distribution) on actions the log never shows.</param>
/// <param name="Warnings">Support problems, in words (empty when the logging policy covers the target well).</param>
public sealed record PolicyValueEstimate(int Records, int Members, int Slates, double LoggedValue, double LoggedSlateValue,
    double EffectiveSampleSize, double MeanWeight, double MaxWeight, double UnsupportedMass, double Confidence,
    IReadOnlyList<EstimatorResult> Estimates, IReadOnlyList<string> Warnings)
{
    public EstimatorResult this[OffPolicyEstimator estimator]
    {
        get
        {
            foreach (var e in Estimates) if (e.Estimator == estimator) return e;
            throw new KeyNotFoundException($"no result for {estimator}");
        }
    }
}

/// <summary>Settings of <see cref="PolicyValueEstimator"/>.</summary>
public sealed record PolicyValueOptions
{
    /// <summary>Bootstrap resamples of members for the intervals.</summary>
    public int BootstrapSamples { get; init; } = 500;
    /// <summary>Two-sided confidence of the intervals.</summary>
    public double Confidence { get; init; } = 0.95;
    public ulong Seed { get; init; } = 13;
    /// <summary>Folds of the cross-fitted reward model.</summary>
    public int Folds { get; init; } = 5;
    /// <summary>Pseudo-observations pulling each action's mean reward to the overall mean.</summary>
    public double RewardPrior { get; init; } = 20;
    /// <summary>Warn when the effective sample size is below this share of the records.</summary>
    public double MinEffectiveShare { get; init; } = 0.01;
    /// <summary>Warn when the effective sample size is below this many records.</summary>
    public double MinEffectiveRecords { get; init; } = 100;
    /// <summary>Warn when more than this share of the target's mass is on actions the log never shows.</summary>
    public double MaxUnsupportedMass { get; init; } = 0.05;

    public void Validate()
    {
        if (BootstrapSamples is < 20 or > 100_000) throw new ArgumentOutOfRangeException(nameof(BootstrapSamples), BootstrapSamples, "bootstrap samples must be within 20..100000");
        if (Confidence is <= 0.5 or >= 1) throw new ArgumentOutOfRangeException(nameof(Confidence), Confidence, "confidence must be within (0.5, 1)");
        if (Folds is < 2 or > 50) throw new ArgumentOutOfRangeException(nameof(Folds), Folds, "folds must be within 2..50");
        if (RewardPrior <= 0) throw new ArgumentOutOfRangeException(nameof(RewardPrior), RewardPrior, "the reward prior must be positive");
    }
}

/// <summary>
/// Estimates a target policy's value from logged impressions (<see cref="BanditLog"/>): IPS, self-normalized IPS, the
/// direct method, doubly robust, switch-DR, DR with optimistic shrinkage and two slate estimators for whole rows, each
/// with a percentile interval from a bootstrap over members (a member's impressions are not independent). The
/// hyper-parameters of switch-DR and DRos are chosen on the full log by the estimated mean squared error (variance
/// plus squared bias estimate, as obp's tuning does) and kept fixed in the resamples.
/// </summary>
public static class PolicyValueEstimator
{
    private const int Estimators = 8;

    public static PolicyValueEstimate Estimate(BanditLog log, PolicyValueOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(log);
        options ??= new PolicyValueOptions();
        options.Validate();
        int n = log.Count;
        var w = log.Weights();
        var qf = new double[n];
        var qe = new double[n];
        RewardModel.CrossFit(log, options.Folds, options.RewardPrior, qf, qe);

        // Per-record numerators (estimator × record) and denominators; per-slate terms sit on the slate's first record.
        var num = new double[Estimators * n];
        var den = new double[Estimators * n];
        double tau = ChooseSwitch(w, log.Reward, qf, qe);
        double lambda = ChooseShrinkage(w, log.Reward, qf, qe);
        double sumW = 0, sumW2 = 0, maxW = 0, logged = 0;
        for (int i = 0; i < n; i++)
        {
            double r = log.Reward[i], wi = w[i], res = r - qf[i];
            sumW += wi;
            sumW2 += wi * wi;
            maxW = Math.Max(maxW, wi);
            logged += r;
            Set(OffPolicyEstimator.Ips, i, wi * r, 1);
            Set(OffPolicyEstimator.SelfNormalizedIps, i, wi * r, wi);
            Set(OffPolicyEstimator.DirectMethod, i, qe[i], 1);
            Set(OffPolicyEstimator.DoublyRobust, i, qe[i] + wi * res, 1);
            Set(OffPolicyEstimator.SwitchDoublyRobust, i, qe[i] + (wi <= tau ? wi * res : 0), 1);
            Set(OffPolicyEstimator.DoublyRobustShrinkage, i, qe[i] + Shrink(wi, lambda) * res, 1);
        }
        for (int i = 0; i < n;)
        {
            int start = i;
            double independent = 0, cascade = 0, product = 1;
            while (i < n && log.Slate[i] == log.Slate[start])
            {
                product *= w[i];
                independent += w[i] * log.Reward[i];
                cascade += product * log.Reward[i];
                i++;
            }
            Set(OffPolicyEstimator.SlateIndependentIps, start, independent, 1);
            Set(OffPolicyEstimator.SlateCascadeIps, start, cascade, 1);
        }

        // Per-member sums, then the bootstrap over members.
        int clusters = log.ClusterCount;
        var cNum = new double[Estimators * clusters];
        var cDen = new double[Estimators * clusters];
        var cSlates = new double[clusters];
        var cRecords = new double[clusters];
        var cReward = new double[clusters];
        for (int i = 0; i < n; i++)
        {
            int c = log.Cluster[i];
            for (int e = 0; e < Estimators; e++)
            {
                cNum[e * clusters + c] += num[e * n + i];
                cDen[e * clusters + c] += den[e * n + i];
            }
            cRecords[c] += 1;
            cReward[c] += log.Reward[i];
            if (i == 0 || log.Slate[i] != log.Slate[i - 1]) cSlates[c] += 1;
        }
        var point = new double[Estimators];
        for (int e = 0; e < Estimators; e++) point[e] = Ratio(cNum.AsSpan(e * clusters, clusters), cDen.AsSpan(e * clusters, clusters), null);

        int b = options.BootstrapSamples;
        var samples = new double[Estimators * b];
        var counts = new double[clusters];
        var rng = new Xoshiro256StarStar(options.Seed);
        for (int s = 0; s < b; s++)
        {
            Array.Clear(counts);
            for (int k = 0; k < clusters; k++) counts[(int)(rng.NextDouble() * clusters)] += 1;
            for (int e = 0; e < Estimators; e++)
                samples[e * b + s] = Ratio(cNum.AsSpan(e * clusters, clusters), cDen.AsSpan(e * clusters, clusters), counts);
        }
        double alpha = 1 - options.Confidence;
        var results = new List<EstimatorResult>(Estimators);
        for (int e = 0; e < Estimators; e++)
        {
            var span = samples.AsSpan(e * b, b);
            double mean = 0;
            foreach (double v in span) mean += v;
            mean /= b;
            double ss = 0;
            foreach (double v in span) ss += (v - mean) * (v - mean);
            span.Sort();
            var kind = (OffPolicyEstimator)e;
            double? parameter = kind switch
            {
                OffPolicyEstimator.SwitchDoublyRobust => tau,
                OffPolicyEstimator.DoublyRobustShrinkage => lambda,
                _ => null,
            };
            if (parameter is { } chosen && double.IsPositiveInfinity(chosen)) parameter = null; // no switch or shrinkage: plain DR
            results.Add(new EstimatorResult(kind, point[e], Quantile(span, alpha / 2), Quantile(span, 1 - alpha / 2), Math.Sqrt(ss / (b - 1)), parameter));
        }

        double ess = sumW2 > 0 ? sumW * sumW / sumW2 : 0;
        double unsupported = UnsupportedMass(log);
        var warnings = new List<string>();
        if (ess < options.MinEffectiveRecords || ess < options.MinEffectiveShare * n)
            warnings.Add($"little support: the importance weights leave an effective sample size of {ess:F0} of {n} records (the logging policy rarely shows what the target would); intervals are wide and IPS/DR unreliable");
        if (unsupported > options.MaxUnsupportedMass)
            warnings.Add($"no support: {unsupported:P1} of the target's probability mass is on titles the log never shows; no estimator can see their reward (the direct method extrapolates)");
        if (maxW > 0.05 * sumW && n >= 100)
            warnings.Add($"one impression carries {maxW / sumW:P1} of the total weight (weight {maxW:G3}); the estimate hangs on a few records");
        double slateCount = 0;
        foreach (double v in cSlates) slateCount += v;
        return new PolicyValueEstimate(n, clusters, log.SlateCount, logged / n, logged / slateCount, ess, sumW / n, maxW, unsupported,
            options.Confidence, results, warnings);

        void Set(OffPolicyEstimator e, int i, double value, double weight)
        {
            num[(int)e * n + i] = value;
            den[(int)e * n + i] = weight;
        }
    }

    private static double Ratio(ReadOnlySpan<double> num, ReadOnlySpan<double> den, double[]? counts)
    {
        double a = 0, d = 0;
        if (counts is null)
            for (int c = 0; c < num.Length; c++) { a += num[c]; d += den[c]; }
        else
            for (int c = 0; c < num.Length; c++) { a += counts[c] * num[c]; d += counts[c] * den[c]; }
        return d > 0 ? a / d : 0;
    }

    private static double Quantile(ReadOnlySpan<double> sorted, double q)
    {
        double pos = q * (sorted.Length - 1);
        int lo = (int)Math.Floor(pos);
        int hi = Math.Min(sorted.Length - 1, lo + 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }

    private static double Shrink(double w, double lambda) => double.IsPositiveInfinity(lambda) ? w : lambda * w / (w * w + lambda);

    /// <summary>τ of switch-DR minimizing estimated variance/n + bias², bias estimated as |mean(w·1[w&gt;τ]·(r − q̂))|.</summary>
    internal static double ChooseSwitch(double[] w, double[] r, double[] qf, double[] qe)
    {
        var grid = new List<double> { double.PositiveInfinity };
        var sorted = (double[])w.Clone();
        Array.Sort(sorted);
        foreach (double q in (ReadOnlySpan<double>)[0.5, 0.7, 0.8, 0.9, 0.95, 0.99, 0.999]) grid.Add(sorted[(int)(q * (sorted.Length - 1))]);
        return Choose(grid, w, r, qf, qe, static (wi, t) => wi <= t ? wi : 0);
    }

    /// <summary>λ of DRos minimizing estimated variance/n + bias², over a geometric grid and λ = ∞ (plain DR).</summary>
    internal static double ChooseShrinkage(double[] w, double[] r, double[] qf, double[] qe)
    {
        var grid = new List<double> { double.PositiveInfinity };
        for (double l = 0.01; l <= 1e5; l *= Math.Sqrt(10)) grid.Add(l);
        return Choose(grid, w, r, qf, qe, Shrink);
    }

    private static double Choose(List<double> grid, double[] w, double[] r, double[] qf, double[] qe, Func<double, double, double> modify)
    {
        int n = w.Length;
        double best = double.PositiveInfinity, chosen = double.PositiveInfinity;
        foreach (double p in grid)
        {
            double sum = 0, sum2 = 0, bias = 0;
            for (int i = 0; i < n; i++)
            {
                double wm = modify(w[i], p), res = r[i] - qf[i];
                double v = qe[i] + wm * res;
                sum += v;
                sum2 += v * v;
                bias += (w[i] - wm) * res;
            }
            double mean = sum / n;
            double variance = Math.Max(0, sum2 / n - mean * mean) / n;
            double b = bias / n;
            double mse = variance + b * b;
            if (mse < best - 1e-15) { best = mse; chosen = p; }
        }
        return chosen;
    }

    private static double UnsupportedMass(BanditLog log)
    {
        var seen = new bool[log.ActionCount];
        foreach (int a in log.Action) seen[a] = true;
        double mass = 0;
        for (int i = 0; i < log.Count; i++)
            for (int k = log.TargetStart[i]; k < log.TargetStart[i + 1]; k++)
                if (!seen[log.TargetActions[k]]) mass += log.TargetWeights[k];
        return mass / log.Count;
    }
}

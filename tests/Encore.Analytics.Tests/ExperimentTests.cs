using Encore.Analytics.Experiments;
using Encore.Core;
using Xunit;

namespace Encore.Analytics.Tests;

/// <summary>Assignment, the SRM check, the fixed-horizon tests, CUPED and mSPRT on data with known answers.</summary>
public sealed class ExperimentStatisticsTests
{
    private static double Normal(ref Xoshiro256StarStar rng)
    {
        double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    [Fact]
    public void Assignment_is_stable_follows_the_weights_and_is_independent_across_experiments()
    {
        var a = new VariantAssigner("exp-a", [new Variant("control", 1), new Variant("treatment", 3)]);
        var b = VariantAssigner.TwoWay("exp-b");
        var again = new VariantAssigner("exp-a", [new Variant("control", 1), new Variant("treatment", 3)]);
        int treated = 0, agree = 0, n = 20_000;
        for (int m = 0; m < n; m++)
        {
            string id = $"m{m:D7}";
            int va = a.Assign(id);
            Assert.Equal(va, again.Assign(id));
            treated += va;
            if ((va == 1) == (b.Assign(id) == 1)) agree++;
        }
        Assert.Equal(0.75, treated / (double)n, 0.015);
        // Independent: being in a's treatment says nothing about b's (0.75 x 0.5 + 0.25 x 0.5 = 0.5).
        Assert.Equal(0.5, agree / (double)n, 0.015);
    }

    [Fact]
    public void A_holdout_keeps_its_share_out_of_every_experiment()
    {
        var a = VariantAssigner.TwoWay("exp-a", holdoutShare: 0.1);
        var b = VariantAssigner.TwoWay("exp-b", holdoutShare: 0.1);
        int held = 0;
        for (int m = 0; m < 10_000; m++)
        {
            string id = $"m{m:D7}";
            bool inA = a.Assign(id) == VariantAssigner.Holdout;
            Assert.Equal(inA, b.Assign(id) == VariantAssigner.Holdout);
            if (inA) held++;
        }
        Assert.Equal(0.1, held / 10_000.0, 0.01);
    }

    [Fact]
    public void A_skewed_split_raises_the_sample_ratio_alert_and_a_fair_one_does_not()
    {
        var skewed = SampleRatioCheck.Test([5_000, 4_600], [1, 1]);
        Assert.True(skewed.Alert, $"p = {skewed.PValue}");
        var fair = SampleRatioCheck.Test([5_000, 5_040], [1, 1]);
        Assert.False(fair.Alert);
        Assert.True(fair.PValue > 0.5);
        // The chi-square tail itself: 3.841 with one degree of freedom is the 5% point.
        Assert.Equal(0.05, Distributions.ChiSquareSurvival(3.841459, 1), 1e-4);
        Assert.Equal(0.05, Distributions.StudentTwoSided(2.228139, 10), 1e-4);
    }

    [Fact]
    public void A_known_effect_is_detected_and_an_AA_test_is_not()
    {
        var rng = new Xoshiro256StarStar(11);
        var control = new double[2_000];
        var treatment = new double[2_000];
        var same = new double[2_000];
        for (int i = 0; i < 2_000; i++)
        {
            control[i] = 10 + 3 * Normal(ref rng);
            treatment[i] = 10.5 + 3 * Normal(ref rng);
            same[i] = 10 + 3 * Normal(ref rng);
        }
        var effect = ExperimentTests.Welch("hours", control, treatment);
        Assert.True(effect.PValue < 0.001, $"p = {effect.PValue}");
        Assert.True(effect.Lower < 0.5 && 0.5 < effect.Upper);
        var aa = ExperimentTests.Welch("hours", control, same);
        Assert.True(aa.PValue > 0.05, $"p = {aa.PValue}");
    }

    [Fact]
    public void AA_tests_reject_at_about_alpha_for_means_and_ratio_metrics()
    {
        var rng = new Xoshiro256StarStar(3);
        int welch = 0, ratio = 0, runs = 400, n = 300;
        var c = new double[n]; var t = new double[n]; var cd = new double[n]; var td = new double[n];
        for (int run = 0; run < runs; run++)
        {
            for (int i = 0; i < n; i++)
            {
                cd[i] = 1 + (int)(rng.NextDouble() * 20);
                td[i] = 1 + (int)(rng.NextDouble() * 20);
                c[i] = Binomial(ref rng, (int)cd[i], 0.3);
                t[i] = Binomial(ref rng, (int)td[i], 0.3);
            }
            if (ExperimentTests.Welch("x", c, t).PValue < 0.05) welch++;
            if (ExperimentTests.Ratio("take-rate", c, cd, t, td).PValue < 0.05) ratio++;
        }
        Assert.InRange(welch / (double)runs, 0.02, 0.08);
        Assert.InRange(ratio / (double)runs, 0.02, 0.08);

        static double Binomial(ref Xoshiro256StarStar rng, int trials, double p)
        {
            int k = 0;
            for (int i = 0; i < trials; i++) if (rng.NextDouble() < p) k++;
            return k;
        }
    }

    [Fact]
    public void Cuped_removes_the_variance_the_pre_period_explains()
    {
        var rng = new Xoshiro256StarStar(5);
        int n = 5_000;
        var yc = new double[n]; var xc = new double[n]; var yt = new double[n]; var xt = new double[n];
        for (int i = 0; i < n; i++)
        {
            xc[i] = 10 + 3 * Normal(ref rng); yc[i] = xc[i] + 2 * Normal(ref rng);
            xt[i] = 10 + 3 * Normal(ref rng); yt[i] = xt[i] + 0.2 + 2 * Normal(ref rng);
        }
        var adjusted = ExperimentTests.Cuped("hours", yc, xc, yt, xt);
        // rho^2 = 9 / 13.
        Assert.Equal(9 / 13.0, adjusted.VarianceReduction, 0.03);
        Assert.Equal(0.2, adjusted.Difference, 0.1);
        var raw = ExperimentTests.Welch("hours", yc, yt);
        Assert.True(adjusted.StdError < 0.6 * raw.StdError);
    }

    [Fact]
    public void Msprt_with_daily_looks_keeps_false_positives_below_alpha_where_peeking_does_not()
    {
        var rng = new Xoshiro256StarStar(9);
        int runs = 500, looks = 20, perLook = 50, sequential = 0, peeking = 0;
        for (int run = 0; run < runs; run++)
        {
            var test = new SequentialTest(mixingVariance: 0.04);
            double sc = 0, st = 0, qc = 0, qt = 0;
            bool peeked = false;
            for (int look = 1; look <= looks; look++)
            {
                for (int i = 0; i < perLook; i++)
                {
                    double a = Normal(ref rng), b = Normal(ref rng);
                    sc += a; qc += a * a; st += b; qt += b * b;
                }
                int n = look * perLook;
                double mc = sc / n, mt = st / n;
                double variance = (qc / n - mc * mc) / n + (qt / n - mt * mt) / n;
                test.Look(mt - mc, variance);
                if (Math.Abs(mt - mc) / Math.Sqrt(variance) > 1.96) peeked = true;
            }
            if (test.Rejected) sequential++;
            if (peeked) peeking++;
        }
        Assert.True(sequential / (double)runs <= 0.05, $"mSPRT false positives {sequential}/{runs}");
        Assert.True(peeking / (double)runs > 0.1, $"peeking false positives {peeking}/{runs}: should be inflated");

        // A real effect of 0.3 standard deviations is found.
        var effect = new SequentialTest(mixingVariance: 0.04);
        double c1 = 0, t1 = 0;
        for (int look = 1; look <= looks && !effect.Rejected; look++)
        {
            for (int i = 0; i < perLook; i++) { c1 += Normal(ref rng); t1 += 0.3 + Normal(ref rng); }
            int n = look * perLook;
            effect.Look(t1 / n - c1 / n, 2.0 / n);
        }
        Assert.True(effect.Rejected);
    }
}

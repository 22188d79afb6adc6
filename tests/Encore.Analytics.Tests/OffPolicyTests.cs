using Encore.Analytics.OffPolicy;
using Encore.Core;
using Xunit;

namespace Encore.Analytics.Tests;

/// <summary>The off-policy estimators on constructed logs whose true value is known.</summary>
public sealed class OffPolicyTests
{
    private static readonly double[] Means = [0.2, 0.5, 0.8];

    /// <summary>
    /// Three actions with known take probabilities; the logging policy draws them with probabilities
    /// <paramref name="logging"/>, the target with <paramref name="target"/>; 30 records per member.
    /// </summary>
    private static BanditLog Log(int records, double[] logging, double[] target, ulong seed = 7)
    {
        var rng = new Xoshiro256StarStar(seed);
        var builder = new BanditLogBuilder();
        int[] actions = [0, 1, 2];
        for (int i = 0; i < records; i++)
        {
            double u = rng.NextDouble(), acc = 0;
            int a = 2;
            for (int k = 0; k < 3; k++) { acc += logging[k]; if (u < acc) { a = k; break; } }
            double r = rng.NextDouble() < Means[a] ? 1 : 0;
            builder.Add(i / 30, i / 5, a, logging[a], r, target[a], actions, target);
        }
        return builder.Build();
    }

    private static double TrueValue(double[] target) => target[0] * Means[0] + target[1] * Means[1] + target[2] * Means[2];

    [Fact]
    public void Ips_recovers_the_known_value_of_a_target_policy_and_its_interval_covers_it()
    {
        double[] logging = [1 / 3.0, 1 / 3.0, 1 / 3.0], target = [0.1, 0.1, 0.8];
        double truth = TrueValue(target); // 0.71, while the logging policy's own value is 0.5
        var estimate = PolicyValueEstimator.Estimate(Log(30_000, logging, target));
        Assert.Equal(0.5, estimate.LoggedValue, 0.02);
        foreach (var e in new[] { OffPolicyEstimator.Ips, OffPolicyEstimator.SelfNormalizedIps, OffPolicyEstimator.DoublyRobust,
                     OffPolicyEstimator.SwitchDoublyRobust, OffPolicyEstimator.DoublyRobustShrinkage, OffPolicyEstimator.DirectMethod })
        {
            var result = estimate[e];
            Assert.True(Math.Abs(result.Value - truth) < 0.02, $"{e}: {result.Value} vs {truth}");
            // The intervals of the estimators that lean on the reward model leave out its fitting error (it is fitted
            // once, not per resample), so only the importance-weighted ones are held to cover.
            if (e is OffPolicyEstimator.Ips or OffPolicyEstimator.SelfNormalizedIps or OffPolicyEstimator.DoublyRobust)
                Assert.True(result.Lower <= truth && truth <= result.Upper, $"{e}: [{result.Lower}, {result.Upper}] misses {truth}");
        }
        Assert.Empty(estimate.Warnings);
        // Effective sample size: E[w]^2/E[w^2] = 1 / (3 * (0.01 + 0.01 + 0.64)) = 0.505 of the records.
        Assert.Equal(0.505, estimate.EffectiveSampleSize / estimate.Records, 0.02);
    }

    [Fact]
    public void The_same_policy_as_the_logging_one_is_valued_at_the_logged_mean_by_every_estimator()
    {
        double[] p = [0.5, 0.3, 0.2];
        var estimate = PolicyValueEstimator.Estimate(Log(6_000, p, p));
        foreach (var e in estimate.Estimates)
        {
            double expected = e.PerSlate ? estimate.LoggedSlateValue : estimate.LoggedValue;
            if (e.Estimator is OffPolicyEstimator.Ips or OffPolicyEstimator.SelfNormalizedIps || e.PerSlate) Assert.Equal(expected, e.Value, 1e-9);
            else Assert.Equal(expected, e.Value, 0.02);
        }
        Assert.Equal(estimate.Records, estimate.EffectiveSampleSize, 1e-6);
    }

    [Fact]
    public void A_target_the_logging_policy_barely_shows_is_warned_about()
    {
        // The logging policy shows action 2 once in 500 times; the target always shows it.
        var estimate = PolicyValueEstimator.Estimate(Log(5_000, [0.599, 0.4, 0.001], [0, 0, 1]));
        Assert.True(estimate.EffectiveSampleSize < 50, $"ESS {estimate.EffectiveSampleSize}");
        Assert.Contains(estimate.Warnings, w => w.Contains("little support", StringComparison.Ordinal));
    }

    [Fact]
    public void Target_mass_on_actions_the_log_never_shows_is_reported()
    {
        var builder = new BanditLogBuilder();
        for (int i = 0; i < 1_000; i++) builder.Add(i / 10, i, i % 2, 0.5, i % 3 == 0 ? 1 : 0, 0.25, [0, 1, 7], [0.25, 0.25, 0.5]);
        var estimate = PolicyValueEstimator.Estimate(builder.Build());
        Assert.Equal(0.5, estimate.UnsupportedMass, 1e-9);
        Assert.Contains(estimate.Warnings, w => w.Contains("never shows", StringComparison.Ordinal));
    }

    [Fact]
    public void The_cascade_slate_estimator_multiplies_the_weights_down_the_row()
    {
        var builder = new BanditLogBuilder();
        // One row of two positions: weights 2 then 0.5, rewards 0 then 1: independent IPS 0.5, cascade IPS 2 x 0.5 x 1 = 1.
        builder.Add(0, 1, 0, 0.25, 0, 0.5);
        builder.Add(0, 1, 1, 0.5, 1, 0.25);
        var estimate = PolicyValueEstimator.Estimate(builder.Build(), new PolicyValueOptions { BootstrapSamples = 20 });
        Assert.Equal(0.5, estimate[OffPolicyEstimator.SlateIndependentIps].Value, 1e-12);
        Assert.Equal(1.0, estimate[OffPolicyEstimator.SlateCascadeIps].Value, 1e-12);
        Assert.Equal(1, estimate.Slates);
    }

    [Fact]
    public void Bad_records_are_refused_with_the_record_named()
    {
        var builder = new BanditLogBuilder();
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => builder.Add(0, 0, 0, 0, 1, 0.5));
        Assert.Contains("record 0", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => builder.Add(0, 0, 0, 0.5, 1, 0.5, [0, 1], [0.5, 0.4]));
        Assert.Equal(0, builder.Count);
        Assert.Throws<InvalidOperationException>(() => new BanditLogBuilder().Build());
    }
}

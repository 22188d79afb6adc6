using Encore.Analytics.Experiments;
using Encore.Analytics.OffPolicy;
using Encore.Evaluation.Campaigns;
using Encore.Evaluation.Experiments;
using Encore.Simulation;
using Xunit;

namespace Encore.Evaluation.Tests.Campaigns;

/// <summary>The campaign and experiment labs on small simulated services.</summary>
public sealed class CampaignLabTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Campaign_values_predicted_from_the_exploring_log_match_what_their_arms_observe()
    {
        var options = new CampaignLabOptions
        {
            Members = 60_000,
            Days = 1,
            LoggedImpressions = 5_000,
            Replicates = 2,
            BootstrapSamples = 100,
            LoggingWeight = 6,
            Campaigns =
            [
                new CampaignSpec("popular-sharp") { PopularityWeight = 1, Temperature = 0.5 },
                new CampaignSpec("personal") { PopularityWeight = 0, UtilityWeight = 1 },
            ],
        };
        var result = await CampaignLab.RunAsync(options, ct: Ct);
        Assert.Equal(2, result.Campaigns.Count);
        var personal = result.Campaigns[1];
        // The personalized policy is much better than the exploring one, and the log says so before it runs.
        Assert.True(personal.Observed > 1.3 * result.LoggingValue, $"observed {personal.Observed} vs logging {result.LoggingValue}");
        foreach (var c in result.Campaigns)
            foreach (var e in new[] { OffPolicyEstimator.Ips, OffPolicyEstimator.DoublyRobust, OffPolicyEstimator.SlateCascadeIps })
                Assert.True(c.MeanRelativeError(e) < 0.12, $"{c.Campaign} {e}: relative error {c.MeanRelativeError(e):F3}");
        // The direct method with a per-title reward model cannot see that the personalized policy picks per member.
        Assert.True(personal.MeanRelativeError(OffPolicyEstimator.DirectMethod) > personal.MeanRelativeError(OffPolicyEstimator.DoublyRobust));
    }

    [Fact]
    public async Task The_experiment_lab_detects_a_known_effect_keeps_AA_false_positives_down_and_catches_a_skewed_split()
    {
        var result = await ExperimentLab.RunAsync(new ExperimentLabOptions { Members = 1_500, AaExperiments = 200, SkewDrop = 0.25 }, ct: Ct);
        Assert.True(result.AaSequential <= 0.05, $"mSPRT A/A false positives {result.AaSequential}");
        Assert.True(result.AaPeeking > result.AaSequential, "daily Welch tests should find more false positives than mSPRT");
        Assert.True(result.CupedVarianceReduction >= 0.4, $"CUPED variance reduction {result.CupedVarianceReduction}");
        var take = result.KnownEffect.Comparisons[0][ExperimentAnalyzer.TakeRate];
        Assert.True(take.PValue < 0.001 && take.Difference > 0, $"oracle vs popularity take-rate: {take}");
        Assert.True(result.KnownEffect.Comparisons[0].SequentialTakeRateRejectedOnDay > 0);
        // The daily looks behind it: one per day, always-valid p-values that never rise, the last one the test's.
        var daily = result.KnownEffect.Comparisons[0].Daily;
        Assert.Equal(result.KnownEffect.Days, daily.Count);
        for (int d = 1; d < daily.Count; d++) Assert.True(daily[d].TakeRatePValue <= daily[d - 1].TakeRatePValue && daily[d].HoursPValue <= daily[d - 1].HoursPValue);
        Assert.Equal(result.KnownEffect.Comparisons[0].SequentialTakeRatePValue, daily[^1].TakeRatePValue);
        Assert.False(result.KnownEffect.SampleRatio.Alert);
        Assert.True(result.Skewed.SampleRatio.Alert, $"SRM p = {result.Skewed.SampleRatio.PValue}");
    }

    [Fact]
    public void A_split_policy_assigns_members_as_the_experiment_analysis_does()
    {
        var service = new SimulatedService(new SimulationOptions { Members = 400, Titles = 100, Days = 1 });
        var assigner = VariantAssigner.TwoWay("split-test");
        var split = new SplitPolicy(service, assigner, [new RandomPolicy(), new RandomPolicy()]);
        int treated = 0;
        for (int m = 0; m < 400; m++)
        {
            Assert.Equal(assigner.Assign(service.Members.Ids[m]), split.ArmOf(m));
            treated += split.ArmOf(m);
        }
        Assert.InRange(treated, 150, 250);
        Assert.Throws<ArgumentException>(() => new SplitPolicy(service, assigner, [new RandomPolicy()]));
    }
}

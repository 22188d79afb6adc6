using System.Globalization;
using Encore.Analytics.OffPolicy;
using Encore.Evaluation.Campaigns;

namespace Encore.Bench;

/// <summary>
/// The campaign lab: predicts 22 campaigns' and policies' take-rate from 10,000 logged impressions of an exploring
/// policy with every off-policy estimator, then compares with what each campaign's own arm of the same simulated
/// service observed: relative error and 95% interval coverage per estimator, and the per-campaign table.
/// Usage: campaigns [members=600000] [days=1] [logged=10000] [replicates=8] [seed]
/// </summary>
public sealed class CampaignsBench : IBench
{
    public string Name => "campaigns";
    public string Description => "campaign prediction before launch vs the A/B arms of the simulator: [members] [days] [logged] [replicates] [seed]";

    public async Task<int> RunAsync(string[] args)
    {
        var c = CultureInfo.InvariantCulture;
        var defaults = new CampaignLabOptions();
        var options = defaults with
        {
            Members = args.Length > 0 ? int.Parse(args[0], c) : defaults.Members,
            Days = args.Length > 1 ? int.Parse(args[1], c) : defaults.Days,
            LoggedImpressions = args.Length > 2 ? int.Parse(args[2], c) : defaults.LoggedImpressions,
            Replicates = args.Length > 3 ? int.Parse(args[3], c) : defaults.Replicates,
            Seed = args.Length > 4 ? ulong.Parse(args[4], c) : defaults.Seed,
        };
        var progress = new Progress<string>(line => Console.Error.WriteLine(line));
        var result = await CampaignLab.RunAsync(options, progress);
        Console.WriteLine(string.Create(c, $"campaign lab: {options.Members} members x {options.Days} days, {options.Campaigns.Count} campaigns, predictions from {options.LoggedImpressions} logged impressions x {options.Replicates} replicates ({result.Elapsed.TotalSeconds:F0} s)"));
        Console.WriteLine(string.Create(c, $"logging arm ({options.Logging.Name}): {result.LoggingMembers} members, {result.LoggingImpressions} impressions, take-rate {result.LoggingValue:F4}"));
        Console.WriteLine();
        Console.WriteLine("estimator                 mean |rel err|  median  coverage(95%)  +arm error  mean width/value");
        foreach (var s in result.Estimators)
            Console.WriteLine(string.Create(c, $"{s.Estimator,-25} {s.MeanRelativeError,14:F3}  {s.MedianRelativeError,6:F3}  {s.Coverage,13:P0}  {s.CoverageWithArmError,10:P0}  {s.MeanIntervalWidth,16:F3}"));
        Console.WriteLine();
        Console.WriteLine("campaign            arm members  impressions  observed (se)       per-row   IPS     SNIPS   DR      DRos    slate-cascade(rel err)");
        foreach (var o in result.Campaigns)
            Console.WriteLine(string.Create(c, $"{o.Campaign,-19} {o.ArmMembers,11} {o.ArmImpressions,12}  {o.Observed:F4} ({o.ObservedStdError:F4})  {o.ObservedSlate,7:F4}   {o.MeanRelativeError(OffPolicyEstimator.Ips):F3}   {o.MeanRelativeError(OffPolicyEstimator.SelfNormalizedIps):F3}   {o.MeanRelativeError(OffPolicyEstimator.DoublyRobust):F3}   {o.MeanRelativeError(OffPolicyEstimator.DoublyRobustShrinkage):F3}   {o.MeanRelativeError(OffPolicyEstimator.SlateCascadeIps):F3}{(o.Warnings.Count > 0 ? "  [support warning]" : "")}"));
        return 0;
    }
}

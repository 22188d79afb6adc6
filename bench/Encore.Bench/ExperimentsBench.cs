using System.Globalization;
using Encore.Analytics.Experiments;
using Encore.Evaluation.Experiments;

namespace Encore.Bench;

/// <summary>
/// The experiment lab: 1,000 A/A experiments with a look every day (false positives of the fixed-horizon test, of
/// peeking, of mSPRT), CUPED's variance reduction on hours watched with a 7-day pre-period, an experiment between two
/// policies with a known effect, and the SRM check on a split with part of one arm lost.
/// Usage: experiments [members=4000] [aa=1000] [control=popularity] [treatment=oracle] [seed]
/// </summary>
public sealed class ExperimentsBench : IBench
{
    public string Name => "experiments";
    public string Description => "A/A false positives with daily looks, CUPED, a known effect, SRM on the simulator: [members] [aa] [control] [treatment] [seed]";

    public async Task<int> RunAsync(string[] args)
    {
        var c = CultureInfo.InvariantCulture;
        var defaults = new ExperimentLabOptions();
        var options = defaults with
        {
            Members = args.Length > 0 ? int.Parse(args[0], c) : defaults.Members,
            AaExperiments = args.Length > 1 ? int.Parse(args[1], c) : defaults.AaExperiments,
            Control = args.Length > 2 ? args[2] : defaults.Control,
            Treatment = args.Length > 3 ? args[3] : defaults.Treatment,
            Seed = args.Length > 4 ? ulong.Parse(args[4], c) : defaults.Seed,
        };
        var result = await ExperimentLab.RunAsync(options, new Progress<string>(line => Console.Error.WriteLine(line)));
        Console.WriteLine(string.Create(c, $"experiment lab: {options.Members} members, {options.PreDays}-day pre-period, {options.ExperimentDays}-day experiments ({result.Elapsed.TotalSeconds:F0} s)"));
        Console.WriteLine(string.Create(c, $"{options.AaExperiments} A/A experiments over {result.AaMembers} members (alpha 0.05):"));
        Console.WriteLine(string.Create(c, $"  fixed-horizon Welch on hours, end of period: {result.AaFixedHorizon:P1} false positives"));
        Console.WriteLine(string.Create(c, $"  Welch every day (peeking):                   {result.AaPeeking:P1}"));
        Console.WriteLine(string.Create(c, $"  mSPRT every day (always valid):              {result.AaSequential:P1}"));
        Console.WriteLine(string.Create(c, $"  take-rate (delta method), end of period:     {result.AaTakeRate:P1}"));
        Console.WriteLine(string.Create(c, $"  mSPRT on take-rate every day:                {result.AaSequentialTakeRate:P1}"));
        Console.WriteLine(string.Create(c, $"  CUPED variance reduction on hours (7-day pre-period): {result.CupedVarianceReduction:P1}"));
        Print("known effect", result.KnownEffect, c);
        Print("skewed split", result.Skewed, c);
        return 0;
    }

    private static void Print(string title, ExperimentReport report, CultureInfo c)
    {
        Console.WriteLine();
        Console.WriteLine(string.Create(c, $"{title} ({report.Experiment}): SRM chi-square {report.SampleRatio.ChiSquare:F2}, p = {report.SampleRatio.PValue:G3}{(report.SampleRatio.Alert ? " ALERT" : "")}"));
        foreach (var v in report.Variants)
            Console.WriteLine(string.Create(c, $"  {v.Name,-10} {v.Members,6} members  take-rate {v.TakeRate:F4}  hours {v.HoursPerMember:F2}  completion {v.CompletionRate:F3}  retention {v.Retention:F3}"));
        foreach (var comparison in report.Comparisons)
        {
            foreach (var m in comparison.Metrics)
                Console.WriteLine(string.Create(c, $"  {m.Metric,-12} {m.Method,-6} diff {m.Difference:+0.0000;-0.0000} [{m.Lower:F4}, {m.Upper:F4}] ({m.Relative:+0.0%;-0.0%})  p = {m.PValue:G3}{(m.Method == "cuped" ? string.Create(c, $"  variance -{m.VarianceReduction:P0}") : "")}"));
            Console.WriteLine(string.Create(c, $"  mSPRT on hours: always-valid p = {comparison.SequentialPValue:G3}, {(comparison.SequentialRejectedOnDay > 0 ? $"rejected on day {comparison.SequentialRejectedOnDay}" : "not rejected")}"));
            Console.WriteLine(string.Create(c, $"  mSPRT on take-rate: always-valid p = {comparison.SequentialTakeRatePValue:G3}, {(comparison.SequentialTakeRateRejectedOnDay > 0 ? $"rejected on day {comparison.SequentialTakeRateRejectedOnDay}" : "not rejected")}"));
        }
        foreach (var w in report.Warnings) Console.WriteLine("  warning: " + w);
    }
}

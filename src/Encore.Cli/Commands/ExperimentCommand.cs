using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Encore.Analytics.Experiments;
using Encore.Cli.Terminal;

namespace Encore.Cli.Commands;

/// <summary>
/// `encore experiment --name NAME --start DATE --days N [--variants control,treatment] [--weights 1,1] [--holdout 0]
/// [--pre-days 7] [--db FILE] [--json]`: reads an experiment from the store: members assigned by hashing (name as salt),
/// the sample-ratio-mismatch check, then take-rate, hours (with CUPED), completion and retention per variant, and mSPRT.
/// </summary>
internal static class ExperimentCommand
{
    public static Command Create()
    {
        var db = DatabaseOption.Create();
        var name = new Option<string?>("--name") { Description = "The experiment's name (the salt of its hash assignment). Required.", HelpName = "NAME" };
        var start = new Option<string?>("--start") { Description = "The first day of the experiment (UTC, e.g. 2025-01-13). Required.", HelpName = "DATE" };
        var days = new Option<int>("--days") { Description = "Days the experiment ran.", DefaultValueFactory = _ => 14, HelpName = "N" };
        var variants = new Option<string>("--variants") { Description = "Variant names, control first, comma-separated.", DefaultValueFactory = _ => "control,treatment", HelpName = "NAMES" };
        var weights = new Option<string?>("--weights") { Description = "Their shares, comma-separated (default: equal).", HelpName = "W" };
        var holdout = new Option<double>("--holdout") { Description = "Share of members held out of every experiment.", DefaultValueFactory = _ => 0, HelpName = "SHARE" };
        var preDays = new Option<int>("--pre-days") { Description = "Days before the start used as CUPED's pre-period (0: no CUPED).", DefaultValueFactory = _ => 7, HelpName = "N" };
        var json = new Option<bool>("--json") { Description = "Print the report as JSON." };
        var command = new Command("experiment", "Read an A/B experiment from the store: hash assignment, sample-ratio check, metrics per variant with intervals, CUPED and an always-valid sequential test.")
        {
            db, name, start, days, variants, weights, holdout, preDays, json,
        };
        command.SetAction((parseResult, ct) => CommandGuard.RunAsync(parseResult, ct, async ct =>
        {
            var c = CultureInfo.InvariantCulture;
            int n = parseResult.GetValue(days);
            if (n is < 1 or > 3650) throw new CliException(ExitCodes.Usage, $"--days must be in 1..3650 (got {n})");
            int pre = parseResult.GetValue(preDays);
            if (pre is < 0 or > 365) throw new CliException(ExitCodes.Usage, $"--pre-days must be in 0..365 (got {pre})");
            double hold = parseResult.GetValue(holdout);
            if (hold is < 0 or >= 1) throw new CliException(ExitCodes.Usage, $"--holdout must be in [0, 1) (got {hold.ToString(c)})");
            string experiment = parseResult.GetValue(name) is { Length: > 0 } named ? named : throw new CliException(ExitCodes.Usage, "--name is required: the experiment's name, the salt its members were assigned with");
            var startUtc = CampaignEstimateCommand.Time(parseResult.GetValue(start), "--start") ?? throw new CliException(ExitCodes.Usage, "--start is required: the experiment's first day (UTC, e.g. 2025-01-13)");
            IReadOnlyList<Variant> arms;
            try { arms = Variant.Parse(parseResult.GetValue(variants)!, parseResult.GetValue(weights)); }
            catch (ArgumentException e) { throw new CliException(ExitCodes.Usage, "--" + e.Message); }
            VariantAssigner assigner;
            try
            {
                assigner = new VariantAssigner(experiment, arms, hold);
            }
            catch (ArgumentException e)
            {
                throw new CliException(ExitCodes.Usage, e.Message);
            }
            var path = DatabaseOption.Resolve(parseResult, db);
            await using var store = await DatabaseOption.OpenReadOnlyAsync(path, ct);
            var outcomes = await MemberOutcomes.ReadAsync(store, startUtc, n, pre, ct);
            var report = ExperimentAnalyzer.Analyze(outcomes, assigner);
            var output = parseResult.InvocationConfiguration.Output;
            if (parseResult.GetValue(json))
            {
                output.WriteLine(JsonSerializer.Serialize(report, new JsonSerializerOptions
                {
                    PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
                    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
                }));
                return ExitCodes.Success;
            }
            output.WriteLine(string.Create(c, $"Experiment {report.Experiment}: {n} days from {startUtc:yyyy-MM-dd}, {report.HoldoutMembers} members held out"));
            var srm = report.SampleRatio;
            output.WriteLine(string.Create(c, $"Sample ratio: {string.Join("/", srm.Observed)} members, chi-square {srm.ChiSquare:F2}, p = {srm.PValue:G3}{(srm.Alert ? "  MISMATCH" : "  ok")}"));
            foreach (var v in report.Variants)
                output.WriteLine(string.Create(c, $"  {v.Name,-12} {v.Members,7} members  take-rate {v.TakeRate:F4}  hours/member {v.HoursPerMember:F2}  completion {v.CompletionRate:F3}  retention {v.Retention:F3}"));
            foreach (var comparison in report.Comparisons)
            {
                output.WriteLine($"{comparison.Treatment} vs {report.Variants[0].Name}:");
                foreach (var m in comparison.Metrics)
                    output.WriteLine(string.Create(c, $"  {m.Metric,-12} {m.Method,-6} {m.Difference:+0.0000;-0.0000} [{m.Lower:F4}, {m.Upper:F4}] ({m.Relative:+0.0%;-0.0%})  p = {m.PValue:G3}{(m.Method == "cuped" ? string.Create(c, $"  variance -{m.VarianceReduction:P0}") : "")}"));
                output.WriteLine(string.Create(c, $"  sequential (mSPRT, daily looks): hours p = {comparison.SequentialPValue:G3}, take-rate p = {comparison.SequentialTakeRatePValue:G3}"));
            }
            foreach (var warning in report.Warnings) output.WriteLine("warning: " + warning);
            return ExitCodes.Success;
        }));
        return command;
    }
}

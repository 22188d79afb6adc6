using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Encore.Analytics.OffPolicy;
using Encore.Cli.Terminal;

namespace Encore.Cli.Commands;

/// <summary>
/// `encore campaign estimate [--db FILE] (--titles ID,... | --genre NAME) [--share 0.2] [--rows NAME,...] [--from T] [--to T] [--json]`:
/// the take-rate a campaign would have had, estimated from the logged impressions and their propensities before running it.
/// </summary>
internal static class CampaignEstimateCommand
{
    public static Command Create()
    {
        var db = DatabaseOption.Create();
        var titles = new Option<string?>("--titles") { Description = "The campaign's titles, by id, comma-separated.", HelpName = "IDS" };
        var genre = new Option<string?>("--genre") { Description = "The campaign's titles: every title of this genre (e.g. Drama).", HelpName = "NAME" };
        var share = new Option<double>("--share") { Description = "Share of the slots the campaign takes (each shows one of its titles at random).", DefaultValueFactory = _ => 0.2, HelpName = "Q" };
        var rows = new Option<string?>("--rows") { Description = "Only these rows, comma-separated (default: every row the page policy chooses).", HelpName = "NAMES" };
        var from = new Option<string?>("--from") { Description = "Only impressions from this UTC time.", HelpName = "TIME" };
        var to = new Option<string?>("--to") { Description = "Only impressions before this UTC time.", HelpName = "TIME" };
        var bootstrap = new Option<int>("--bootstrap") { Description = "Bootstrap resamples of members for the intervals.", DefaultValueFactory = _ => 500, HelpName = "B" };
        var json = new Option<bool>("--json") { Description = "Print the estimate as JSON." };
        var command = new Command("estimate", "Estimate a campaign's take-rate from logged impressions (IPS, self-normalized IPS, direct method, doubly robust, switch-DR, DRos, slate), with bootstrap intervals and support warnings.")
        {
            db, titles, genre, share, rows, from, to, bootstrap, json,
        };
        command.SetAction((parseResult, ct) => CommandGuard.RunAsync(parseResult, ct, async ct =>
        {
            string? ids = parseResult.GetValue(titles), genreName = parseResult.GetValue(genre);
            if ((ids is null) == (genreName is null)) throw new CliException(ExitCodes.Usage, "name the campaign's titles with exactly one of --titles or --genre");
            double q = parseResult.GetValue(share);
            if (q is <= 0 or > 1) throw new CliException(ExitCodes.Usage, $"--share must be in (0, 1] (got {q.ToString(CultureInfo.InvariantCulture)})");
            int b = parseResult.GetValue(bootstrap);
            if (b is < 20 or > 100_000) throw new CliException(ExitCodes.Usage, $"--bootstrap must be in 20..100000 (got {b})");
            var path = DatabaseOption.Resolve(parseResult, db);
            await using var store = await DatabaseOption.OpenReadOnlyAsync(path, ct);
            HashSet<string>? rowSet = parseResult.GetValue(rows) is { } r ? new HashSet<string>(r.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), StringComparer.Ordinal) : null;
            CampaignEstimate result;
            try
            {
                result = await CampaignEstimation.EstimateAsync(store, new CampaignRequest
                {
                    Titles = ids?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), Genre = genreName, Share = q, Rows = rowSet,
                    FromUtc = Time(parseResult.GetValue(from), "--from"), ToUtc = Time(parseResult.GetValue(to), "--to"), BootstrapSamples = b,
                }, ct);
            }
            catch (ArgumentException e)
            {
                throw new CliException(ExitCodes.Usage, $"{path}: {e.Message}");
            }
            var estimate = result.Estimate;
            var output = parseResult.InvocationConfiguration.Output;
            if (parseResult.GetValue(json))
            {
                output.WriteLine(JsonSerializer.Serialize(estimate, new JsonSerializerOptions
                {
                    PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
                    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
                    Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
                }));
                return ExitCodes.Success;
            }
            var c = CultureInfo.InvariantCulture;
            output.WriteLine(string.Create(c, $"Campaign {result.Campaign}: {result.Titles} titles in {q:P0} of the slots{(rowSet is null ? "" : " of rows " + string.Join(",", rowSet))}"));
            output.WriteLine(string.Create(c, $"Logged: {estimate.Records} impressions of {estimate.Members} members, {estimate.Slates} rows looked at; take-rate {estimate.LoggedValue:F4} per impression, {estimate.LoggedSlateValue:F4} per row"));
            output.WriteLine(string.Create(c, $"Effective sample size {estimate.EffectiveSampleSize:F0} ({estimate.EffectiveSampleSize / estimate.Records:P1}), largest weight {estimate.MaxWeight:G3}, target mass on unlogged titles {estimate.UnsupportedMass:P1}"));
            output.WriteLine(string.Create(c, $"{"estimator",-24} {"value",8}  {estimate.Confidence:P0} interval"));
            foreach (var e in estimate.Estimates)
                output.WriteLine(string.Create(c, $"{Name(e.Estimator),-24} {e.Value,8:F4}  [{e.Lower:F4}, {e.Upper:F4}]{(e.PerSlate ? " per row" : "")}"));
            foreach (var w in estimate.Warnings) output.WriteLine("warning: " + w);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static string Name(OffPolicyEstimator e) => e switch
    {
        OffPolicyEstimator.Ips => "ips",
        OffPolicyEstimator.SelfNormalizedIps => "snips",
        OffPolicyEstimator.DirectMethod => "direct",
        OffPolicyEstimator.DoublyRobust => "doubly-robust",
        OffPolicyEstimator.SwitchDoublyRobust => "switch-dr",
        OffPolicyEstimator.DoublyRobustShrinkage => "dr-shrinkage",
        OffPolicyEstimator.SlateIndependentIps => "slate-independent-ips",
        OffPolicyEstimator.SlateCascadeIps => "slate-cascade-ips",
        _ => e.ToString(),
    };

    internal static DateTime? Time(string? text, string option)
    {
        if (text is null) return null;
        return DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var time)
            ? DateTime.SpecifyKind(time, DateTimeKind.Utc)
            : throw new CliException(ExitCodes.Usage, $"{option}: '{Core.UnicodeText.Clip(text)}' is not a UTC time like 2025-01-31 or 2025-01-31T20:00:00Z");
    }
}

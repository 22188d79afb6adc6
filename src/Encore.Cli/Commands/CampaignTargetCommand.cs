using System.CommandLine;
using System.Text.Json;
using Encore.Analytics.Audience;
using Encore.Analytics.Targeting;
using Encore.Cli.Terminal;
using Encore.Core;

namespace Encore.Cli.Commands;

/// <summary>
/// `encore campaign target [--db FILE] [--model FILE] (--title ID | --genre G | --with-genre G... --cast NAME... --director NAME...
/// --language CODE --maturity RATING) [-n 20] [--held-out-days 14] [--json]`: the members most likely to respond to a title, a genre
/// or a combination of attributes, with the expected response rate per decile from a held-out period.
/// </summary>
internal static class CampaignTargetCommand
{
    public static Command Create()
    {
        var db = DatabaseOption.Create();
        var model = ModelOption.Create("--model", "The trained iALS model (encore train). Default: beside the database, DB.model.");
        var title = new Option<string?>("--title") { Description = "Target one title (by id).", HelpName = "ID" };
        var genre = new Option<string?>("--genre") { Description = "Target a genre.", HelpName = "GENRE" };
        var withGenre = new Option<string[]>("--with-genre") { Description = "Attributes: a genre the titles carry (repeat).", DefaultValueFactory = _ => [], HelpName = "GENRE" };
        var cast = new Option<string[]>("--cast") { Description = "Attributes: a cast member (repeat).", DefaultValueFactory = _ => [], HelpName = "NAME" };
        var director = new Option<string[]>("--director") { Description = "Attributes: a director (repeat).", DefaultValueFactory = _ => [], HelpName = "NAME" };
        var language = new Option<string?>("--language") { Description = "Attributes: a language code.", HelpName = "CODE" };
        var maturity = new Option<string?>("--maturity") { Description = "Attributes: a maturity rating.", HelpName = "RATING" };
        var count = new Option<int>("-n", "--count") { Description = "Members listed.", DefaultValueFactory = _ => 20, HelpName = "N" };
        var heldOut = new Option<int>("--held-out-days") { Description = "Days at the end of the log held out to measure the response per decile.", DefaultValueFactory = _ => 14, HelpName = "DAYS" };
        var json = new Option<bool>("--json") { Description = "Print the whole report as JSON." };
        var command = new Command("target", "The members most likely to respond to a title, a genre or a combination of attributes, ranked, with the expected response rate per decile checked on a held-out period.")
        {
            db, model, title, genre, withGenre, cast, director, language, maturity, count, heldOut, json,
        };
        command.SetAction((parseResult, ct) => CommandGuard.RunAsync(parseResult, ct, async ct =>
        {
            int n = parseResult.GetValue(count);
            if (n is < 0 or > 10_000) throw new CliException(ExitCodes.Usage, $"-n must be in 0..10000 (got {n})");
            int days = parseResult.GetValue(heldOut);
            if (days is < 1 or > 3650) throw new CliException(ExitCodes.Usage, $"--held-out-days must be in 1..3650 (got {days})");
            var attributes = new Title
            {
                Id = "attributes", Name = "attributes", Genres = parseResult.GetValue(withGenre)!, Cast = parseResult.GetValue(cast)!,
                Directors = parseResult.GetValue(director)!, Language = parseResult.GetValue(language), MaturityRating = parseResult.GetValue(maturity),
            };
            bool hasAttributes = attributes.Genres.Count + attributes.Cast.Count + attributes.Directors.Count > 0 || attributes.Language is not null || attributes.MaturityRating is not null;
            var titleId = parseResult.GetValue(title);
            var genreName = parseResult.GetValue(genre);
            int given = (titleId is null ? 0 : 1) + (genreName is null ? 0 : 1) + (hasAttributes ? 1 : 0);
            if (given != 1) throw new CliException(ExitCodes.Usage, "name one target: --title ID, --genre GENRE, or attributes (--with-genre, --cast, --director, --language, --maturity)");
            var target = new TargetSpec { TitleId = titleId, Genre = genreName, Attributes = hasAttributes ? attributes : null };

            var path = DatabaseOption.Resolve(parseResult, db);
            await using var store = await DatabaseOption.OpenReadOnlyAsync(path, ct);
            var modelPath = ModelOption.Resolve(parseResult, model, path);
            var trained = ModelOption.Load(modelPath);
            var ials = AudienceCommand.RequireIals(trained, modelPath);
            var audience = await AudienceCommand.FitAsync(store, ials, new AudienceOptions(), ct);
            var unknown = AudienceReport.UnknownGenres(audience, attributes.Genres.Concat(genreName is null ? [] : [genreName]));
            if (unknown.Count > 0)
                throw new CliException(ExitCodes.BadInput, $"unknown genre '{UnicodeText.Clip(unknown[0])}'; known: {string.Join(", ", MemberTargeting.KnownGenres(audience.Data))}");
            if (titleId is not null && !audience.Data.TitleIds.TryGetIndex(titleId, out _))
                throw new CliException(ExitCodes.BadInput, $"title '{UnicodeText.Clip(titleId)}' is not in the model (it had no events when it was trained, or the store has no such title)");
            var progress = new Progress<string>(line => parseResult.InvocationConfiguration.Error.WriteLine(line));
            TargetingReport report;
            try
            {
                report = await MemberTargeting.RunAsync(store, audience, ials.Options, trained.Preferences, target,
                    new TargetingOptions { HeldOutDays = days, Top = n }, progress, ct);
            }
            catch (Exception e) when (e is ArgumentException or KeyNotFoundException)
            {
                throw new CliException(ExitCodes.BadInput, e.Message.Trim('\''), e);
            }
            var output = parseResult.InvocationConfiguration.Output;
            if (parseResult.GetValue(json)) output.WriteLine(JsonSerializer.Serialize(report, AudienceCommand.Json));
            else foreach (var line in AudienceReport.Describe(report)) output.WriteLine(line);
            return ExitCodes.Success;
        }));
        return command;
    }
}

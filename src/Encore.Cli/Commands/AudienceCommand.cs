using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization;
using Encore.Analytics.Audience;
using Encore.Cli.Terminal;
using Encore.Core;
using Encore.Models.Ials;

namespace Encore.Cli.Commands;

/// <summary>
/// `encore audience [--db FILE] [--model FILE] --name NAME [--genre G]... [--format film|series] [--cast NAME]... [--director NAME]...
/// [--language CODE] [--maturity RATING] [--runtime MINUTES] [--year YEAR] [--like TITLE]... [--original TITLE] [-n 20] [--json]`:
/// the predicted audience of a title not yet made.
/// </summary>
internal static class AudienceCommand
{
    public static Command Create()
    {
        var db = DatabaseOption.Create();
        var model = ModelOption.Create("--model", "The trained iALS model (encore train). Default: beside the database, DB.model.");
        var name = new Option<string>("--name") { Description = "The proposed title's working name.", DefaultValueFactory = _ => "untitled", HelpName = "NAME" };
        var genre = new Option<string[]>("--genre", "-g") { Description = "A genre (repeat for several).", DefaultValueFactory = _ => [], HelpName = "GENRE" };
        var format = new Option<string?>("--format") { Description = "film or series.", HelpName = "FORMAT" };
        var cast = new Option<string[]>("--cast") { Description = "A cast member, the lead first (repeat).", DefaultValueFactory = _ => [], HelpName = "NAME" };
        var director = new Option<string[]>("--director") { Description = "A director (repeat).", DefaultValueFactory = _ => [], HelpName = "NAME" };
        var language = new Option<string?>("--language") { Description = "ISO 639-1 language code, e.g. en.", HelpName = "CODE" };
        var maturity = new Option<string?>("--maturity") { Description = "Maturity rating, e.g. PG-13.", HelpName = "RATING" };
        var runtime = new Option<int>("--runtime") { Description = "Runtime in minutes (an episode's for a series).", HelpName = "MINUTES" };
        var year = new Option<int>("--year") { Description = "Release year.", HelpName = "YEAR" };
        var like = new Option<string[]>("--like") { Description = "An existing title id it resembles (repeat).", DefaultValueFactory = _ => [], HelpName = "TITLE" };
        var original = new Option<string?>("--original") { Description = "The existing title id it stands for (a sequel's original).", HelpName = "TITLE" };
        var count = new Option<int>("-n", "--count") { Description = "Members listed as most likely to watch.", DefaultValueFactory = _ => 20, HelpName = "N" };
        var json = new Option<bool>("--json") { Description = "Print the whole prediction as JSON." };
        var command = new Command("audience", "The predicted audience of a title not yet made, from its metadata and the titles it resembles: starts and finishes with a range, the likeliest members, segments, and the existing audiences it draws on.")
        {
            db, model, name, genre, format, cast, director, language, maturity, runtime, year, like, original, count, json,
        };
        command.SetAction((parseResult, ct) => CommandGuard.RunAsync(parseResult, ct, async ct =>
        {
            int n = parseResult.GetValue(count);
            if (n is < 0 or > 10_000) throw new CliException(ExitCodes.Usage, $"-n must be in 0..10000 (got {n})");
            var kind = parseResult.GetValue(format) switch
            {
                null => TitleKind.Film,
                var f when f.Equals("film", StringComparison.OrdinalIgnoreCase) => TitleKind.Film,
                var f when f.Equals("series", StringComparison.OrdinalIgnoreCase) => TitleKind.Series,
                var f => throw new CliException(ExitCodes.Usage, $"--format '{UnicodeText.Clip(f)}' is not film or series"),
            };
            int minutes = parseResult.GetValue(runtime), y = parseResult.GetValue(year);
            if (minutes is < 0 or > 6000) throw new CliException(ExitCodes.Usage, $"--runtime must be in 0..6000 minutes (got {minutes})");
            if (y != 0 && y is < 1850 or > 2200) throw new CliException(ExitCodes.Usage, $"--year must be in 1850..2200 (got {y})");
            var proposal = new ProposedTitle
            {
                Metadata = new Title
                {
                    Id = "proposed", Name = parseResult.GetValue(name)!, Kind = kind, Genres = parseResult.GetValue(genre)!, Cast = parseResult.GetValue(cast)!,
                    Directors = parseResult.GetValue(director)!, Language = parseResult.GetValue(language), MaturityRating = parseResult.GetValue(maturity),
                    RuntimeSeconds = minutes * 60, ReleaseDate = y == 0 ? null : new DateOnly(y, 1, 1),
                },
                Resembles = parseResult.GetValue(like)!,
                Original = parseResult.GetValue(original),
            };
            var m = proposal.Metadata;
            if (m.Genres.Count == 0 && m.Cast.Count == 0 && m.Directors.Count == 0 && proposal.Resembles.Count == 0 && proposal.Original is null)
                throw new CliException(ExitCodes.Usage, "describe the title: give at least one of --genre, --cast, --director, --like or --original");

            var path = DatabaseOption.Resolve(parseResult, db);
            await using var store = await DatabaseOption.OpenReadOnlyAsync(path, ct);
            var ials = RequireIals(ModelOption.Resolve(parseResult, model, path));
            var audience = await FitAsync(store, ials, new AudienceOptions { TopMembers = n }, ct);
            var unknown = AudienceReport.UnknownGenres(audience, m.Genres);
            if (unknown.Count > 0)
                throw new CliException(ExitCodes.BadInput, $"unknown genre '{UnicodeText.Clip(unknown[0])}'; known: {string.Join(", ", Analytics.Targeting.MemberTargeting.KnownGenres(audience.Data))}");
            AudiencePrediction prediction;
            try
            {
                prediction = audience.Predict(proposal, ct);
            }
            catch (KeyNotFoundException e)
            {
                throw new CliException(ExitCodes.BadInput, e.Message.Trim('\''), e);
            }
            var output = parseResult.InvocationConfiguration.Output;
            if (parseResult.GetValue(json)) output.WriteLine(JsonSerializer.Serialize(prediction, Json));
            else foreach (var line in AudienceReport.Describe(prediction)) output.WriteLine(line);
            return ExitCodes.Success;
        }));
        return command;
    }

    internal static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>The trained model at <paramref name="modelPath"/>, which must be iALS (the audience needs title factors).</summary>
    internal static IalsRecommender RequireIals(string modelPath) => RequireIals(ModelOption.Load(modelPath), modelPath);

    internal static IalsRecommender RequireIals(Ranking.TrainedModel trained, string modelPath)
    {
        return trained.Recommender as IalsRecommender
            ?? throw new CliException(ExitCodes.BadInput, $"the model at {modelPath} is '{trained.Recommender.Name}'; audiences need an iALS model's title factors (train one with `encore train --model ials`)");
    }

    /// <summary>The audience model of the store; an empty store or too thin a catalogue is a one-line error.</summary>
    internal static async Task<AudienceModel> FitAsync(Storage.IEventStore store, IalsRecommender ials, AudienceOptions options, CancellationToken ct)
    {
        try
        {
            return await AudienceReport.FitAsync(store, ials, options, ct);
        }
        catch (ArgumentException e)
        {
            throw new CliException(ExitCodes.BadInput, e.Message, e);
        }
    }
}

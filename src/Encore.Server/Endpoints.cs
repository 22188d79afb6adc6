using System.Text.Json;
using Encore.Core;
using Encore.Ingestion.Importers;
using Encore.Ranking.Pages;
using Encore.Service;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Encore.Server;

/// <summary>
/// The HTTP API, version 1: each endpoint reads its request, calls <see cref="EncoreService"/> and writes the typed
/// result as JSON. Events take the ingest key, recommendations and catalogue reads the read key, catalogue writes and
/// models the admin key.
/// </summary>
internal static class Endpoints
{
    /// <summary>The JSON of each page object served, for as long as the page lives (the service's page cache keeps it).</summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Homepage, byte[]> SerializedPages = new();

    /// <summary>
    /// Documents a JSON request body in the OpenAPI document without making routing match on the content type (the
    /// endpoint reads the body itself and answers a wrong type with a 415 problem that says what to send).
    /// </summary>
    /// <summary>
    /// The query parameters an endpoint takes: any other is refused (400) with the list, so a typo ("titlesperrow")
    /// is an error rather than silently ignored.
    /// </summary>
    private static RouteHandlerBuilder Query(this RouteHandlerBuilder builder, params string[] names)
        => builder.AddEndpointFilter(async (context, next) =>
        {
            foreach (var key in context.HttpContext.Request.Query.Keys)
                if (Array.IndexOf(names, key) < 0)
                    return Problems.BadRequest(names.Length == 0
                        ? $"unknown query parameter {UnicodeText.Quote(key)}; this endpoint takes none"
                        : $"unknown query parameter {UnicodeText.Quote(key)}; this endpoint takes {string.Join(", ", names)}");
            return await next(context);
        });

    /// <summary>A small JSON body as <typeparamref name="T"/>, or the problem that says why it is not one.</summary>
    private static async Task<(T? Value, IResult? Problem)> ReadBody<T>(HttpContext http, string what, CancellationToken ct) where T : class
    {
        var (body, length, problem) = await Requests.ReadJsonAsync(http.Request, 64 * 1024, ct);
        if (problem is not null) return (null, problem);
        try
        {
            var value = JsonSerializer.Deserialize<T>(body.AsSpan(0, length), ApiJson.Options);
            return value is null ? (null, Problems.BadRequest($"the body is not {what}: null")) : (value, null);
        }
        catch (JsonException e)
        {
            return (null, Problems.BadRequest($"the body is not {what}: {e.Message.Split(" Path:")[0]}"));
        }
        finally
        {
            Requests.Release(body);
        }
    }

    private static RouteHandlerBuilder JsonBody(this RouteHandlerBuilder builder)
        => builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.RequestBody = new Microsoft.OpenApi.OpenApiRequestBody
            {
                Required = true,
                Content = new Dictionary<string, Microsoft.OpenApi.OpenApiMediaType> { ["application/json"] = new() },
            };
            return Task.CompletedTask;
        });

    public static void Map(WebApplication app)
    {
        var settings = app.Services.GetRequiredService<ServerSettings>();
        var v1 = app.MapGroup("/v1");

        var ingest = v1.MapGroup("").AddEndpointFilter(new RequireRole(ApiRole.Ingest)).WithTags("events");
        ingest.MapPost("/events", async (HttpContext http, EncoreHost host, CancellationToken ct) =>
        {
            var service = host.Require();
            var (body, length, problem) = await Requests.ReadJsonAsync(http.Request, settings.MaxBodyBytes, ct);
            if (problem is not null) return problem;
            IReadOnlyList<EventBatchEntry> batch;
            try { batch = EventJson.ParseBatch(body.AsSpan(0, length), settings.MaxEventsPerBatch); }
            catch (EventBatchFormatException e)
            {
                return e.TooLarge ? Problems.Create(StatusCodes.Status413PayloadTooLarge, "batch too large", e.Message) : Problems.BadRequest(e.Message);
            }
            finally { Requests.Release(body); }
            if (batch.Count == 0) return Problems.BadRequest("the batch holds no events");
            var result = BatchResultDto.From(await service.IngestAsync(batch, ct));
            // Every event refused: the request as a whole was bad input.
            if (result.Stored == 0 && result.Duplicates == 0)
                return Problems.Create(StatusCodes.Status422UnprocessableEntity, "no event accepted",
                    $"all {result.Rejected} events were rejected; the first: event {result.Events[0].Index}: {result.Events[0].Field}: {result.Events[0].Reason}",
                    new Dictionary<string, object?> { ["events"] = result.Events });
            return ApiJson.Ok(result);
        })
        .Query().WithSummary("Send a batch of events (a JSON array, or {\"events\": [...]}); each is stored, a duplicate, or rejected with the reason. Answered once the batch is durable.")
        .JsonBody().Produces<BatchResultDto>().ProducesProblem(400).ProducesProblem(413).ProducesProblem(415).ProducesProblem(422);

        var read = v1.MapGroup("").AddEndpointFilter(new RequireRole(ApiRole.Read));
        var members = read.MapGroup("/members/{id}").WithTags("recommendations");
        members.MapGet("/homepage", async (string id, HttpRequest r, EncoreHost host) =>
        {
            var service = host.Require();
            bool explain = Requests.Bool(r, "explain");
            var page = await service.HomepageAsync(Requests.Id(id, "member"), Requests.Device(r), Requests.IntOrNull(r, "rows", 1, 100),
                Requests.IntOrNull(r, "titlesPerRow", 1, 500), Requests.String(r, "maturity", 20), explain, r.HttpContext.RequestAborted);
            // A page the service kept for the member is written once: its JSON is kept with it.
            var json = SerializedPages.GetValue(page, p => JsonSerializer.SerializeToUtf8Bytes(HomepageDto.From(p, service.ActiveVersion?.Version, service.FindTitle), ApiJson.Options));
            return Results.Bytes(json, "application/json; charset=utf-8");
        }).Query("device", "rows", "titlesPerRow", "maturity", "explain").WithSummary("The member's whole homepage for a device: every row, its evidence and its titles (explain=true adds each title's score parts).")
          .Produces<HomepageDto>().ProducesProblem(404).ProducesProblem(503);

        members.MapGet("/rows/{kind}", async (string id, string kind, HttpRequest r, EncoreHost host) =>
        {
            var rowKind = ParseRowKind(kind);
            var service = host.Require();
            var rows = await service.RowsAsync(Requests.Id(id, "member"), rowKind, Requests.Device(r), Requests.String(r, "genre", 100),
                Requests.IntOrNull(r, "titles", 1, 500), Requests.String(r, "maturity", 20), r.HttpContext.RequestAborted);
            return ApiJson.Ok(rows.Select(r => PageRowDto.From(r, service.FindTitle)).ToList());
        }).Query("device", "genre", "titles", "maturity").WithSummary("The rows of one kind on the member's page (continue_watching, top_picks, trending, popular, because_you_watched, genre, new, watch_again).")
          .Produces<List<PageRowDto>>();

        members.MapGet("/continue-watching", async (string id, HttpRequest r, EncoreHost host) =>
            ApiJson.Ok((await host.Require().RowsAsync(Requests.Id(id, "member"), RowKind.ContinueWatching, Requests.Device(r), ct: r.HttpContext.RequestAborted))
                .Select(row => PageRowDto.From(row, host.Require().FindTitle)).FirstOrDefault()
                ?? new PageRowDto(RowKind.ContinueWatching, "continue-watching", "Continue Watching", "Nothing in progress", [])))
            .Query("device").WithSummary("Titles and episodes in progress, ordered by the learned chance that the member resumes.").Produces<PageRowDto>();

        members.MapGet("/recommendations", async (string id, HttpRequest r, EncoreHost host) =>
        {
            var exclude = Requests.String(r, "exclude", 64 * 1024)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var device = r.Query.ContainsKey("device") ? Requests.Device(r) : (DeviceKind?)null;
            return ApiJson.Ok(TitleListDto.From(await host.Require().TopNAsync(Requests.Id(id, "member"), Requests.Int(r, "n", 20, 1, 500),
                Requests.String(r, "genre", 100), exclude, device, Requests.String(r, "maturity", 20), r.HttpContext.RequestAborted)));
        }).Query("n", "genre", "exclude", "device", "maturity").WithSummary("The member's top titles across the catalogue, with filters: genre, exclude (comma-separated ids), device context, maturity.")
          .Produces<TitleListDto>();

        members.MapGet("/explain/{titleId}", async (string id, string titleId, HttpRequest r, EncoreHost host) =>
        {
            var e = await host.Require().ExplainAsync(Requests.Id(id, "member"), Requests.Id(titleId, "title"), Requests.Device(r), r.HttpContext.RequestAborted);
            var entry = e.Entry is null ? null : PageRowDto.From(e.Row! with { Titles = [e.Entry] }).Titles[0];
            return ApiJson.Ok(new ExplanationDto(e.MemberId, e.TitleId, e.Row is not null, e.Row?.Key, e.Row?.Label, e.Row is null ? null : e.Position, entry, e.Reasons));
        }).Query("device").WithSummary("Why a title is on the member's page (its row, place and score parts), or why it is not.").Produces<ExplanationDto>();

        members.MapGet("/timeline", async (string id, HttpRequest r, EncoreHost host, CancellationToken ct) =>
        {
            var t = await host.Require().TimelineAsync(Requests.Id(id, "member"), Requests.Int(r, "events", 200, 1, 10_000), ct);
            return ApiJson.Ok(new TimelineDto(t.MemberId, t.Sessions, t.Events, [.. t.Signals.Select(s => new SignalDto(s.TitleId, s.Name,
                s.Weight.Evidence.ToString().ToLowerInvariant(), s.Weight.Weight, s.Rule, s.Signals.Played, s.Signals.Completed, s.Signals.WatchShare,
                s.Signals.Sessions, float.IsNaN(s.Signals.Rating) ? null : s.Signals.Rating, s.Terms.ToDictionary(x => x.Feature, x => (double)x.Contribution)))]));
        }).Query("events").WithSummary("The member's latest events, their sessions, and how each title's events became signals and a weight.").Produces<TimelineDto>();

        read.MapGet("/titles/{id}/similar", (string id, HttpRequest r, EncoreHost host) =>
            ApiJson.Ok(TitleListDto.From(host.Require().Similar(Requests.Id(id, "title"), Requests.Int(r, "n", 20, 1, 500)))))
            .WithTags("recommendations").Query("n").WithSummary("Titles similar to a title (the similar-titles model; not personalized).").Produces<TitleListDto>();

        read.MapGet("/trending", (HttpRequest r, EncoreHost host) =>
        {
            var service = host.Require();
            var window = Requests.String(r, "window", 10) switch
            {
                null or "day" => TrendWindow.Day,
                "hour" => TrendWindow.Hour,
                "week" => TrendWindow.Week,
                var other => throw ServiceException.BadRequest($"window must be hour, day or week (got {UnicodeText.Quote(other)})"),
            };
            var titles = service.Trending(window, Requests.Int(r, "n", 20, 1, 500));
            return ApiJson.Ok(new TrendingDto(window.ToString().ToLowerInvariant(), service.Now, [.. titles.Select(t => new TrendingTitleDto(t.TitleId, t.Name, t.Strength, t.Plays))]));
        }).WithTags("recommendations").Query("window", "n").WithSummary("Titles rising now over the last hour, day or week.").Produces<TrendingDto>();

        read.MapGet("/search", async (HttpRequest r, EncoreHost host) =>
        {
            var q = Requests.String(r, "q", 512) ?? throw ServiceException.BadRequest("q is required: the words to search for");
            var member = Requests.String(r, "member", 128) ?? throw ServiceException.BadRequest("member is required: the member the results are ranked for");
            var result = await host.Require().SearchAsync(q, member, Requests.Int(r, "n", 20, 1, 1000), Requests.String(r, "maturity", 20), r.HttpContext.RequestAborted);
            return ApiJson.Ok(new SearchDto(q, member, result.Tokens, result.Matched, result.FilteredOut,
                [.. result.Hits.Select(h => new SearchHitDto(h.TitleId, h.Name, h.Score, h.Text, h.Member, [.. h.Matches.Select(m => $"{m.Field.ToString().ToLowerInvariant()}: {m.How}")]))]));
        }).WithTags("recommendations").Query("q", "member", "n", "maturity").WithSummary("Search ranked for the member: names, cast, directors and genres (typos folded) with the member's own score.")
          .Produces<SearchDto>();

        read.MapGet("/stats/overview", async (HttpRequest r, EncoreHost host, CancellationToken ct) =>
            ApiJson.Ok(await host.Require().OverviewAsync(Requests.Int(r, "hours", 48, 1, 336), ct)))
            .WithTags("analytics").Query("hours").WithSummary("Counts, events per hour by kind and device, take-rate per row kind from impressions, trending titles per hour.")
            .Produces<ServiceOverview>();
        read.MapGet("/titles/{id}/audience", async (string id, HttpRequest r, EncoreHost host, CancellationToken ct) =>
            ApiJson.Ok(await host.Require().AudienceAsync(Requests.Id(id, "title"), Requests.Int(r, "days", 28, 1, 365), ct)))
            .WithTags("analytics").Query("days").WithSummary("Who watches a title: viewers and finishers, by device and by taste, and its plays per day.")
            .Produces<TitleAudience>().ProducesProblem(404);

        var catalogueRead = read.MapGroup("").WithTags("catalogue");
        catalogueRead.MapGet("/titles", (HttpRequest r, EncoreHost host) =>
        {
            int offset = Requests.Int(r, "offset", 0, 0, int.MaxValue), limit = Requests.Int(r, "limit", 100, 1, 1000);
            var page = host.Require().ListTitles(offset, limit, Requests.String(r, "prefix", 128));
            return ApiJson.Ok(new PagedDto<Title>(page.Items, page.Offset, limit, page.Total));
        }).Query("offset", "limit", "prefix").WithSummary("Titles, paged (offset, limit), optionally those whose id starts with prefix.").Produces<PagedDto<JsonElement>>();
        catalogueRead.MapGet("/titles/{id}", async (string id, EncoreHost host, CancellationToken ct) =>
            await host.Require().GetTitleAsync(Requests.Id(id, "title"), ct) is { } title ? ApiJson.Ok(title) : Problems.NotFound($"no title {UnicodeText.Quote(id)}"))
            .Query().WithSummary("One title, with its seasons and episodes.").Produces<JsonElement>().ProducesProblem(404);
        catalogueRead.MapGet("/members", async (HttpRequest r, EncoreHost host, CancellationToken ct) =>
        {
            int offset = Requests.Int(r, "offset", 0, 0, int.MaxValue), limit = Requests.Int(r, "limit", 100, 1, 1000);
            var page = await host.Require().ListMembersAsync(offset, limit, ct, Requests.String(r, "prefix", 128));
            return ApiJson.Ok(new PagedDto<Member>(page.Items, page.Offset, limit, page.Total));
        }).Query("offset", "limit", "prefix").WithSummary("Members, paged (offset, limit), optionally those whose id starts with prefix.").Produces<PagedDto<JsonElement>>();
        catalogueRead.MapGet("/members/{id}", async (string id, EncoreHost host, CancellationToken ct) =>
            await host.Require().GetMemberAsync(Requests.Id(id, "member"), ct) is { } member ? ApiJson.Ok(member) : Problems.NotFound($"no member {UnicodeText.Quote(id)}"))
            .Query().WithSummary("One member profile.").Produces<JsonElement>().ProducesProblem(404);

        var admin = v1.MapGroup("").AddEndpointFilter(new RequireRole(ApiRole.Admin));
        var catalogue = admin.MapGroup("").WithTags("catalogue");
        catalogue.MapPost("/titles", async (HttpContext http, EncoreHost host, CancellationToken ct) =>
        {
            var (titles, problem) = await ReadMany(http, settings, json => TitleJson.ParseTitle(json), ct);
            if (problem is not null) return problem;
            await host.Require().UpsertTitlesAsync(titles!, ct);
            return titles!.Count == 1 ? Results.Json(titles[0], ApiJson.Options, statusCode: StatusCodes.Status201Created)
                : Results.Json(new { upserted = titles.Count }, ApiJson.Options, statusCode: StatusCodes.Status201Created);
        }).WithSummary("Add or replace titles: one title object, or an array of them (with seasons and episodes, availability window).")
          .JsonBody().Produces<JsonElement>(201).ProducesProblem(400);
        catalogue.MapPut("/titles/{id}", async (string id, HttpContext http, EncoreHost host, CancellationToken ct) =>
        {
            Requests.Id(id, "title");
            var (body, length, problem) = await Requests.ReadJsonAsync(http.Request, settings.MaxBodyBytes, ct);
            if (problem is not null) return problem;
            Title title;
            try { title = TitleJson.ParseTitle(WithId(body.AsSpan(0, length), id)); }
            catch (FormatException e) { return Problems.BadRequest($"title: {e.Message}"); }
            finally { Requests.Release(body); }
            if (title.Id != id) return Problems.BadRequest($"id: the body says {UnicodeText.Quote(title.Id)} but the address names {UnicodeText.Quote(id)}");
            await host.Require().UpsertTitlesAsync([title], ct);
            return ApiJson.Ok(title);
        }).WithSummary("Add or replace one title by id.").JsonBody().Produces<JsonElement>().ProducesProblem(400);
        catalogue.MapDelete("/titles/{id}", async (string id, EncoreHost host, CancellationToken ct) =>
            await host.Require().RemoveTitleAsync(Requests.Id(id, "title"), ct) ? Results.NoContent() : Problems.NotFound($"no title {UnicodeText.Quote(id)}"))
            .WithSummary("Remove a title from the catalogue (never offered again; its events stay in the log).").Produces(204).ProducesProblem(404);
        catalogue.MapPut("/members/{id}", async (string id, HttpContext http, EncoreHost host, CancellationToken ct) =>
        {
            Requests.Id(id, "member");
            var (body, length, problem) = await Requests.ReadJsonAsync(http.Request, settings.MaxBodyBytes, ct);
            if (problem is not null) return problem;
            Member member;
            try { member = MemberJson.ParseMember(body.AsSpan(0, length), id); }
            catch (FormatException e) { return Problems.BadRequest($"member: {e.Message}"); }
            finally { Requests.Release(body); }
            await host.Require().UpsertMembersAsync([member], ct);
            return ApiJson.Ok(member);
        }).WithSummary("Add or replace a member profile (country, maturity limit, attributes).").JsonBody().Produces<JsonElement>();
        catalogue.MapPost("/members", async (HttpContext http, EncoreHost host, CancellationToken ct) =>
        {
            var (list, problem) = await ReadMany(http, settings, json => MemberJson.ParseMember(json), ct);
            if (problem is not null) return problem;
            await host.Require().UpsertMembersAsync(list!, ct);
            return list!.Count == 1 ? Results.Json(list[0], ApiJson.Options, statusCode: StatusCodes.Status201Created)
                : Results.Json(new { upserted = list.Count }, ApiJson.Options, statusCode: StatusCodes.Status201Created);
        }).WithSummary("Add or replace members: one member object, or an array of them.").JsonBody().Produces<JsonElement>(201);
        catalogue.MapDelete("/members/{id}", async (string id, EncoreHost host, CancellationToken ct) =>
            await host.Require().RemoveMemberAsync(Requests.Id(id, "member"), ct) ? Results.NoContent() : Problems.NotFound($"no member {UnicodeText.Quote(id)}"))
            .WithSummary("Remove a member: no more pages, new events refused; past events stay in the log.").Produces(204).ProducesProblem(404);

        var analytics = admin.MapGroup("/analytics").WithTags("analytics");
        analytics.MapGet("/search-demand", async (HttpRequest r, EncoreHost host, CancellationToken ct) =>
        {
            var report = await host.Require().SearchDemandAsync(Requests.Time(r, "from"), Requests.Time(r, "to"), Requests.Int(r, "minMembers", 2, 1, 1_000_000), ct);
            int top = Requests.Int(r, "n", 50, 1, 10_000);
            return ApiJson.Ok(report with { Groups = [.. report.Groups.Take(top)] });
        }).Query("from", "to", "minMembers", "n")
          .WithSummary("What members search for and cannot find or do not play: queries grouped (typos folded), what they are after (absent, a title, a person, a genre), ranked by unmet demand.")
          .Produces<Encore.Analytics.Search.SearchDemandReport>();

        analytics.MapPost("/audience", async (HttpContext http, EncoreHost host, CancellationToken ct) =>
        {
            var service = host.Require();
            var (request, problem) = await ReadBody<ProposedTitleDto>(http, "a proposed title", ct);
            if (problem is not null) return problem;
            var kind = request!.Format switch
            {
                null => TitleKind.Film,
                var f when f.Equals("film", StringComparison.OrdinalIgnoreCase) => TitleKind.Film,
                var f when f.Equals("series", StringComparison.OrdinalIgnoreCase) => TitleKind.Series,
                var f => throw ServiceException.BadRequest($"format {UnicodeText.Quote(f)} is not film or series"),
            };
            if (request.RuntimeMinutes is < 0 or > 6000) throw ServiceException.BadRequest($"runtime_minutes must be in 0..6000 (got {request.RuntimeMinutes})");
            if (request.Year is < 1850 or > 2200) throw ServiceException.BadRequest($"year must be in 1850..2200 (got {request.Year})");
            var prediction = await service.PredictAudienceAsync(new Encore.Analytics.Audience.ProposedTitle
            {
                Metadata = new Title
                {
                    Id = "proposed", Name = request.Name ?? "untitled", Kind = kind, Genres = request.Genres ?? [], Cast = request.Cast ?? [], Directors = request.Directors ?? [],
                    Language = request.Language, MaturityRating = request.Maturity, RuntimeSeconds = (request.RuntimeMinutes ?? 0) * 60,
                    ReleaseDate = request.Year is { } y ? new DateOnly(y, 1, 1) : null,
                },
                Resembles = request.Like ?? [],
                Original = request.Original,
            }, ct);
            return ApiJson.Ok(prediction);
        }).WithSummary("The predicted audience of a title not yet made ({\"name\": ..., \"genres\": [...], \"cast\": [...], \"directors\": [...], \"like\": [title ids], \"original\": title id}): starts and finishes with a range, the likeliest members, segments, and the existing audiences it draws on with their overlaps. Needs an active iALS model.")
          .JsonBody().Produces<Encore.Analytics.Audience.AudiencePrediction>().ProducesProblem(400).ProducesProblem(503);
        analytics.MapPost("/targeting", async (HttpContext http, EncoreHost host, CancellationToken ct) =>
        {
            var service = host.Require();
            var (request, problem) = await ReadBody<TargetingRequestDto>(http, "a targeting request", ct);
            if (problem is not null) return problem;
            var a = request!.Attributes;
            Title? attributes = a is null ? null : new Title
            {
                Id = "attributes", Name = "attributes", Genres = a.Genres ?? [], Cast = a.Cast ?? [], Directors = a.Directors ?? [], Language = a.Language, MaturityRating = a.Maturity,
            };
            bool hasAttributes = attributes is not null && (attributes.Genres.Count + attributes.Cast.Count + attributes.Directors.Count > 0 || attributes.Language is not null || attributes.MaturityRating is not null);
            int given = (request.Title is null ? 0 : 1) + (request.Genre is null ? 0 : 1) + (hasAttributes ? 1 : 0);
            if (given != 1) throw ServiceException.BadRequest("name one target: title, genre, or attributes (genres, cast, directors, language, maturity)");
            var report = await service.TargetAsync(new Encore.Analytics.Targeting.TargetSpec { TitleId = request.Title, Genre = request.Genre, Attributes = hasAttributes ? attributes : null },
                request.HeldOutDays ?? 14, request.N ?? 20, ct);
            return ApiJson.Ok(report);
        }).WithSummary("The members most likely to respond to a title, a genre or attributes, ranked, with the response rate per decile measured on a held-out last period ({\"genre\": \"Drama\", \"held_out_days\": 14, \"n\": 20}). Needs an active iALS model; the check trains a second model, so it takes a while.")
          .JsonBody().Produces<Encore.Analytics.Targeting.TargetingReport>().ProducesProblem(400).ProducesProblem(404).ProducesProblem(503);
        analytics.MapPost("/campaigns/estimate", async (HttpContext http, EncoreHost host, CancellationToken ct) =>
        {
            var service = host.Require();
            var (request, problem) = await ReadBody<CampaignRequestDto>(http, "a campaign", ct);
            if (problem is not null) return problem;
            if (request!.Titles is { Count: > 10_000 }) return Problems.BadRequest($"titles may name at most 10000 titles (got {request.Titles.Count})");
            var estimate = await service.EstimateCampaignAsync(new Encore.Analytics.OffPolicy.CampaignRequest
            {
                Titles = request.Titles, Genre = request.Genre, Share = request.Share ?? 0.2,
                Rows = request.Rows is null ? null : new HashSet<string>(request.Rows, StringComparer.Ordinal),
                FromUtc = request.From, ToUtc = request.To, BootstrapSamples = request.Bootstrap ?? 500,
            }, ct);
            return ApiJson.Ok(estimate);
        }).WithSummary("A campaign's take-rate predicted before launch from the logged impressions and their propensities ({\"genre\": \"Drama\", \"share\": 0.2} or {\"titles\": [...]}): IPS, self-normalized IPS, direct method, doubly robust, switch-DR, DR with shrinkage and two whole-row estimators, with bootstrap intervals, the effective sample size and support warnings.")
          .JsonBody().Produces<Encore.Analytics.OffPolicy.CampaignEstimate>();
        analytics.MapGet("/experiments/{name}", async (string name, HttpRequest r, EncoreHost host, CancellationToken ct) =>
        {
            var service = host.Require();
            var start = Requests.Time(r, "start") ?? throw ServiceException.BadRequest("start is required: the experiment's first day (UTC, e.g. 2025-01-13)");
            IReadOnlyList<Encore.Analytics.Experiments.Variant> variants;
            try { variants = Encore.Analytics.Experiments.Variant.Parse(Requests.String(r, "variants") ?? "control,treatment", Requests.String(r, "weights")); }
            catch (ArgumentException e) { throw ServiceException.BadRequest(e.Message, e); }
            double holdout = 0;
            if (Requests.String(r, "holdout") is { } h && !(double.TryParse(h, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out holdout) && holdout is >= 0 and < 1))
                throw ServiceException.BadRequest($"holdout: {UnicodeText.Quote(h)} is not a share in [0, 1)");
            var report = await service.ExperimentAsync(Requests.Id(name, "experiment"), start, Requests.Int(r, "days", 14, 1, 3650),
                variants, holdout, Requests.Int(r, "preDays", 7, 0, 365), ct);
            return ApiJson.Ok(report);
        }).Query("start", "days", "variants", "weights", "holdout", "preDays")
          .WithSummary("An A/B experiment read from the log: hash assignment by its name, the sample-ratio check, take-rate, hours, completion and retention per variant with intervals and tests, CUPED, and the always-valid sequential tests after each day's look.")
          .Produces<Encore.Analytics.Experiments.ExperimentReport>().ProducesProblem(400);

        var models = admin.MapGroup("/models").WithTags("models");
        models.MapGet("", (EncoreHost host) =>
        {
            var service = host.Require();
            var active = service.ActiveVersion?.Version;
            return ApiJson.Ok(service.Registry.Versions.Reverse().Select(v => ModelDto.From(v, active)).ToList());
        }).WithSummary("Every model version, newest first, with its offline metrics and which is active.").Produces<List<ModelDto>>();
        models.MapPost("/{version}/activate", async (string version, EncoreHost host, CancellationToken ct) =>
        {
            var service = host.Require();
            await service.ActivateAsync(Requests.Id(version, "model version"), ct);
            return ApiJson.Ok(ModelDto.From(service.ActiveVersion!, service.ActiveVersion!.Version));
        }).WithSummary("Make a version the active model: an atomic swap, pages keep being served.").Produces<ModelDto>().ProducesProblem(404);
        models.MapDelete("/{version}", async (string version, EncoreHost host, CancellationToken ct) =>
        {
            await host.Require().DeleteModelAsync(Requests.Id(version, "model version"), ct);
            return Results.NoContent();
        }).WithSummary("Delete a model version that is not the active one (409 for the active one): its model's space is freed and its name is never given again.")
          .Produces(204).ProducesProblem(404).ProducesProblem(409);
        models.MapPost("/train", async (HttpContext http, EncoreHost host, CancellationToken ct) =>
        {
            var service = host.Require();
            TrainRequestDto? request = null;
            if (http.Request.ContentLength is not 0 && http.Request.ContentType is not null)
            {
                var (body, length, problem) = await Requests.ReadJsonAsync(http.Request, 64 * 1024, ct);
                if (problem is not null) return problem;
                try { request = JsonSerializer.Deserialize<TrainRequestDto>(body.AsSpan(0, length), ApiJson.Options); }
                catch (JsonException e) { return Problems.BadRequest($"the body is not a training request: {e.Message.Split(" Path:")[0]}"); }
                finally { Requests.Release(body); }
            }
            var job = await service.TrainAsync(new TrainingSpec
            {
                Model = request?.Model ?? service.Options.DefaultTraining.Model,
                Parameters = request?.Parameters ?? [],
                Activate = request?.Activate ?? true,
                BudgetSeconds = request?.Budget,
            }, ct);
            return Results.Json(JobDto.From(job), ApiJson.Options, statusCode: StatusCodes.Status202Accepted);
        }).WithSummary("Train a model in the background ({\"model\": \"ials\", \"parameters\": {...}, \"activate\": true}); answers the job to follow.")
          .JsonBody().Produces<JobDto>(202).ProducesProblem(400);
        models.MapGet("/jobs", async (EncoreHost host, CancellationToken ct) => ApiJson.Ok((await host.Require().JobsAsync(ct)).Select(JobDto.From).ToList()))
            .WithSummary("Every training job of this run (on a cluster, of the cluster's queue, whichever node is asked).").Produces<List<JobDto>>();
        models.MapGet("/jobs/{id}", async (string id, EncoreHost host, CancellationToken ct) => ApiJson.Ok(JobDto.From(await host.Require().JobAsync(Requests.Id(id, "job"), ct))))
            .WithSummary("One training job: its state, progress lines, and the version it made.").Produces<JobDto>().ProducesProblem(404);

        app.MapGet("/health/live", () => Results.Json(new { status = "live" })).WithTags("operations").WithSummary("The process answers.");
        app.MapGet("/health/ready", (EncoreHost host) => host.Service is { } s
                ? Results.Json(new { status = "ready", model = s.ActiveVersion?.Version })
                : Results.Json(new { status = host.Failure is null ? "loading" : "failed", detail = host.Status }, statusCode: StatusCodes.Status503ServiceUnavailable))
            .WithTags("operations").WithSummary("Ready once the store is read and the service answers (503 with the reason while loading).");
        app.MapGet("/metrics", (HttpMetrics metrics, EncoreHost host) => Results.Text(metrics.Render(host.Service), "text/plain; version=0.0.4; charset=utf-8"))
            .WithTags("operations").WithSummary("Prometheus metrics: requests and latency per route, events by kind and outcome, page build time, models.");
    }

    private static RowKind ParseRowKind(string text)
    {
        foreach (var kind in Enum.GetValues<RowKind>())
            if (string.Equals(JsonNamingPolicy.SnakeCaseLower.ConvertName(kind.ToString()), text, StringComparison.OrdinalIgnoreCase)
                || string.Equals(kind.ToString(), text, StringComparison.OrdinalIgnoreCase))
                return kind;
        throw ServiceException.BadRequest($"no row kind {UnicodeText.Quote(text)}; kinds: {string.Join(", ", Enum.GetValues<RowKind>().Select(k => JsonNamingPolicy.SnakeCaseLower.ConvertName(k.ToString())))}");
    }

    /// <summary>The body of a PUT with the address's id where the body has none.</summary>
    private static byte[] WithId(ReadOnlySpan<byte> json, string id)
    {
        using var document = ParseObject(json);
        if (document.RootElement.TryGetProperty("id", out _)) return json.ToArray();
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteString("id", id);
            foreach (var p in document.RootElement.EnumerateObject()) p.WriteTo(writer);
            writer.WriteEndObject();
        }
        return stream.ToArray();
    }

    private static JsonDocument ParseObject(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 16 });
            var document = JsonDocument.ParseValue(ref reader);
            if (document.RootElement.ValueKind != JsonValueKind.Object) { document.Dispose(); throw new FormatException("expected a JSON object ({...})"); }
            return document;
        }
        catch (JsonException e) { throw new FormatException($"invalid JSON at byte {e.BytePositionInLine + 1}: {e.Message.Split(" Path:")[0].Split(" LineNumber:")[0]}"); }
    }

    /// <summary>One object, or an array of them, each read by <paramref name="parse"/>; the first bad one is the problem (naming its position).</summary>
    private static async Task<(List<T>? Items, IResult? Problem)> ReadMany<T>(HttpContext http, ServerSettings settings, Func<byte[], T> parse, CancellationToken ct)
    {
        var (body, length, problem) = await Requests.ReadJsonAsync(http.Request, settings.MaxBodyBytes, ct);
        if (problem is not null) return (null, problem);
        try
        {
            JsonDocument document;
            try
            {
                var reader = new Utf8JsonReader(body.AsSpan(0, length), new JsonReaderOptions { MaxDepth = 16 });
                document = JsonDocument.ParseValue(ref reader);
                while (reader.Read()) { }
            }
            catch (JsonException e) { return (null, Problems.BadRequest($"invalid JSON at byte {e.BytePositionInLine + 1}: {e.Message.Split(" Path:")[0].Split(" LineNumber:")[0]}")); }
            using (document)
            {
                var root = document.RootElement;
                var elements = root.ValueKind == JsonValueKind.Array ? root.EnumerateArray().ToList() : [root];
                if (elements.Count == 0) return (null, Problems.BadRequest("the array is empty"));
                if (elements.Count > 10_000) return (null, Problems.Create(StatusCodes.Status413PayloadTooLarge, "too many items", $"{elements.Count:N0} items; at most 10,000 per request"));
                var items = new List<T>(elements.Count);
                for (int i = 0; i < elements.Count; i++)
                {
                    try { items.Add(parse(JsonSerializer.SerializeToUtf8Bytes(elements[i]))); }
                    catch (FormatException e) { return (null, Problems.BadRequest(elements.Count == 1 ? e.Message : $"item {i}: {e.Message}")); }
                }
                return (items, null);
            }
        }
        finally { Requests.Release(body); }
    }
}

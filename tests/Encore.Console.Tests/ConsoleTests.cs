using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace Encore.Console.Tests;

/// <summary>
/// The web console in Debian's chromium against a live server: keys from the URL fragment or the settings dialog, the
/// overview's charts, a member's homepage and the play that changes it, a title's page, the models. Each test saves
/// screenshots to TestResults/console-screenshots.
/// </summary>
public sealed class ConsoleTests(ConsoleFixture server) : IClassFixture<ConsoleFixture>
{
    private static void NoScriptErrors(ConsolePage page)
        => Assert.True(page.ScriptErrors.Count == 0, "the console threw: " + string.Join("\n", page.ScriptErrors));

    /// <summary>Keys travel in the X-API-Key header only: no address the page asked for holds one.</summary>
    private static void NoKeysInAddresses(ConsolePage page)
    {
        foreach (var key in new[] { ConsoleFixture.Keys.Read, ConsoleFixture.Keys.Ingest, ConsoleFixture.Keys.Admin })
            Assert.DoesNotContain(page.Requests, url => url.Contains(key, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_overview_opens_with_the_keys_from_the_fragment_and_draws_its_charts()
    {
        await using var console = await server.OpenAsync();
        var page = console.Page;
        await page.GotoAsync(server.UrlWithKeys());

        // The keys leave the address bar at once; the page is the overview.
        await Expect(page).ToHaveURLAsync(new Regex("#/overview$"));
        await Expect(console.TestId("count-members")).ToContainTextAsync(ConsoleFixture.Simulated.Members.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Expect(console.TestId("count-titles")).ToContainTextAsync(ConsoleFixture.Simulated.Titles.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Expect(console.TestId("active-model")).ToContainTextAsync(new Regex(@"v\d{4}"));
        await Expect(console.TestId("model-recall")).ToHaveTextAsync(new Regex(@"^0\.\d{4}$"));

        // Both per-hour charts have bars, with legends that name event kinds and devices.
        Assert.True(await page.Locator("[data-testid=chart-kinds] g.bar rect:not(.hit)").CountAsync() > 10);
        Assert.True(await page.Locator("[data-testid=chart-devices] g.bar rect:not(.hit)").CountAsync() > 10);
        await Expect(console.TestId("chart-kinds-legend")).ToContainTextAsync("play_start");
        await Expect(console.TestId("chart-devices-legend")).ToContainTextAsync("tv");
        // Rows' take-rates from impressions and the trending titles' lines.
        await Expect(console.TestId("row-kpi-table").Locator("tbody tr").First).ToBeVisibleAsync();
        await Expect(console.TestId("row-kpi-table")).ToContainTextAsync("%");
        Assert.True(await page.Locator("[data-testid=chart-trending] polyline").CountAsync() >= 1);
        await console.ScreenshotAsync("overview");

        // The keys were stored: a reload keeps working without them in the address.
        await page.ReloadAsync();
        await Expect(console.TestId("count-members")).ToBeVisibleAsync();
        NoKeysInAddresses(console);
        NoScriptErrors(console);
    }

    [Fact]
    public async Task Keys_entered_in_the_settings_dialog_are_used_and_a_wrong_key_shows_the_problem_detail()
    {
        await using var console = await server.OpenAsync();
        var page = console.Page;
        await page.GotoAsync(server.BaseUrl + "/");
        await Expect(console.TestId("need-keys")).ToBeVisibleAsync();

        // The admin key where the read key belongs: the API's problem detail is shown as it came.
        await console.TestId("open-settings").ClickAsync();
        await console.TestId("key-read").FillAsync(ConsoleFixture.Keys.Admin);
        await console.ScreenshotAsync("settings");
        await console.TestId("save-keys").ClickAsync();
        await Expect(console.TestId("overview-error")).ToContainTextAsync("403");
        await Expect(console.TestId("overview-error")).ToContainTextAsync("this endpoint needs the read key");
        await console.ScreenshotAsync("wrong-key");

        await console.TestId("open-settings").ClickAsync();
        await console.TestId("key-read").FillAsync(ConsoleFixture.Keys.Read);
        await console.TestId("save-keys").ClickAsync();
        await Expect(console.TestId("count-members")).ToContainTextAsync("80");
        await Expect(console.TestId("overview-error")).ToHaveCountAsync(0);
        NoKeysInAddresses(console);
        NoScriptErrors(console);
    }

    [Fact]
    public async Task A_member_page_shows_rows_and_a_play_sent_from_it_puts_the_title_in_continue_watching()
    {
        await using var console = await server.OpenAsync();
        var member = await server.MemberWithEventsAsync(20);
        var page = console.Page;
        await page.GotoAsync(server.UrlWithKeys("member"));

        // Pick a member in the box (suggested from the members' list) and a device.
        await Expect(console.TestId("member-count")).ToContainTextAsync("80 members");
        Assert.True(await page.Locator("#member-list option").CountAsync() == ConsoleFixture.Simulated.Members);
        await console.TestId("member-input").FillAsync(member);
        await console.TestId("member-device").SelectOptionAsync("tv");
        await console.TestId("member-show").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($@"#/member/{member}\?device=tv$"));

        // Rows of cards, each row with its evidence; cards carry the title's name and year.
        var rows = page.Locator("[data-testid=homepage] section.row");
        await Expect(rows.First).ToBeVisibleAsync();
        Assert.True(await rows.CountAsync() >= 3, $"{await rows.CountAsync()} rows");
        await Expect(rows.First.Locator("[data-testid=row-evidence]")).Not.ToBeEmptyAsync();
        await Expect(page.Locator("[data-testid=homepage] .card").First.Locator(".card-meta")).ToHaveTextAsync(new Regex(@"^\d{4} · (Film|Series)"));
        await Expect(console.TestId("timeline").Locator(".events li").First).ToBeVisibleAsync();
        await Expect(console.TestId("signals-table").Locator("tbody tr").First).ToBeVisibleAsync();
        await console.ScreenshotAsync("member-before");

        // A title on the page that is not in Continue Watching: select it and watch a part of it.
        var continuing = page.Locator("[data-testid='row-continue-watching'] .card");
        var inProgress = new HashSet<string>();
        foreach (var card in await continuing.AllAsync()) inProgress.Add((await card.GetAttributeAsync("data-title-id"))!);
        string? pick = null;
        foreach (var card in await page.Locator("[data-testid=homepage] section.row:not([data-kind=continue_watching]) .card").AllAsync())
        {
            var id = (await card.GetAttributeAsync("data-title-id"))!;
            if (inProgress.Contains(id)) continue;
            pick = id;
            await card.ClickAsync();
            break;
        }
        Assert.NotNull(pick);
        await Expect(console.TestId("action-bar")).ToBeVisibleAsync();
        await Expect(console.TestId("score-parts")).ToContainTextAsync("score");
        await console.TestId("play-partial").ClickAsync();

        // The page is built again: Continue Watching holds the title, marked new, and the changes say so.
        var played = page.Locator($"[data-testid='row-continue-watching'] .card[data-title-id='{pick}']");
        await Expect(played).ToBeVisibleAsync();
        await Expect(played.Locator("[data-testid=card-badge]")).ToHaveTextAsync("new");
        await Expect(console.TestId("changes")).ToContainTextAsync("Continue Watching");
        await Expect(console.TestId("notice").Filter(new() { HasTextString = "Sent" })).ToContainTextAsync("(2 stored)");
        await Expect(console.TestId("sent-event")).ToHaveCountAsync(2);
        await Expect(console.TestId("error")).ToHaveCountAsync(0);
        await played.ScrollIntoViewIfNeededAsync();
        await console.ScreenshotAsync("member-after-play");

        // On a phone the same member gets a page too.
        await console.TestId("member-device").SelectOptionAsync("phone");
        await Expect(page).ToHaveURLAsync(new Regex(@"device=phone$"));
        await Expect(page.Locator("[data-testid=homepage] section.row").First).ToBeVisibleAsync();
        NoKeysInAddresses(console);
        NoScriptErrors(console);
    }

    [Fact]
    public async Task A_title_page_shows_similar_titles_who_watches_it_and_its_trend()
    {
        await using var console = await server.OpenAsync();
        var page = console.Page;
        await page.GotoAsync(server.UrlWithKeys("title"));
        // Without a title: the box, and the titles trending this week to pick from.
        var suggestion = page.Locator("[data-testid=title-suggestions] .card").First;
        await Expect(suggestion).ToBeVisibleAsync();
        await suggestion.ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex(@"#/title/t\d+$"));

        await Expect(console.TestId("title-name")).Not.ToBeEmptyAsync();
        await Expect(console.TestId("similar-cards").Locator(".card").First).ToBeVisibleAsync();
        await Expect(console.TestId("audience-viewers")).ToContainTextAsync(new Regex(@"\d"));
        await Expect(console.TestId("audience-devices").Locator("li").First).ToBeVisibleAsync();
        await Expect(console.TestId("audience-tastes").Locator("li").First).ToBeVisibleAsync();
        Assert.True(await page.Locator("[data-testid=chart-plays] g.bar").CountAsync() == 28);
        await Expect(console.TestId("trend-ranks").Locator("tbody tr")).ToHaveCountAsync(3);
        await console.ScreenshotAsync("title");

        // A similar title opens its own page.
        var next = console.TestId("similar-cards").Locator(".card").First;
        var nextId = await next.GetAttributeAsync("data-title-id");
        await next.ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"#/title/{nextId}$"));
        await Expect(console.TestId("similar-cards").Locator(".card").First).ToBeVisibleAsync();

        // An unknown title: the API's 404 detail.
        await page.GotoAsync(server.BaseUrl + "/#/title/no-such-title");
        await Expect(console.TestId("title-error")).ToContainTextAsync("no title 'no-such-title'");
        NoScriptErrors(console);
    }

    [Fact]
    public async Task The_models_page_lists_versions_trains_one_and_activates_another()
    {
        await using var console = await server.OpenAsync();
        var page = console.Page;
        await page.GotoAsync(server.UrlWithKeys("models"));
        var versions = console.TestId("versions-table").Locator("tbody tr");
        await Expect(versions.First).ToBeVisibleAsync();
        await Expect(console.TestId("versions-table").Locator("[data-testid=active-badge]")).ToHaveCountAsync(1);
        var before = await versions.CountAsync();
        var active = (await console.TestId("versions-table").Locator("tr:has([data-testid=active-badge])").GetAttributeAsync("data-testid"))!["version-".Length..];

        // Train a popularity model without activating it; the job is followed to its end.
        await console.TestId("train-model").SelectOptionAsync("popularity");
        await console.TestId("train-activate").UncheckAsync();
        await console.TestId("train-submit").ClickAsync();
        await Expect(console.TestId("job-state")).ToHaveTextAsync("succeeded", new() { Timeout = 30_000 });
        await Expect(versions).ToHaveCountAsync(before + 1);
        var newest = (await versions.First.GetAttributeAsync("data-testid"))!["version-".Length..];
        await Expect(console.TestId($"version-{active}").Locator("[data-testid=active-badge]")).ToBeVisibleAsync();
        await console.ScreenshotAsync("models-trained");

        // Activate it: the swap is shown at once.
        await console.TestId($"activate-{newest}").ClickAsync();
        await Expect(console.TestId($"version-{newest}").Locator("[data-testid=active-badge]")).ToBeVisibleAsync();
        await Expect(console.TestId("notice").Filter(new() { HasTextString = "is now the active model" })).ToContainTextAsync($"{newest} (popularity) is now the active model");
        await console.ScreenshotAsync("models-activated");
        // And back, so the other tests meet the model the service started with.
        await console.TestId($"activate-{active}").ClickAsync();
        await Expect(console.TestId($"version-{active}").Locator("[data-testid=active-badge]")).ToBeVisibleAsync();

        // Without the admin key the page says what it needs.
        await page.EvaluateAsync("() => { const k = JSON.parse(localStorage.getItem('encore.keys')); k.admin = ''; localStorage.setItem('encore.keys', JSON.stringify(k)); }");
        await page.ReloadAsync();
        await Expect(console.TestId("models-need-admin")).ToBeVisibleAsync();
        NoKeysInAddresses(console);
        NoScriptErrors(console);
    }

    [Fact]
    public async Task The_analytics_page_shows_search_demand_predicts_an_audience_estimates_a_campaign_and_reads_an_experiment()
    {
        await using var console = await server.OpenAsync();
        var page = console.Page;
        await page.GotoAsync(server.UrlWithKeys("analytics"));
        await Expect(console.TestId("search-demand-summary")).ToContainTextAsync(new Regex(@"[\d,]+ searches, [\d,]+ unmet"));
        var rows = console.TestId("search-demand-table").Locator("tbody tr");
        await Expect(rows.First).ToBeVisibleAsync();
        Assert.True(await console.TestId("search-demand-chart").Locator("li").CountAsync() >= 1);
        // Ranked by demand: the first row's demand is the largest.
        var demands = await rows.Locator("td:last-child").AllInnerTextsAsync();
        var values = demands.Select(d => double.Parse(d, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(values.Max(), values[0]);
        await console.ScreenshotAsync("analytics");

        // The audience of a proposed drama, by segment.
        await console.TestId("audience-genres").FillAsync("Drama");
        await console.TestId("audience-submit").ClickAsync();
        await Expect(console.TestId("audience-summary")).ToContainTextAsync(new Regex(@"expected to start it"), new() { Timeout = 60_000 });
        Assert.True(await console.TestId("audience-segments-device").Locator("li").CountAsync() >= 1);
        await console.TestId("audience-genres").FillAsync("Polka");
        await console.TestId("audience-submit").ClickAsync();
        await Expect(console.TestId("audience-error")).ToContainTextAsync("unknown genre 'Polka'");

        // A campaign estimated before launch: every estimator beside the logged policy.
        await console.TestId("campaign-genre").FillAsync("Drama");
        await console.TestId("campaign-submit").ClickAsync();
        await Expect(console.TestId("campaign-summary")).ToContainTextAsync(new Regex(@"[\d,]+ titles in 20% of the slots; [\d,]+ impressions"), new() { Timeout = 60_000 });
        Assert.True(await console.TestId("campaign-chart").Locator("li").CountAsync() >= 7);
        await Expect(console.TestId("campaign-chart")).ToContainTextAsync("Doubly robust");
        // A genre the catalogue lacks is the server's problem detail.
        await console.TestId("campaign-genre").FillAsync("Polka");
        await console.TestId("campaign-submit").ClickAsync();
        await Expect(console.TestId("campaign-error")).ToContainTextAsync("no title of the catalogue has that genre");

        // An experiment read from the log, with its daily looks drawn.
        var start = ConsoleFixture.Simulated.StartUtc.AddDays(7).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        await console.TestId("experiment-start").FillAsync(start);
        await console.TestId("experiment-days").FillAsync("7");
        await console.TestId("experiment-submit").ClickAsync();
        await Expect(console.TestId("experiment-table").Locator("tbody tr")).ToHaveCountAsync(2, new() { Timeout = 60_000 });
        await Expect(console.TestId("experiment-srm")).ToContainTextAsync("Sample ratio");
        Assert.Equal(2, await page.Locator("[data-testid=experiment-chart] polyline").CountAsync());
        await console.ScreenshotAsync("analytics-campaign-experiment");
        NoKeysInAddresses(console);
        NoScriptErrors(console);
    }
}

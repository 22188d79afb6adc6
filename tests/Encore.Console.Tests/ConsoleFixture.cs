using Encore.Server;
using Encore.Simulation;
using Encore.Storage;
using Encore.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Xunit;

namespace Encore.Console.Tests;

/// <summary>
/// The server on a real port (Kestrel on 127.0.0.1, a port of its own) over a real SQLite file holding a small simulated
/// service (80 members, 60 titles, 21 days; the service trains its first model at start), and Debian's chromium, headless,
/// driven by Playwright. Where /usr/bin/chromium is missing, nothing starts and every test reports itself skipped.
/// </summary>
public sealed class ConsoleFixture : IAsyncLifetime
{
    /// <summary>Debian's chromium (ENCORE_CHROMIUM names another executable).</summary>
    public static readonly string Chromium = Environment.GetEnvironmentVariable("ENCORE_CHROMIUM") is { Length: > 0 } other ? other : "/usr/bin/chromium";
    public static readonly ApiKeySet Keys = new("console-test-ingest-0000001", "console-test-read-00000002", "console-test-admin-0000003");
    public static readonly SimulationOptions Simulated = new() { Members = 80, Titles = 60, Days = 21 };

    private readonly TempFolder _temp = new();
    private WebApplication? _app;
    private IPlaywright? _playwright;

    /// <summary>Why the browser tests cannot run here, or null.</summary>
    public string? SkipReason { get; private set; }

    /// <summary>The console's address, e.g. http://127.0.0.1:43121.</summary>
    public string BaseUrl { get; private set; } = "";

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>The console's address with the keys in the fragment (never in the query), going to <paramref name="route"/>.</summary>
    public string UrlWithKeys(string route = "overview")
        => $"{BaseUrl}/#read={Uri.EscapeDataString(Keys.Read)}&ingest={Uri.EscapeDataString(Keys.Ingest)}&admin={Uri.EscapeDataString(Keys.Admin)}&go={Uri.EscapeDataString(route)}";

    /// <summary>Screenshots go to TestResults/console-screenshots under the repository root (the test output folder where there is none).</summary>
    public static string ScreenshotFolder { get; } = FindScreenshotFolder();

    private static string FindScreenshotFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Encore.slnx")))
                return Path.Combine(dir.FullName, "TestResults", "console-screenshots");
        return Path.Combine(AppContext.BaseDirectory, "console-screenshots");
    }

    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(Chromium))
        {
            SkipReason = $"chromium is not installed ({Chromium} is missing; apt-get install -y chromium): the console's browser tests cannot run";
            return;
        }
        var database = _temp.File("console.db");
        await using (var store = await SqliteEventStore.OpenAsync(database))
            await SimulatedDatabase.EnsureAsync(store, Simulated);

        var builder = EncoreServer.CreateBuilder([], new ServerSettings { Database = database, Clock = Encore.Service.ServiceClock.LatestEvent }, Keys);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = EncoreServer.Build(builder);
        await _app.StartAsync();
        var addresses = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        BaseUrl = addresses.First().TrimEnd('/');
        await _app.Services.GetRequiredService<EncoreHost>().ReadyAsync.WaitAsync(TimeSpan.FromMinutes(2));

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        Directory.CreateDirectory(ScreenshotFolder);
    }

    /// <summary>A member of the simulated service with at least <paramref name="events"/> events (asked of the API).</summary>
    public async Task<string> MemberWithEventsAsync(int events)
    {
        using var http = new HttpClient { BaseAddress = new Uri(BaseUrl) };
        http.DefaultRequestHeaders.Add("X-API-Key", Keys.Read);
        for (int i = 1; i <= Simulated.Members; i++)
        {
            var id = $"m{i:D7}";
            using var timeline = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync($"/v1/members/{id}/timeline?events={events}"));
            if (timeline.RootElement.GetProperty("events").GetArrayLength() >= events) return id;
        }
        throw new InvalidOperationException($"no member has {events} events");
    }

    /// <summary>A fresh browser context (its own localStorage) and page, 1366x900, that fails on uncaught script errors.</summary>
    public async Task<ConsolePage> OpenAsync()
    {
        if (SkipReason is not null) Assert.Skip(SkipReason);
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1366, Height = 900 } });
        context.SetDefaultTimeout(15_000);
        Assertions.SetDefaultExpectTimeout(15_000);
        var page = await context.NewPageAsync();
        return new ConsolePage(context, page);
    }

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null) await Browser.CloseAsync();
        _playwright?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            // The host disposes EncoreHost twice (as itself and as the hosted service it is registered as), and the second
            // time EncoreService's DisposeAsync throws; everything is closed by then.
            try { await _app.DisposeAsync(); }
            catch (ObjectDisposedException) { }
        }
        _temp.Dispose();
    }
}

/// <summary>A page of the console under test: what the scripts threw and which addresses were asked for are kept.</summary>
public sealed class ConsolePage : IAsyncDisposable
{
    private readonly IBrowserContext _context;

    public ConsolePage(IBrowserContext context, IPage page)
    {
        _context = context;
        Page = page;
        page.PageError += (_, error) => { lock (ScriptErrors) ScriptErrors.Add(error); };
        page.Request += (_, request) => { lock (Requests) Requests.Add(request.Url); };
    }

    public IPage Page { get; }
    public List<string> ScriptErrors { get; } = [];
    public List<string> Requests { get; } = [];

    public ILocator TestId(string id) => Page.Locator($"[data-testid=\"{id}\"]");

    public async Task ScreenshotAsync(string name)
        => await Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ConsoleFixture.ScreenshotFolder, name + ".png"), FullPage = true });

    public async ValueTask DisposeAsync() => await _context.CloseAsync();
}

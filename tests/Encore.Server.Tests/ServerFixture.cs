using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Encore.Simulation;
using Encore.Storage;
using Encore.TestSupport;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Encore.Server.Tests;

/// <summary>
/// A real server (WebApplicationFactory over Encore.Server's own Program) on a real SQLite file that holds a small
/// simulated service (80 members, 60 titles, 21 days); the service trains its first model at start. Shared by the API
/// tests of a class; each test uses ids of its own where it changes state.
/// </summary>
public sealed class ServerFixture : IAsyncLifetime
{
    public const string IngestKey = "test-ingest-key-000000001";
    public const string ReadKey = "test-read-key-0000000002";
    public const string AdminKey = "test-admin-key-000000003";

    private readonly TempFolder _temp = new();
    public string Database => _temp.File("service.db");
    public WebApplicationFactory<Program> Factory { get; private set; } = null!;

    /// <summary>The simulated service's options (small, so that a fixture starts in seconds).</summary>
    public static readonly SimulationOptions Service = new() { Members = 80, Titles = 60, Days = 21 };

    public async ValueTask InitializeAsync()
    {
        await using (var store = await SqliteEventStore.OpenAsync(Database))
            await SimulatedDatabase.EnsureAsync(store, Service);
        Factory = Create(Database);
        await Host.ReadyAsync.WaitAsync(TimeSpan.FromMinutes(3));
    }

    /// <summary>A factory over <paramref name="database"/> with the test keys and the events' clock.</summary>
    public static WebApplicationFactory<Program> Create(string database, Action<IWebHostBuilder>? more = null)
        => new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("Encore:Database", database);
            b.UseSetting("Encore:Keys:Ingest", IngestKey);
            b.UseSetting("Encore:Keys:Read", ReadKey);
            b.UseSetting("Encore:Keys:Admin", AdminKey);
            b.UseSetting("Encore:Clock", "events");
            more?.Invoke(b);
        });

    public EncoreHost Host => Factory.Services.GetRequiredService<EncoreHost>();

    public HttpClient Client(string? key)
    {
        var client = Factory.CreateClient();
        if (key is not null) client.DefaultRequestHeaders.Add("X-API-Key", key);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await Factory.DisposeAsync();
        _temp.Dispose();
    }
}

/// <summary>Helpers for requests and answers.</summary>
public static class Http
{
    public static StringContent Json(string json, string type = "application/json") => new(json, Encoding.UTF8, new MediaTypeHeaderValue(type));

    public static StringContent Json(object value) => Json(JsonSerializer.Serialize(value));

    public static async Task<JsonElement> JsonOf(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        try { return JsonDocument.Parse(text).RootElement.Clone(); }
        catch (JsonException) { throw new Xunit.Sdk.XunitException($"not JSON ({(int)response.StatusCode}): {text}"); }
    }

    /// <summary>The answer's status and its problem detail (RFC 7807), for a failed request.</summary>
    public static async Task<(int Status, string Detail, string? Type)> Problem(HttpResponseMessage response)
    {
        var json = await JsonOf(response);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal((int)response.StatusCode, json.GetProperty("status").GetInt32());
        return ((int)response.StatusCode, json.GetProperty("detail").GetString()!, json.TryGetProperty("type", out var t) ? t.GetString() : null);
    }

    /// <summary>An event in the wire shape.</summary>
    public static Dictionary<string, object?> Event(string id, string kind, string member, string? title, DateTime at, double? position = null,
        string device = "tv", string? session = null, string? episode = null)
    {
        var e = new Dictionary<string, object?>
        {
            ["event_id"] = id, ["kind"] = kind, ["member_id"] = member, ["device"] = device,
            ["timestamp"] = at.ToString("yyyy-MM-ddTHH:mm:ss.fffZ"), ["session_id"] = session ?? "s-" + id,
        };
        if (title is not null) e["title_id"] = title;
        if (episode is not null) e["episode_id"] = episode;
        if (position is not null) e["position"] = position;
        return e;
    }
}

/// <summary>
/// The same small service behind a real Kestrel server on 127.0.0.1 (a free port): for drills that need real sockets
/// (hostile request lines, bodies cut off, many connections).
/// </summary>
public sealed class KestrelFixture : IAsyncLifetime
{
    private readonly TempFolder _temp = new();
    public RunningServer Server { get; private set; } = null!;
    public string Database => _temp.File("kestrel.db");
    public Uri BaseAddress => new(Server.Urls[0]);

    public async ValueTask InitializeAsync()
    {
        await using (var store = await SqliteEventStore.OpenAsync(Database))
            await SimulatedDatabase.EnsureAsync(store, ServerFixture.Service);
        var settings = new ServerSettings
        {
            Database = Database, Clock = Service.ServiceClock.LatestEvent,
            Keys = new ApiKeySet(ServerFixture.IngestKey, ServerFixture.ReadKey, ServerFixture.AdminKey),
        };
        Server = await EncoreServer.StartAsync(settings, "http://127.0.0.1:0");
        await Server.Host.ReadyAsync.WaitAsync(TimeSpan.FromMinutes(3));
    }

    public HttpClient Client(string? key)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        if (key is not null) client.DefaultRequestHeaders.Add("X-API-Key", key);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        _temp.Dispose();
    }
}

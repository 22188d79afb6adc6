using Encore.Cluster;
using Orleans.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Encore.Server;

/// <summary>
/// The Encore server: ASP.NET Core over <see cref="Service.EncoreService"/>, with the API under /v1, its OpenAPI
/// document (/openapi/v1.json) and reference page (/docs), health and metrics, and the web console (/). Hostable:
/// <see cref="CreateBuilder"/> gives a builder an application can extend, <see cref="Build"/> the finished app.
/// </summary>
public static class EncoreServer
{
    /// <summary>A web application builder with Encore's services registered; settings come from its configuration unless given.</summary>
    /// <exception cref="ArgumentException">A setting cannot be read (the message names it).</exception>
    public static WebApplicationBuilder CreateBuilder(string[] args, ServerSettings? settings = null, ApiKeySet? keys = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args });
        builder.Configuration.AddJsonFile("encore.json", optional: true);
        builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; });
        // Logs go to standard error, so that standard output stays what a command prints (`encore serve`, `encore demo`).
        builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Logging.AddFilter("System", LogLevel.Warning);
        AddEncore(builder, settings, keys);
        return builder;
    }

    /// <summary>
    /// Registers Encore's services on an application's builder. Without <paramref name="settings"/> they are read from the
    /// configuration when the server starts (so a host or a test can add settings after this call); without keys there,
    /// <paramref name="keys"/> are used, and with neither the server refuses to start, naming the settings to set.
    /// </summary>
    public static void AddEncore(WebApplicationBuilder builder, ServerSettings? settings = null, ApiKeySet? keys = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton(sp =>
        {
            var resolved = settings ?? ServerSettings.From(sp.GetRequiredService<IConfiguration>());
            return resolved with
            {
                Keys = resolved.Keys ?? keys ?? throw new ArgumentException(
                    "no API keys: set ENCORE_INGEST_KEY, ENCORE_READ_KEY and ENCORE_ADMIN_KEY (or Encore:Keys:Ingest, :Read and :Admin in encore.json)"),
            };
        });
        builder.Services.AddSingleton(sp => new ApiKeys(sp.GetRequiredService<ServerSettings>().Keys!));
        builder.Services.AddSingleton<HttpMetrics>();
        if (settings?.Cluster is { } cluster)
        {
            // A node of the cluster: this process is a silo over the same PostgreSQL store (membership kept there too).
            var options = cluster.OptionsFor(settings.Database, settings.Clock);
            builder.UseOrleans(silo => silo.AddEncoreSilo(options).ConfigureEndpoints(cluster.SiloPort, cluster.GatewayPort));
            builder.Logging.AddFilter("Orleans", LogLevel.Warning);
        }
        builder.Services.AddSingleton<EncoreHost>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<EncoreHost>());
        builder.Services.AddProblemDetails();
        builder.Services.AddOpenApi("v1", o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Encore API";
            document.Info.Description = "Events in, personalized homepages out. Keys in the X-API-Key header: ingest for events, read for recommendations and the catalogue, admin for catalogue changes and models.";
            document.Info.Version = "v1";
            return Task.CompletedTask;
        }));
        builder.Services.AddOptions<KestrelServerOptions>().Configure<IServiceProvider>((o, sp) =>
        {
            o.Limits.MaxRequestBodySize = sp.GetRequiredService<ServerSettings>().MaxBodyBytes;
            o.Limits.MaxRequestHeadersTotalSize = 64 * 1024;
            o.Limits.MaxRequestLineSize = 16 * 1024;
            o.AddServerHeader = false;
        });
    }

    /// <summary>The finished application: middleware and every endpoint mapped.</summary>
    public static WebApplication Build(WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var app = builder.Build();
        MapEncore(app);
        return app;
    }

    /// <summary>Adds Encore's middleware and endpoints to an application whose builder went through <see cref="AddEncore"/>.</summary>
    public static void MapEncore(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseMiddleware<HttpMetricsMiddleware>();
        app.UseMiddleware<ProblemMiddleware>();
        app.UseStatusCodePages(async context =>
        {
            // Requests no endpoint matches, or methods an endpoint does not take: problems like every other error.
            var http = context.HttpContext;
            var detail = http.Response.StatusCode switch
            {
                404 => $"no such endpoint: {http.Request.Method} {Core.UnicodeText.Clip(http.Request.Path.Value ?? "")}; see /docs",
                405 => $"{http.Request.Method} is not allowed on {Core.UnicodeText.Clip(http.Request.Path.Value ?? "")}",
                _ => $"the request failed with status {http.Response.StatusCode}",
            };
            await Problems.Create(http.Response.StatusCode, http.Response.StatusCode == 404 ? "not found" : "bad request", detail).ExecuteAsync(http);
        });
        app.MapOpenApi("/openapi/{documentName}.json");
        app.UseSwaggerUI(o =>
        {
            o.RoutePrefix = "docs";
            o.SwaggerEndpoint("/openapi/v1.json", "Encore API v1");
            o.DocumentTitle = "Encore API";
        });
        Endpoints.Map(app);
        ConsoleFiles.Map(app);
    }

    /// <summary>
    /// Starts a server on Kestrel at <paramref name="urls"/> (e.g. http://127.0.0.1:5080; port 0 picks a free one) for
    /// <paramref name="settings"/>: the port is open when this returns; <see cref="RunningServer.Host"/> says when the
    /// service is loaded.
    /// </summary>
    /// <exception cref="IOException">The address cannot be listened on (in use, not this machine's).</exception>
    public static async Task<RunningServer> StartAsync(ServerSettings settings, string urls, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentException.ThrowIfNullOrWhiteSpace(urls);
        var keys = settings.Keys ?? throw new ArgumentException("the settings hold no API keys");
        var builder = CreateBuilder([], settings, keys);
        builder.WebHost.UseUrls(urls);
        var app = Build(builder);
        try
        {
            await app.StartAsync(ct);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
        var addresses = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()?.Addresses.ToList() ?? [];
        return new RunningServer(app, addresses, app.Services.GetRequiredService<EncoreHost>(), keys);
    }
}

/// <summary>A server started by <see cref="EncoreServer.StartAsync"/>: its addresses, its keys, and the Encore host inside it.</summary>
public sealed class RunningServer(WebApplication app, IReadOnlyList<string> urls, EncoreHost host, ApiKeySet keys) : IAsyncDisposable
{
    public WebApplication App { get; } = app;
    /// <summary>The addresses it listens on (with the real port where 0 was asked).</summary>
    public IReadOnlyList<string> Urls { get; } = urls;
    public EncoreHost Host { get; } = host;
    public ApiKeySet Keys { get; } = keys;

    /// <summary>The console's address with the keys in its fragment (never sent to the server): opens a working console.</summary>
    public string ConsoleUrl => $"{Urls[0].TrimEnd('/')}/#read={Keys.Read}&ingest={Keys.Ingest}&admin={Keys.Admin}";

    /// <summary>Stops taking requests, lets those under way finish (up to ten seconds), and closes the store.</summary>
    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try { await App.StopAsync(stop.Token); }
        finally { await App.DisposeAsync(); }
    }
}

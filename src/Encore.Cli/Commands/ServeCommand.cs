using System.CommandLine;
using Encore.Cli.Terminal;
using Encore.Server;
using Encore.Service;
using Microsoft.Extensions.Configuration;

namespace Encore.Cli.Commands;

/// <summary>
/// `encore serve [--db FILE|postgres://URL] [--urls URL] [--retrain-every SPAN] [--clock wall|events]`: the Encore server (HTTP API under
/// /v1, the console at /, OpenAPI at /docs) over the store, until Ctrl-C. Keys come from ENCORE_INGEST_KEY,
/// ENCORE_READ_KEY and ENCORE_ADMIN_KEY (or encore.json); without them, keys are made for this run and printed.
/// </summary>
internal static class ServeCommand
{
    public const string DefaultUrls = "http://127.0.0.1:5080";

    public static Option<string> UrlsOption() => new("--urls")
    {
        Description = "Where to listen (semicolon-separated; port 0 picks a free port).", DefaultValueFactory = _ => DefaultUrls, HelpName = "URL",
    };

    public static Command Create()
    {
        var db = DatabaseOption.Create();
        var urls = UrlsOption();
        var retrain = new Option<string?>("--retrain-every") { Description = "Retrain the default model on this schedule, e.g. 06:00:00 (default: only when asked).", HelpName = "SPAN" };
        var clock = new Option<string>("--clock")
        {
            Description = "What 'now' is: wall (the machine's clock) or events (the latest event's time: a replayed or simulated store).",
            DefaultValueFactory = _ => "wall", HelpName = "wall|events",
        };
        clock.AcceptOnlyFromAmong("wall", "events");
        var cluster = new Option<bool>("--cluster") { Description = "Run as a silo of an Encore cluster over the same PostgreSQL store (members' state in grains spread over the silos)." };
        var siloPort = new Option<int>("--silo-port") { Description = "With --cluster: the port silos talk on (one per node on a machine).", DefaultValueFactory = _ => 11111, HelpName = "PORT" };
        var gatewayPort = new Option<int>("--gateway-port") { Description = "With --cluster: the port clients of the cluster connect to.", DefaultValueFactory = _ => 30000, HelpName = "PORT" };
        var command = new Command("serve", "Run the Encore server: the HTTP API, the web console and OpenAPI, over the store, until Ctrl-C.")
        {
            db, urls, retrain, clock, cluster, siloPort, gatewayPort,
        };
        command.SetAction((parseResult, ct) => CommandGuard.RunAsync(parseResult, ct, async ct =>
        {
            TimeSpan? every = null;
            if (parseResult.GetValue(retrain) is { } text)
                every = TimeSpan.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var span) && span >= TimeSpan.FromSeconds(10) ? span
                    : throw new CliException(ExitCodes.Usage, $"--retrain-every: '{Core.UnicodeText.Clip(text)}' is not a duration of at least 10 seconds, like 06:00:00");
            var path = DatabaseOption.Resolve(parseResult, db);
            if (!Storage.EventStores.IsPostgres(path) && !File.Exists(path)) throw new CliException(ExitCodes.DatabaseUnavailable, $"no database at {path}; create one with `encore import` or `encore simulate`");
            var settings = Settings(path) with
            {
                RetrainEvery = every,
                Clock = parseResult.GetValue(clock) == "events" ? ServiceClock.LatestEvent : ServiceClock.Wall,
            };
            if (parseResult.GetValue(cluster))
            {
                if (!Storage.EventStores.IsPostgres(path)) throw new CliException(ExitCodes.Usage, "--cluster needs a PostgreSQL store: --db postgres://... (the cluster keeps its membership there)");
                var clusterSettings = new ClusterSettings(parseResult.GetValue(siloPort), parseResult.GetValue(gatewayPort));
                try { clusterSettings.OptionsFor(path, settings.Clock); }
                catch (ArgumentException e) { throw new CliException(ExitCodes.Usage, e.Message); }
                settings = settings with { Cluster = clusterSettings };
            }
            var error = parseResult.InvocationConfiguration.Error;
            if (settings.Keys is null)
            {
                settings = settings with { Keys = ApiKeySet.Generate() };
                error.WriteLine("no API keys configured (ENCORE_INGEST_KEY, ENCORE_READ_KEY, ENCORE_ADMIN_KEY): made these for this run");
            }
            return await ServerRun.RunAsync(parseResult, settings, parseResult.GetValue(urls)!, afterReady: null, ct);
        }));
        return command;
    }

    /// <summary>The server's settings from the environment and encore.json, with the database given on the command line.</summary>
    internal static ServerSettings Settings(string databasePath)
    {
        var configuration = new Microsoft.Extensions.Configuration.ConfigurationBuilder()
            .AddJsonFile(Path.Combine(Directory.GetCurrentDirectory(), "encore.json"), optional: true)
            .AddEnvironmentVariables()
            .AddInMemoryCollection([new("ENCORE_DB", databasePath)])
            .Build();
        try { return ServerSettings.From(configuration); }
        catch (ArgumentException e) { throw CliException.Usage(e); }
    }
}

/// <summary>Starting the server for `serve` and `demo`, saying where it is, and stopping it cleanly on Ctrl-C.</summary>
internal static class ServerRun
{
    public static async Task<int> RunAsync(ParseResult parseResult, ServerSettings settings, string urls,
        Func<RunningServer, CancellationToken, Task<IAsyncDisposable?>>? afterReady, CancellationToken ct)
    {
        var output = parseResult.InvocationConfiguration.Output;
        var error = parseResult.InvocationConfiguration.Error;
        RunningServer server;
        try { server = await EncoreServer.StartAsync(settings, urls, ct); }
        catch (IOException e) { throw new CliException(ExitCodes.Failure, $"cannot listen on {urls}: {e.Message}", e); }
        catch (InvalidOperationException e) when (e.InnerException is IOException io) { throw new CliException(ExitCodes.Failure, $"cannot listen on {urls}: {io.Message}", e); }
        await using (server)
        {
            error.WriteLine($"serving {Storage.EventStores.Describe(settings.Database)} at {string.Join(", ", server.Urls)}; loading the store (Ctrl-C stops)");
            EncoreService service;
            try { service = await server.Host.ReadyAsync.WaitAsync(ct); }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { error.WriteLine("stopped"); return ExitCodes.Success; }
            catch (Exception e) { throw new CliException(ExitCodes.DatabaseUnavailable, "the server could not start: " + e.Message, e); }
            IAsyncDisposable? extra = afterReady is null ? null : await afterReady(server, ct);
            try
            {
                var url = server.Urls[0].TrimEnd('/');
                output.WriteLine($"Encore is ready at {url} (model {service.ActiveVersion?.Version ?? "none yet"})");
                output.WriteLine($"  console  {server.ConsoleUrl}");
                output.WriteLine($"  API      {url}/docs   (OpenAPI: {url}/openapi/v1.json)");
                output.WriteLine($"  keys     X-API-Key: ingest {server.Keys.Ingest}");
                output.WriteLine($"                      read   {server.Keys.Read}");
                output.WriteLine($"                      admin  {server.Keys.Admin}");
                var member = (await service.ListMembersAsync(0, 1, ct)).Items.FirstOrDefault()?.Id ?? "MEMBER";
                output.WriteLine($"  try      curl -H 'X-API-Key: {server.Keys.Read}' '{url}/v1/members/{Uri.EscapeDataString(member)}/homepage?device=tv'");
                output.WriteLine("Ctrl-C stops it.");
                output.Flush();
                try { await Task.Delay(Timeout.Infinite, ct); }
                catch (OperationCanceledException) { }
            }
            finally
            {
                if (extra is not null) await extra.DisposeAsync();
            }
            error.WriteLine("stopping: finishing the requests under way");
        }
        error.WriteLine("stopped");
        return ExitCodes.Success;
    }
}

// Encore's endpoints inside an ASP.NET Core application of one's own, through the Encore.Server package.
//
//   ENCORE_INGEST_KEY=... ENCORE_READ_KEY=... ENCORE_ADMIN_KEY=... dotnet run --project samples/Encore.Samples.Web
//
// Encore's settings come from this application's configuration: the "Encore" section of appsettings.json (the
// database), the environment (ENCORE_DB, the three keys of at least 16 characters), or the command line. Encore's API
// is under /v1 (with /docs, /openapi/v1.json, /health/ready, /metrics and the console at /); the application's own
// endpoints sit beside it, and can use Encore's service themselves, as /shop/{member}/picks does.
using Encore.Core;
using Encore.Server;

var builder = WebApplication.CreateBuilder(args);
builder.AddEncore();

var app = builder.Build();
app.MapEncore();

// The application's own endpoints.
app.MapGet("/shop/hello", (ILogger<Program> log) =>
{
    log.LogInformation("hello from the shop");
    return Results.Text("Hello from the shop, which hosts Encore.");
});
app.MapGet("/shop/{member}/picks", (string member, EncoreHost encore) =>
{
    // Require() answers 503 through Encore's problems while the service is still loading.
    var picks = encore.Require().TopN(member, 5);
    return Results.Json(new { member, picks = picks.Select(p => p.TitleId).ToArray() });
});

app.Run();

using Encore.Server;

// encore-server: the Encore server on its own (`encore serve` runs the same from the command line).
// Settings: encore.json ("Encore" section), then ENCORE_DB, ENCORE_INGEST_KEY, ENCORE_READ_KEY, ENCORE_ADMIN_KEY, ...
var app = EncoreServer.Build(EncoreServer.CreateBuilder(args));
app.Run();

/// <summary>The entry point, visible to WebApplicationFactory in tests.</summary>
public partial class Program;

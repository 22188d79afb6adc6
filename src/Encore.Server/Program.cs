namespace Encore.Server;

/// <summary>
/// encore-server: the Encore server on its own (`encore serve` runs the same from the command line); tests name it in
/// WebApplicationFactory. A class in Encore's namespace rather than top-level statements, so that the Encore.Server
/// package puts no global <c>Program</c> type beside the one of the application that references it.
/// </summary>
public sealed class Program
{
    private Program() { }

    /// <summary>
    /// Runs the server. Settings: encore.json ("Encore" section), then ENCORE_DB, ENCORE_INGEST_KEY, ENCORE_READ_KEY,
    /// ENCORE_ADMIN_KEY, ...
    /// </summary>
    public static void Main(string[] args) => EncoreServer.Build(EncoreServer.CreateBuilder(args)).Run();
}

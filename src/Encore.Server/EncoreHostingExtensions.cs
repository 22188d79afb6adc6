namespace Encore.Server;

/// <summary>
/// Hosts Encore inside an ASP.NET Core application of one's own (the Encore.Server package):
/// <c>builder.AddEncore()</c> registers Encore's services, <c>app.MapEncore()</c> adds its middleware and endpoints.
/// </summary>
/// <remarks>
/// <para>
/// What <see cref="MapEncore"/> takes in the application: the API under <c>/v1</c>, <c>/openapi/v1.json</c>, the API
/// reference at <c>/docs</c>, <c>/health/live</c>, <c>/health/ready</c>, <c>/metrics</c>, and the web console at
/// <c>/</c> and <c>/console/...</c>; the application's own endpoints go beside them under other paths. Encore's
/// middleware applies to every request: errors are answered as RFC 7807 problems, requests are counted in /metrics,
/// and Kestrel's request size limits are Encore's (<see cref="ServerSettings.MaxBodyBytes"/>).
/// </para>
/// <para>
/// Settings come from the application's configuration unless given: the "Encore" section (Database, Keys:Ingest,
/// Keys:Read, Keys:Admin, RetrainEvery, Clock, MaxBodyBytes), then ENCORE_DB, ENCORE_INGEST_KEY, ENCORE_READ_KEY,
/// ENCORE_ADMIN_KEY and the rest. The store is opened and the service loaded in the background once the application
/// starts; until then the API answers 503 with the reason and /health/ready says where loading stands.
/// <see cref="EncoreHost"/> is registered as a service, so the application's own endpoints can take it and call
/// <see cref="EncoreHost.Require"/> for the <see cref="Service.EncoreService"/>.
/// </para>
/// </remarks>
public static class EncoreHostingExtensions
{
    /// <summary>
    /// Registers Encore's services on the application's builder (see <see cref="EncoreServer.AddEncore"/>): with
    /// <paramref name="settings"/> null they are read from the configuration when the application starts; keys missing
    /// there are taken from <paramref name="keys"/>, and with neither the application refuses to start, naming the
    /// settings to set.
    /// </summary>
    /// <returns>The same builder, for chaining.</returns>
    public static WebApplicationBuilder AddEncore(this WebApplicationBuilder builder, ServerSettings? settings = null, ApiKeySet? keys = null)
    {
        EncoreServer.AddEncore(builder, settings, keys);
        return builder;
    }

    /// <summary>
    /// Adds Encore's middleware and endpoints to an application whose builder went through
    /// <see cref="AddEncore(WebApplicationBuilder, ServerSettings?, ApiKeySet?)"/> (see <see cref="EncoreServer.MapEncore"/>).
    /// Call it before the application's own middleware that should see Encore's problems and metrics.
    /// </summary>
    /// <returns>The same application, for chaining.</returns>
    /// <exception cref="InvalidOperationException">Encore's services were not registered on the builder.</exception>
    public static WebApplication MapEncore(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (app.Services.GetService<IServiceProviderIsService>() is { } registered && !registered.IsService(typeof(EncoreHost)))
            throw new InvalidOperationException("Encore's services are not registered: call builder.AddEncore() before builder.Build()");
        EncoreServer.MapEncore(app);
        return app;
    }
}

using Encore.Cluster.Training;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Orleans;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Messaging;
using Orleans.Serialization;

namespace Encore.Cluster;

/// <summary>Hosting an Encore cluster: a silo (<see cref="AddEncoreSilo"/>) or a client of the silos (<see cref="AddEncoreClient"/>).</summary>
public static class ClusterHosting
{
    /// <summary>
    /// Encore's own types (events, requests, pages, explanations, timelines, search results) cross the wire as JSON (NaN
    /// scores included; public fields too, as in a member's <see cref="Encore.Signals.TitleSignals"/>); the distributed
    /// training's messages (Encore.Cluster.Training) keep their generated binary codecs.
    /// </summary>
    private static void AddEncoreSerializer(IServiceCollection services) => services.AddSerializer(s => s.AddJsonSerializer(
        isSupported: t => t.Namespace is { } ns && ns.StartsWith("Encore.", StringComparison.Ordinal)
            && !ns.StartsWith("Encore.Cluster.Training", StringComparison.Ordinal),
        jsonSerializerOptions: new JsonSerializerOptions { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals, IncludeFields = true }));

    /// <summary>
    /// Makes this silo a node of the Encore cluster: membership in the options' PostgreSQL database, the node's
    /// service-wide view (<see cref="ClusterNode"/>), the member and model-version grains, and the shard grains of the
    /// distributed iALS (<see cref="Encore.Cluster.Training.TrainingSiloExtensions.AddIalsTraining"/>), so that a model
    /// can be trained over the same silos that serve.
    /// </summary>
    public static ISiloBuilder AddEncoreSilo(this ISiloBuilder silo, EncoreClusterOptions options)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        silo.Configure<ClusterOptions>(o => { o.ClusterId = options.ClusterId; o.ServiceId = "encore"; });
        silo.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = options.CallTimeout);
        silo.Services.AddSingleton(options);
        silo.Services.AddSingleton<IMembershipTable, PostgresMembershipTable>();
        silo.Services.AddSingleton<ClusterNode>();
        silo.Services.AddHostedService(sp => sp.GetRequiredService<ClusterNode>());
        AddEncoreSerializer(silo.Services);
        silo.AddIalsTraining();
        return silo;
    }

    /// <summary>Makes this process a client of the Encore cluster (gateways found in the options' PostgreSQL database).</summary>
    public static IClientBuilder AddEncoreClient(this IClientBuilder client, EncoreClusterOptions options)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        client.Configure<ClusterOptions>(o => { o.ClusterId = options.ClusterId; o.ServiceId = "encore"; });
        client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = options.CallTimeout);
        client.Services.AddSingleton(options);
        client.Services.AddSingleton<IGatewayListProvider, PostgresGatewayListProvider>();
        AddEncoreSerializer(client.Services);
        return client;
    }
}

using Encore.Core;
using Encore.Service;
using Encore.Simulation;
using Encore.Storage;
using Encore.Storage.Postgres;
using Encore.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.TestingHost;
using Xunit;

[assembly: AssemblyFixture(typeof(PostgresCluster))]

namespace Encore.Cluster.Tests;

/// <summary>
/// A small simulated service (80 members, 60 titles, 21 days) in a fresh PostgreSQL database, its first model trained
/// and activated by a single-node <see cref="EncoreService"/>, and an Orleans TestCluster of three silos over the same
/// database (membership in PostgreSQL, fast failure detection).
/// </summary>
internal sealed class ClusterRig : IAsyncDisposable
{
    public const int Silos = 3;
    private readonly TempFolder _temp = new();

    public string Database { get; private set; } = "";
    public string Models => _temp.File("models");
    public TestCluster Cluster { get; private set; } = null!;
    public PostgresEventStore Store { get; private set; } = null!;
    public IReadOnlyList<string> Members { get; private set; } = [];
    public IReadOnlyList<string> Titles { get; private set; } = [];
    public DateTime LastEvent { get; private set; }

    public static async Task<ClusterRig> StartAsync(PostgresCluster postgres)
    {
        var rig = new ClusterRig { Database = postgres.NewDatabaseUrl("cluster") };
        rig.Store = await PostgresEventStore.OpenAsync(rig.Database);
        await SimulatedDatabase.EnsureAsync(rig.Store, new SimulationOptions { Members = 80, Titles = 60, Days = 21 });
        // The single node trains the first model, registers it and names it active in the store.
        await using (var single = await rig.StartSingleNodeAsync()) Assert.NotNull(single.ActiveVersion);
        var members = new List<string>();
        await foreach (var m in rig.Store.ReadMembersAsync()) members.Add(m.Id);
        var titles = new List<string>();
        await foreach (var t in rig.Store.ReadTitlesAsync()) if (t.Kind == TitleKind.Film) titles.Add(t.Id);
        rig.Members = members;
        rig.Titles = titles;
        await foreach (var e in rig.Store.ReadEventsAsync(EventQuery.All)) if (e.TimestampUtc > rig.LastEvent) rig.LastEvent = e.TimestampUtc;

        var builder = new TestClusterBuilder(Silos);
        builder.Options.UseTestClusterMembership = false;
        builder.Properties["Encore:Database"] = rig.Database;
        builder.Properties["Encore:Models"] = rig.Models;
        builder.AddSiloBuilderConfigurator<SiloSetup>();
        builder.AddClientBuilderConfigurator<ClientSetup>();
        rig.Cluster = builder.Build();
        await rig.Cluster.DeployAsync();
        return rig;
    }

    /// <summary>A single-node service over the same store and registry, with the events' clock (as the cluster's nodes).</summary>
    public Task<EncoreService> StartSingleNodeAsync() => EncoreService.StartAsync(Store, new ServiceOptions
    {
        ModelsDirectory = Models, Clock = ServiceClock.LatestEvent, CachedPages = 0,
    });

    /// <summary>
    /// The HTTP server's service in <paramref name="silo"/>'s process, as `encore serve --cluster` makes it: a service
    /// over the same store, started now (it knows the log as it is now and what is stored through it), attached to the
    /// silo's node (<see cref="ClusterNode.Attach"/>).
    /// </summary>
    public async Task<EncoreService> StartNodeServiceAsync(SiloHandle silo)
    {
        var service = await StartSingleNodeAsync();
        var services = ((InProcessSiloHandle)silo).SiloHost.Services;
        services.GetRequiredService<ClusterNode>().Attach(service, services.GetRequiredService<IGrainFactory>());
        return service;
    }

    private static EncoreClusterOptions Options(IConfiguration configuration) => new()
    {
        Database = configuration["Encore:Database"]!, ModelsDirectory = configuration["Encore:Models"]!,
        Clock = ServiceClock.LatestEvent, FollowInterval = TimeSpan.FromMilliseconds(100), CallTimeout = TimeSpan.FromSeconds(3),
    };

    private sealed class SiloSetup : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            siloBuilder.AddEncoreSilo(Options(siloBuilder.Configuration));
            siloBuilder.Configure<ClusterMembershipOptions>(o =>
            {
                o.ProbeTimeout = TimeSpan.FromMilliseconds(500);
                o.NumMissedProbesLimit = 2;
                o.NumVotesForDeathDeclaration = 1;
                o.TableRefreshTimeout = TimeSpan.FromSeconds(1);
            });
        }
    }

    private sealed class ClientSetup : IClientBuilderConfigurator
    {
        public void Configure(IConfiguration configuration, IClientBuilder clientBuilder) => clientBuilder.AddEncoreClient(Options(configuration));
    }

    /// <summary>The node (service-wide view) of a running silo.</summary>
    public static ClusterNode NodeOf(SiloHandle silo) => ((InProcessSiloHandle)silo).SiloHost.Services.GetRequiredService<ClusterNode>();

    /// <summary>A front on a silo itself: what an HTTP server hosted in that silo's process would call.</summary>
    public static ClusterFront FrontOn(SiloHandle silo)
    {
        var services = ((InProcessSiloHandle)silo).SiloHost.Services;
        return new ClusterFront(services.GetRequiredService<IGrainFactory>(), services.GetRequiredService<ClusterNode>().Store);
    }

    /// <summary>Every running silo's view has folded the whole log.</summary>
    public async Task CatchUpAsync()
    {
        foreach (var silo in Cluster.GetActiveSilos()) await NodeOf(silo).CatchUpAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (Cluster is not null) await Cluster.DisposeAsync();
        if (Store is not null) await Store.DisposeAsync();
        _temp.Dispose();
    }
}

using Microsoft.Extensions.Configuration;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.TestingHost;

namespace Encore.Cluster.Training.Tests;

/// <summary>Three in-process silos (Orleans' TestCluster) hosting the training shards, and a client of them.</summary>
public sealed class TrainingClusterFixture : IAsyncDisposable
{
    /// <summary>Silos in the cluster.</summary>
    public const int Silos = 3;

    private readonly Lazy<Task<TestCluster>> _cluster = new(async () =>
    {
        var cluster = new TestClusterBuilder(Silos)
            .AddSiloBuilderConfigurator<SiloConfigurator>()
            .AddClientBuilderConfigurator<ClientConfigurator>()
            .Build();
        await cluster.DeployAsync();
        return cluster;
    });

    /// <summary>The cluster, started at first use.</summary>
    public Task<TestCluster> ClusterAsync() => _cluster.Value;

    public async ValueTask DisposeAsync()
    {
        if (_cluster.IsValueCreated) await (await _cluster.Value).DisposeAsync();
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
            => siloBuilder.AddIalsTraining().Configure<SiloMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromMinutes(5));
    }

    private sealed class ClientConfigurator : IClientBuilderConfigurator
    {
        public void Configure(IConfiguration configuration, IClientBuilder clientBuilder)
            => clientBuilder.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromMinutes(5));
    }
}

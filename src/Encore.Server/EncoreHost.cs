using Encore.Service;
using Encore.Storage;

namespace Encore.Server;

/// <summary>
/// Opens the store and starts the <see cref="EncoreService"/> in the background when the server starts (the port is open
/// meanwhile: /health/live answers, /health/ready and the API answer 503 until it is loaded), and closes both on stop.
/// </summary>
public sealed class EncoreHost(ServerSettings settings, ILogger<EncoreHost> log, IServiceProvider services) : IHostedService, IAsyncDisposable
{
    private readonly TaskCompletionSource<EncoreService> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop = new();
    private IEventStore? _store;
    private Task? _loading;

    /// <summary>Where loading stands, in words (for /health/ready while it is not ready).</summary>
    public string Status { get; private set; } = "starting";

    /// <summary>The service once loaded, else null.</summary>
    public EncoreService? Service => _ready.Task.IsCompletedSuccessfully ? _ready.Task.Result : null;

    /// <summary>The failure that stopped loading, if any.</summary>
    public Exception? Failure => _ready.Task.Exception?.InnerException;

    /// <summary>The service; a request that comes before it is loaded is answered 503 with the reason.</summary>
    public EncoreService Require()
        => Service ?? throw new ServiceException(ServiceErrorKind.Unavailable,
            Failure is { } e ? "Encore failed to start: " + e.Message : $"Encore is still loading ({Status}); try again shortly");

    /// <summary>Waits until the service is loaded (tests, the demo).</summary>
    public Task<EncoreService> ReadyAsync => _ready.Task;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _loading = Task.Run(async () =>
        {
            try
            {
                Status = "opening " + EventStores.Describe(settings.Database);
                _store = await EventStores.OpenAsync(settings.Database, _stop.Token);
                var options = ServiceOptions.ForDatabase(settings.Database) with
                {
                    RetrainEvery = settings.RetrainEvery,
                    Clock = settings.Clock,
                    MaxEventsPerBatch = settings.MaxEventsPerBatch,
                };
                Status = "reading the event log";
                var service = await EncoreService.StartAsync(_store, options, new Progress(this, log), _stop.Token);
                if (settings.Cluster is not null)
                {
                    // The fold of stored events and every member-specific read go through the member grains, wherever they live;
                    // catalogue changes made through other nodes are read again as this node's silo takes them in.
                    var node = services.GetRequiredService<Cluster.ClusterNode>();
                    await node.ReadyAsync().WaitAsync(_stop.Token);
                    node.Attach(service, services.GetRequiredService<Orleans.IGrainFactory>());
                    Status = "joined the cluster";
                }
                Status = "ready";
                _ready.TrySetResult(service);
            }
            catch (Exception e)
            {
                log.LogError(e, "Encore failed to start");
                Status = "failed: " + e.Message;
                _ready.TrySetException(e);
            }
        });
        return Task.CompletedTask;
    }

    private sealed class Progress(EncoreHost host, ILogger log) : IProgress<string>
    {
        public void Report(string value)
        {
            host.Status = value;
            log.LogInformation("{Progress}", value);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stop.CancelAsync();
        if (_loading is not null)
        {
            try { await _loading; }
            catch (OperationCanceledException) { }
        }
    }

    private int _disposed;

    /// <summary>Closes the service and the store, once (the host is registered twice: as itself and as a hosted service).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        if (Service is { } service) await service.DisposeAsync();
        if (_store is not null) await _store.DisposeAsync();
        _stop.Dispose();
    }
}

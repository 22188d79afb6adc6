using System.Collections.Concurrent;
using System.Globalization;
using System.Threading.Channels;

namespace Encore.Service;

/// <summary>What a training job fits: a catalogue model (or "auto") with its parameters, and whether it becomes active.</summary>
public sealed record TrainingSpec
{
    public required string Model { get; init; }
    public IReadOnlyDictionary<string, string> Parameters { get; init; } = new Dictionary<string, string>();
    /// <summary>Make the new version the active one when it is trained.</summary>
    public bool Activate { get; init; } = true;
    /// <summary>With "auto": seconds the search may take.</summary>
    public double? BudgetSeconds { get; init; }
    /// <summary>Why it runs: "request", "schedule", "start".</summary>
    public string Reason { get; init; } = "request";
}

public enum JobState
{
    Queued,
    Running,
    Succeeded,
    Failed,
}

/// <summary>A training job as it stands: its state, its progress lines, and the version it made or why it failed.</summary>
public sealed record TrainingJobStatus(string Id, JobState State, TrainingSpec Spec, DateTime QueuedUtc, DateTime? StartedUtc,
    DateTime? FinishedUtc, IReadOnlyList<string> Progress, string? Version, string? Error);

/// <summary>
/// Where training jobs are queued and looked up: this process's queue on a single node (<see cref="TrainingJobQueue"/>),
/// one queue for every node on a cluster (attached with <see cref="EncoreService.AttachCluster"/>), so that a job
/// started through one node is seen, with the same id, through every other.
/// </summary>
public interface ITrainingJobQueue
{
    /// <summary>Queues a job (run after those queued before it, one at a time); returns it as queued, with its id.</summary>
    Task<TrainingJobStatus> EnqueueAsync(TrainingSpec spec, CancellationToken ct = default);

    /// <summary>
    /// Queues a scheduled retrain, unless a job is queued or running, or a scheduled one was queued less than 0.9 x
    /// <paramref name="every"/> ago: every node runs the same schedule, and the service retrains once a period. Returns
    /// the job, or null when it was not queued.
    /// </summary>
    Task<TrainingJobStatus?> EnqueueScheduledAsync(TrainingSpec spec, TimeSpan every, CancellationToken ct = default);

    /// <summary>The job with this id, or null.</summary>
    Task<TrainingJobStatus?> FindAsync(string id, CancellationToken ct = default);

    /// <summary>Every job kept, by id.</summary>
    Task<IReadOnlyList<TrainingJobStatus>> AllAsync(CancellationToken ct = default);
}

/// <summary>
/// Training jobs run one at a time, in the order they were asked for, on a background task; each keeps its progress lines
/// and ends with the version it registered or the reason it failed. Jobs are kept for the life of the queue (a single
/// node's process; on a cluster, the queue's grain).
/// </summary>
public sealed class TrainingJobQueue : ITrainingJobQueue, IAsyncDisposable
{
    private sealed class Job(string id, TrainingSpec spec)
    {
        public readonly string Id = id;
        public readonly TrainingSpec Spec = spec;
        public readonly DateTime QueuedUtc = DateTime.UtcNow;
        public readonly List<string> Progress = [];
        public JobState State = JobState.Queued;
        public DateTime? StartedUtc, FinishedUtc;
        public string? Version, Error;

        public TrainingJobStatus Snapshot()
        {
            lock (Progress) return new(Id, State, Spec, QueuedUtc, StartedUtc, FinishedUtc, [.. Progress], Version, Error);
        }
    }

    private readonly ConcurrentDictionary<string, Job> _jobs = new(StringComparer.Ordinal);
    private readonly Channel<Job> _queue = Channel.CreateUnbounded<Job>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Func<TrainingSpec, IProgress<string>, CancellationToken, Task<string>> _run;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _worker;
    private readonly Dictionary<string, string> _byRequest = new(StringComparer.Ordinal); // request id -> job id (under _enqueueLock)
    private readonly Lock _enqueueLock = new();
    private readonly string _prefix = string.Create(CultureInfo.InvariantCulture, $"job-{DateTime.UtcNow:yyyyMMdd-HHmmss}-");
    private DateTime _lastScheduled = DateTime.MinValue;
    private int _next;
    private bool _closed; // under _enqueueLock

    /// <param name="run">Fits one job and returns the version it registered (<see cref="EncoreService.RunTrainingAsync"/>).</param>
    public TrainingJobQueue(Func<TrainingSpec, IProgress<string>, CancellationToken, Task<string>> run)
    {
        ArgumentNullException.ThrowIfNull(run);
        _run = run;
        _worker = Task.Run(WorkAsync);
    }

    /// <summary>
    /// Queues a job; returns it as queued, with its id: job-, the queue's start time (UTC, to the second), a number. A
    /// queue started again (a process restarted, a cluster's queue grain moved) never gives an id of the one before.
    /// With a <paramref name="requestId"/> seen before, the job queued for it (a request sent again is one job).
    /// </summary>
    /// <exception cref="InvalidOperationException">The queue is closed (the service is stopping).</exception>
    public TrainingJobStatus Enqueue(TrainingSpec spec, string? requestId = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        lock (_enqueueLock)
        {
            if (_closed) throw new InvalidOperationException("the training queue is closed: the service is stopping");
            if (requestId is not null && _byRequest.TryGetValue(requestId, out var queued)) return _jobs[queued].Snapshot();
            var job = new Job(string.Create(CultureInfo.InvariantCulture, $"{_prefix}{++_next:D4}"), spec);
            _jobs[job.Id] = job;
            if (requestId is not null) _byRequest[requestId] = job.Id;
            _queue.Writer.TryWrite(job); // unbounded and open (not _closed): always taken
            return job.Snapshot();
        }
    }

    /// <summary>The job with this id, or null.</summary>
    public TrainingJobStatus? Find(string id) => _jobs.TryGetValue(id, out var job) ? job.Snapshot() : null;

    /// <summary>Every job kept, by id.</summary>
    public IReadOnlyList<TrainingJobStatus> All => [.. _jobs.Values.Select(j => j.Snapshot()).OrderBy(j => j.Id, StringComparer.Ordinal)];

    /// <summary>Whether a job is queued or running.</summary>
    public bool Busy => _jobs.Values.Any(j => j.State is JobState.Queued or JobState.Running);

    /// <inheritdoc cref="ITrainingJobQueue.EnqueueScheduledAsync"/>
    public TrainingJobStatus? EnqueueScheduled(TrainingSpec spec, TimeSpan every)
    {
        ArgumentNullException.ThrowIfNull(spec);
        lock (_enqueueLock)
        {
            var now = DateTime.UtcNow;
            if (Busy || now - _lastScheduled < 0.9 * every) return null;
            _lastScheduled = now;
            return Enqueue(spec);
        }
    }

    Task<TrainingJobStatus> ITrainingJobQueue.EnqueueAsync(TrainingSpec spec, CancellationToken ct) => Task.FromResult(Enqueue(spec));

    Task<TrainingJobStatus?> ITrainingJobQueue.EnqueueScheduledAsync(TrainingSpec spec, TimeSpan every, CancellationToken ct) => Task.FromResult(EnqueueScheduled(spec, every));

    Task<TrainingJobStatus?> ITrainingJobQueue.FindAsync(string id, CancellationToken ct) => Task.FromResult(Find(id));

    Task<IReadOnlyList<TrainingJobStatus>> ITrainingJobQueue.AllAsync(CancellationToken ct) => Task.FromResult(All);

    private async Task WorkAsync()
    {
        try
        {
            await foreach (var job in _queue.Reader.ReadAllAsync(_stop.Token).ConfigureAwait(false))
            {
                job.State = JobState.Running;
                job.StartedUtc = DateTime.UtcNow;
                var progress = new Progress(job);
                // The finish time is written before the final state, so a snapshot that shows the end shows its time.
                try
                {
                    job.Version = await _run(job.Spec, progress, _stop.Token).ConfigureAwait(false);
                    job.FinishedUtc = DateTime.UtcNow;
                    job.State = JobState.Succeeded;
                }
                catch (OperationCanceledException) when (_stop.IsCancellationRequested)
                {
                    Fail(job, "the service stopped before the job ended");
                    break;
                }
                catch (Exception e)
                {
                    Fail(job, e.Message);
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        // Jobs still waiting when the service stops end as failed, not queued for ever.
        while (_queue.Reader.TryRead(out var waiting)) Fail(waiting, "the service stopped before the job ran");
    }

    private static void Fail(Job job, string error)
    {
        job.Error = error;
        job.FinishedUtc = DateTime.UtcNow;
        job.State = JobState.Failed;
    }

    /// <summary>Progress lines kept with the job (synchronously, in order).</summary>
    private sealed class Progress(Job job) : IProgress<string>
    {
        public void Report(string value)
        {
            lock (job.Progress) job.Progress.Add(value);
        }
    }

    /// <summary>Stops taking jobs and cancels the one running (it, and those still queued, end as failed: the service stopped).</summary>
    public async ValueTask DisposeAsync()
    {
        lock (_enqueueLock)
        {
            if (_closed) return;
            _closed = true;
        }
        _queue.Writer.TryComplete();
        await _stop.CancelAsync().ConfigureAwait(false);
        try { await _worker.ConfigureAwait(false); }
        catch (OperationCanceledException) { }
        _stop.Dispose();
    }
}

using Encore.Core;

namespace Encore.Service;

/// <summary>
/// A histogram with fixed upper bounds (Prometheus style: each bucket counts observations at most its bound), updated
/// lock-free from any thread.
/// </summary>
public sealed class Histogram(IReadOnlyList<double> bounds)
{
    /// <summary>Seconds, from half a millisecond to ten seconds: latencies of requests and page builds.</summary>
    public static readonly IReadOnlyList<double> LatencyBounds = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly long[] _counts = new long[bounds.Count + 1];
    private long _sumMicros;

    public IReadOnlyList<double> Bounds { get; } = bounds;

    public void Observe(double seconds)
    {
        int i = 0;
        while (i < Bounds.Count && seconds > Bounds[i]) i++;
        Interlocked.Increment(ref _counts[i]);
        Interlocked.Add(ref _sumMicros, (long)(seconds * 1e6));
    }

    /// <summary>Cumulative counts per bound (the last is every observation), the total and the sum in seconds.</summary>
    public (long[] Cumulative, long Count, double Sum) Read()
    {
        var cumulative = new long[_counts.Length];
        long running = 0;
        for (int i = 0; i < _counts.Length; i++) cumulative[i] = running += Interlocked.Read(ref _counts[i]);
        return (cumulative, running, Interlocked.Read(ref _sumMicros) / 1e6);
    }
}

/// <summary>What the live service counts: events by kind and outcome, page builds and their time, trainings, swaps.</summary>
public sealed class ServiceMetrics
{
    private readonly long[] _events = new long[EventKinds.All.Length * 3];
    private long _malformed, _pages, _cachedPages, _trainings, _trainingFailures, _swaps;

    public Histogram PageSeconds { get; } = new(Histogram.LatencyBounds);

    internal void Event(EventKind kind, Ingestion.EventOutcome outcome) => Interlocked.Increment(ref _events[(int)kind * 3 + (int)outcome]);
    internal void Malformed() => Interlocked.Increment(ref _malformed);
    internal void Page(double seconds) { Interlocked.Increment(ref _pages); PageSeconds.Observe(seconds); }
    internal void CachedPage() => Interlocked.Increment(ref _cachedPages);
    internal void Training(bool ok) => Interlocked.Increment(ref ok ? ref _trainings : ref _trainingFailures);
    internal void Swap() => Interlocked.Increment(ref _swaps);

    /// <summary>Events of a kind with an outcome since start.</summary>
    public long Events(EventKind kind, Ingestion.EventOutcome outcome) => Interlocked.Read(ref _events[(int)kind * 3 + (int)outcome]);
    /// <summary>Batch elements that could not be read as events at all (no kind to count them under).</summary>
    public long MalformedEvents => Interlocked.Read(ref _malformed);
    /// <summary>Pages built, and pages answered from the cache (nothing they depend on had changed).</summary>
    public long Pages => Interlocked.Read(ref _pages);
    public long CachedPages => Interlocked.Read(ref _cachedPages);
    public long Trainings => Interlocked.Read(ref _trainings);
    public long TrainingFailures => Interlocked.Read(ref _trainingFailures);
    public long Swaps => Interlocked.Read(ref _swaps);
}

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Encore.Core;
using Encore.Ingestion;
using Encore.Service;
using Microsoft.AspNetCore.Http;

namespace Encore.Server;

/// <summary>
/// Requests counted per route and status class, with a latency histogram per route, and the Prometheus text of them
/// together with the service's own counters (events by kind and outcome, pages and their build time, models).
/// </summary>
public sealed class HttpMetrics
{
    private sealed class Route
    {
        public readonly long[] ByClass = new long[6]; // 1xx..5xx
        public readonly Histogram Seconds = new(Histogram.LatencyBounds);
    }

    private readonly ConcurrentDictionary<(string Method, string Route), Route> _routes = new();

    public void Record(string method, string route, int status, double seconds)
    {
        var r = _routes.GetOrAdd((method, route), _ => new Route());
        Interlocked.Increment(ref r.ByClass[Math.Clamp(status / 100, 0, 5)]);
        r.Seconds.Observe(seconds);
    }

    /// <summary>The Prometheus text exposition (version 0.0.4) of everything counted.</summary>
    public string Render(EncoreService? service)
    {
        var c = CultureInfo.InvariantCulture;
        var b = new StringBuilder();
        var routes = _routes.OrderBy(x => x.Key.Route, StringComparer.Ordinal).ThenBy(x => x.Key.Method, StringComparer.Ordinal).ToList();
        Header(b, "encore_http_requests_total", "counter", "HTTP requests answered, by route and status class.");
        foreach (var ((method, route), r) in routes)
            for (int k = 1; k < 6; k++)
                if (Interlocked.Read(ref r.ByClass[k]) is var n and > 0)
                    b.Append(c, $"encore_http_requests_total{{method=\"{method}\",route=\"{Escape(route)}\",status=\"{k}xx\"}} {n}\n");
        Header(b, "encore_http_request_duration_seconds", "histogram", "Time to answer a request, by route.");
        foreach (var ((method, route), r) in routes)
            WriteHistogram(b, "encore_http_request_duration_seconds", $"method=\"{method}\",route=\"{Escape(route)}\"", r.Seconds);
        if (service is not null) WriteService(b, service);
        WriteProcess(b);
        return b.ToString();
    }

    private static void WriteService(StringBuilder b, EncoreService service)
    {
        var c = CultureInfo.InvariantCulture;
        var m = service.Metrics;
        Header(b, "encore_events_total", "counter", "Events received, by kind and outcome (stored, duplicate, rejected).");
        foreach (var kind in EventKinds.All)
            foreach (var outcome in Enum.GetValues<EventOutcome>())
                b.Append(c, $"encore_events_total{{kind=\"{kind.WireName()}\",outcome=\"{outcome.ToString().ToLowerInvariant()}\"}} {m.Events(kind, outcome)}\n");
        Single(b, "encore_events_malformed_total", "counter", "Batch elements that could not be read as events.", m.MalformedEvents);
        Single(b, "encore_page_cache_entries", "gauge", "Homepages held in the page cache now.", service.CachedPageCount);
        Single(b, "encore_pages_cached_total", "counter", "Homepages answered from the page cache (nothing they depend on had changed).", m.CachedPages);
        Header(b, "encore_page_build_seconds", "histogram", "Time to build a member's homepage.");
        WriteHistogram(b, "encore_page_build_seconds", "", m.PageSeconds);
        Header(b, "encore_model_info", "gauge", "The active model version (value 1).");
        if (service.ActiveVersion is { } v)
            b.Append(c, $"encore_model_info{{version=\"{v.Version}\",model=\"{Escape(v.Info.Model)}\"}} 1\n");
        Single(b, "encore_model_versions", "gauge", "Model versions registered.", service.Registry.Versions.Count);
        Single(b, "encore_model_swaps_total", "counter", "Times the active model was replaced.", m.Swaps);
        Header(b, "encore_trainings_total", "counter", "Training jobs finished, by result.");
        b.Append(c, $"encore_trainings_total{{result=\"succeeded\"}} {m.Trainings}\n");
        b.Append(c, $"encore_trainings_total{{result=\"failed\"}} {m.TrainingFailures}\n");
    }

    /// <summary>The process's memory: resident set (Linux), the managed heap after the last collection, and collections.</summary>
    private static void WriteProcess(StringBuilder b)
    {
        var c = CultureInfo.InvariantCulture;
        Single(b, "process_resident_memory_bytes", "gauge", "Resident memory of the server process.", Environment.WorkingSet);
        Single(b, "dotnet_gc_heap_bytes", "gauge", "Managed heap size after the last garbage collection.", GC.GetGCMemoryInfo().HeapSizeBytes);
        Header(b, "dotnet_gc_collections_total", "counter", "Garbage collections, by generation.");
        for (int g = 0; g <= GC.MaxGeneration; g++) b.Append(c, $"dotnet_gc_collections_total{{generation=\"{g}\"}} {GC.CollectionCount(g)}\n");
    }

    /// <summary>A metric's HELP and TYPE lines.</summary>
    private static void Header(StringBuilder b, string name, string type, string help)
    {
        b.Append("# HELP ").Append(name).Append(' ').AppendLine(help);
        b.Append("# TYPE ").Append(name).Append(' ').AppendLine(type);
    }

    /// <summary>A metric with one unlabelled value.</summary>
    private static void Single(StringBuilder b, string name, string type, string help, long value)
    {
        Header(b, name, type, help);
        b.Append(name).Append(' ').Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');
    }

    private static void WriteHistogram(StringBuilder b, string name, string labels, Histogram h)
    {
        var c = CultureInfo.InvariantCulture;
        var (cumulative, count, sum) = h.Read();
        string sep = labels.Length == 0 ? "" : ",";
        for (int i = 0; i < h.Bounds.Count; i++)
            b.Append(c, $"{name}_bucket{{{labels}{sep}le=\"{h.Bounds[i].ToString("R", c)}\"}} {cumulative[i]}\n");
        b.Append(c, $"{name}_bucket{{{labels}{sep}le=\"+Inf\"}} {count}\n");
        string braces = labels.Length == 0 ? "" : "{" + labels + "}";
        b.Append(c, $"{name}_sum{braces} {sum.ToString("R", c)}\n");
        b.Append(c, $"{name}_count{braces} {count}\n");
    }

    private static string Escape(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}

/// <summary>Times every request and counts it under its route pattern (unmatched requests under "unmatched").</summary>
internal sealed class HttpMetricsMiddleware(RequestDelegate next, HttpMetrics metrics)
{
    /// <summary>The standard methods by name, any other as OTHER: a client cannot grow the label set.</summary>
    private static string MethodLabel(string method) => method switch
    {
        "GET" or "POST" or "PUT" or "DELETE" or "PATCH" or "HEAD" or "OPTIONS" => method,
        _ => "OTHER",
    };

    public async Task InvokeAsync(HttpContext context)
    {
        long start = Stopwatch.GetTimestamp();
        try
        {
            await next(context);
        }
        finally
        {
            var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "unmatched";
            metrics.Record(MethodLabel(context.Request.Method), route, context.Response.StatusCode, Stopwatch.GetElapsedTime(start).TotalSeconds);
        }
    }
}

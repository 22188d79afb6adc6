using System.Buffers;
using System.Globalization;
using Encore.Core;
using Encore.Service;
using Microsoft.AspNetCore.Http;

namespace Encore.Server;

/// <summary>Reading what a request sends: a JSON body within the size limit, and query values with their ranges.</summary>
internal static class Requests
{
    /// <summary>
    /// The body as bytes, once the content type is JSON and it is at most <paramref name="maxBytes"/> long; the problem to
    /// answer otherwise (415, 413, 400 for an empty body).
    /// </summary>
    public static async Task<(byte[]? Body, int Length, IResult? Problem)> ReadJsonAsync(HttpRequest request, long maxBytes, CancellationToken ct)
    {
        var type = request.ContentType;
        if (type is null || !IsJson(type))
            return (null, 0, Problems.Create(StatusCodes.Status415UnsupportedMediaType, "unsupported content type",
                $"send the body as application/json (got {(type is null ? "no Content-Type" : Core.UnicodeText.Quote(type))})"));
        if (request.ContentLength is { } declared && declared > maxBytes) return (null, 0, TooLarge(maxBytes));
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(Math.Max(request.ContentLength ?? 16 * 1024, 1), maxBytes + 1));
        int length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > maxBytes) { ArrayPool<byte>.Shared.Return(buffer); return (null, 0, TooLarge(maxBytes)); }
                    var bigger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, maxBytes + 1));
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }
                int read = await request.Body.ReadAsync(buffer.AsMemory(length), ct);
                if (read == 0) break;
                length += read;
                if (length > maxBytes) { ArrayPool<byte>.Shared.Return(buffer); return (null, 0, TooLarge(maxBytes)); }
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
        if (length == 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            return (null, 0, Problems.BadRequest("the body is empty; send a JSON document"));
        }
        return (buffer, length, null);
    }

    /// <summary>Gives back a body read by <see cref="ReadJsonAsync"/>.</summary>
    public static void Release(byte[]? body)
    {
        if (body is not null) ArrayPool<byte>.Shared.Return(body);
    }

    private static IResult TooLarge(long maxBytes)
        => Problems.Create(StatusCodes.Status413PayloadTooLarge, "request too large", $"the body is larger than {maxBytes:N0} bytes");

    private static bool IsJson(string contentType)
    {
        var media = contentType.Split(';')[0].Trim();
        if (!media.Equals("application/json", StringComparison.OrdinalIgnoreCase) && !media.EndsWith("+json", StringComparison.OrdinalIgnoreCase)) return false;
        foreach (var part in contentType.Split(';').Skip(1))
        {
            var kv = part.Split('=', 2);
            if (kv.Length == 2 && kv[0].Trim().Equals("charset", StringComparison.OrdinalIgnoreCase)
                && !kv[1].Trim().Trim('"').Equals("utf-8", StringComparison.OrdinalIgnoreCase)) return false;
        }
        return true;
    }

    /// <summary>An integer query value in [min, max], or <paramref name="fallback"/> when absent.</summary>
    /// <exception cref="ServiceException">Present but not such an integer (400, naming the parameter).</exception>
    public static int Int(HttpRequest request, string name, int fallback, int min, int max)
        => IntOrNull(request, name, min, max) ?? fallback;

    public static int? IntOrNull(HttpRequest request, string name, int min, int max)
    {
        var values = request.Query[name];
        if (values.Count == 0 || string.IsNullOrEmpty(values[0])) return null;
        if (values.Count > 1) throw ServiceException.BadRequest($"{name} is given {values.Count} times");
        if (!int.TryParse(values[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value) || value < min || value > max)
            throw ServiceException.BadRequest($"{name} must be an integer in {min}..{max} (got {UnicodeText.Quote(values[0]!)})");
        return value;
    }

    public static string? String(HttpRequest request, string name, int maxLength = 1000)
    {
        var values = request.Query[name];
        if (values.Count == 0) return null;
        if (values.Count > 1) throw ServiceException.BadRequest($"{name} is given {values.Count} times");
        var value = values[0];
        if (value is null) return null;
        if (value.Length > maxLength) throw ServiceException.BadRequest($"{name} is longer than {maxLength} characters");
        if (!UnicodeText.IsWellFormed(value)) throw ServiceException.BadRequest($"{name} is not well-formed text");
        return value;
    }

    /// <summary>A UTC time (ISO 8601, e.g. 2025-01-31 or 2025-01-31T20:00:00Z), or null when absent.</summary>
    public static DateTime? Time(HttpRequest request, string name)
    {
        var text = String(request, name, 40);
        if (string.IsNullOrEmpty(text)) return null;
        return DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var time)
            ? DateTime.SpecifyKind(time, DateTimeKind.Utc)
            : throw ServiceException.BadRequest($"{name} must be a UTC time like 2025-01-31 or 2025-01-31T20:00:00Z (got {UnicodeText.Quote(text)})");
    }

    public static bool Bool(HttpRequest request, string name)
        => String(request, name, 10) switch
        {
            null or "" or "false" or "0" => false,
            "true" or "1" => true,
            var other => throw ServiceException.BadRequest($"{name} must be true or false (got {UnicodeText.Quote(other)})"),
        };

    /// <summary>The device of the request (default tv).</summary>
    public static DeviceKind Device(HttpRequest request)
    {
        var text = String(request, "device", 20);
        if (string.IsNullOrEmpty(text)) return DeviceKind.Tv;
        foreach (var d in Enum.GetValues<DeviceKind>())
            if (string.Equals(d.ToString(), text, StringComparison.OrdinalIgnoreCase)) return d;
        throw ServiceException.BadRequest($"device must be tv, phone, tablet, web or console (got {UnicodeText.Quote(text)})");
    }

    /// <summary>A path id: non-empty, at most 128 characters, well-formed.</summary>
    public static string Id(string? id, string what)
    {
        if (string.IsNullOrEmpty(id)) throw ServiceException.BadRequest($"the {what} id is empty");
        if (id.Length > 128) throw ServiceException.BadRequest($"the {what} id is longer than 128 characters");
        if (!UnicodeText.IsWellFormed(id)) throw ServiceException.BadRequest($"the {what} id is not well-formed text");
        return id;
    }
}

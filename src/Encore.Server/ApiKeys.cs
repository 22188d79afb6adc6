using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Encore.Server;

/// <summary>Who a request may act as: a key opens one role only.</summary>
public enum ApiRole
{
    Ingest,
    Read,
    Admin,
}

/// <summary>
/// Checks the X-API-Key header against the key of the role an endpoint needs, in constant time (the keys are compared
/// as SHA-256 digests, so neither their content nor their length leaks through timing). A missing key is 401; the key
/// of another role (or a wrong one) is 403.
/// </summary>
public sealed class ApiKeys
{
    public const string Header = "X-API-Key";

    private readonly byte[][] _digests;

    public ApiKeys(ApiKeySet keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        _digests = [Digest(keys.Ingest), Digest(keys.Read), Digest(keys.Admin)];
    }

    private static byte[] Digest(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    /// <summary>Null when the request holds the role's key; otherwise the problem to answer.</summary>
    public IResult? Check(HttpContext context, ApiRole role)
    {
        var values = context.Request.Headers[Header];
        if (values.Count == 0 || string.IsNullOrEmpty(values[0]))
            return Problems.Create(StatusCodes.Status401Unauthorized, "missing API key", $"send the {role.ToString().ToLowerInvariant()} key in the {Header} header");
        if (values.Count > 1) return Problems.Create(StatusCodes.Status400BadRequest, "bad API key", $"send one {Header} header, not {values.Count}");
        var digest = Digest(values[0]!);
        if (!CryptographicOperations.FixedTimeEquals(digest, _digests[(int)role]))
            return Problems.Create(StatusCodes.Status403Forbidden, "wrong API key", $"this endpoint needs the {role.ToString().ToLowerInvariant()} key");
        return null;
    }
}

/// <summary>The endpoint filter that lets a request in only with the role's key.</summary>
internal sealed class RequireRole(ApiRole role) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var keys = context.HttpContext.RequestServices.GetRequiredService<ApiKeys>();
        return keys.Check(context.HttpContext, role) ?? await next(context);
    }
}

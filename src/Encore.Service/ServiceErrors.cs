namespace Encore.Service;

/// <summary>What kind of failure a request met, for the layer above to answer (an HTTP status, an exit code).</summary>
public enum ServiceErrorKind
{
    /// <summary>The request names a member, title, model version or job that does not exist.</summary>
    NotFound,
    /// <summary>The request itself is wrong (a value out of range, an unknown genre or rating): the message says which.</summary>
    BadRequest,
    /// <summary>The service cannot answer yet (no model trained, still loading).</summary>
    Unavailable,
    /// <summary>The request conflicts with the service's state (e.g. deleting the active model version): the message says how to resolve it.</summary>
    Conflict,
}

/// <summary>A request the service refuses, with the kind of refusal and a message that says what is wrong and where.</summary>
public sealed class ServiceException(ServiceErrorKind kind, string message, Exception? inner = null) : Exception(message, inner)
{
    public ServiceErrorKind Kind { get; } = kind;

    public static ServiceException NotFound(string message) => new(ServiceErrorKind.NotFound, message);
    public static ServiceException BadRequest(string message, Exception? inner = null) => new(ServiceErrorKind.BadRequest, message, inner);
    public static ServiceException Conflict(string message) => new(ServiceErrorKind.Conflict, message);
}

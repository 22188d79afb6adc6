using Encore.Service;
using Microsoft.AspNetCore.Http;

namespace Encore.Server;

/// <summary>Every error the API answers is an RFC 7807 problem: a status, a short title and a detail that says what is wrong and where.</summary>
internal static class Problems
{
    public static IResult Create(int status, string title, string detail, IDictionary<string, object?>? extensions = null)
        => Results.Problem(detail: detail, statusCode: status, title: title, extensions: extensions);

    public static IResult BadRequest(string detail) => Create(StatusCodes.Status400BadRequest, "bad request", detail);

    public static IResult NotFound(string detail) => Create(StatusCodes.Status404NotFound, "not found", detail);

    public static IResult From(ServiceException e) => e.Kind switch
    {
        ServiceErrorKind.NotFound => Create(StatusCodes.Status404NotFound, "not found", e.Message),
        ServiceErrorKind.Unavailable => Create(StatusCodes.Status503ServiceUnavailable, "not available yet", e.Message),
        ServiceErrorKind.Conflict => Create(StatusCodes.Status409Conflict, "conflict", e.Message),
        _ => Create(StatusCodes.Status400BadRequest, "bad request", e.Message),
    };
}

/// <summary>
/// Turns what a request can break into problems: a refusal of the service (404, 400, 503), a body too large (413), a
/// request the server could not read (400), a client gone (nothing to answer); anything else is logged and answered 500.
/// </summary>
internal sealed class ProblemMiddleware(RequestDelegate next, ILogger<ProblemMiddleware> log)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (ServiceException e) when (!context.Response.HasStarted)
        {
            await Problems.From(e).ExecuteAsync(context);
        }
        catch (BadHttpRequestException e) when (!context.Response.HasStarted)
        {
            var status = e.StatusCode == StatusCodes.Status413PayloadTooLarge ? StatusCodes.Status413PayloadTooLarge : StatusCodes.Status400BadRequest;
            await Problems.Create(status, status == 413 ? "request too large" : "bad request", e.Message).ExecuteAsync(context);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away: there is no one to answer.
        }
        catch (Exception e) when (!context.Response.HasStarted)
        {
            log.LogError(e, "unhandled error on {Method} {Path}", context.Request.Method, context.Request.Path);
            await Problems.Create(StatusCodes.Status500InternalServerError, "internal error", "the server failed to answer; the error is in its log")
                .ExecuteAsync(context);
        }
    }
}

using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Kiln.Hosting;

/// <summary>
/// Global middleware: one <see cref="KilnLog.RequestId"/> event per request on <c>Kiln.Requests</c> at Information,
/// with the fields <c>Method</c>, <c>Path</c> (the target as received), <c>StatusCode</c>, <c>ElapsedMilliseconds</c>
/// and <c>RemoteAddress</c>. When Information is not enabled for the category it calls the next handler and does
/// nothing else: no clock read, no string, no async state.
/// </summary>
/// <remarks>
/// A handler exception is logged with the status the server will answer (a <see cref="BadHttpRequestException"/>'s
/// own, 0 when the client is gone, otherwise 500) and rethrown, as <see cref="RequestLogging"/> does.
/// </remarks>
internal sealed class AccessLog(ILogger logger)
{
    public Middleware Middleware => InvokeAsync;

    private ValueTask<HttpResponse> InvokeAsync(Request request, Handler next)
        => logger.IsEnabled(LogLevel.Information) ? LogAsync(request, next) : next(request);

    private async ValueTask<HttpResponse> LogAsync(Request request, Handler next)
    {
        long start = Stopwatch.GetTimestamp();
        string method = request.Method, target = request.Target;
        string remote = request.ClientAddress?.ToString() ?? "-";
        try
        {
            var response = await next(request).ConfigureAwait(false);
            KilnLog.Request(logger, method, target, response.StatusCode, Stopwatch.GetElapsedTime(start).TotalMilliseconds, remote);
            return response;
        }
        catch (Exception e)
        {
            int status = e switch
            {
                BadHttpRequestException bad => bad.StatusCode,
                OperationCanceledException when request.Aborted.IsCancellationRequested => 0,
                _ => 500,
            };
            KilnLog.Request(logger, method, target, status, Stopwatch.GetElapsedTime(start).TotalMilliseconds, remote);
            throw;
        }
    }
}

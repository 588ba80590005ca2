namespace Kiln;

/// <summary>
/// Turns an exception from the rest of the pipeline into a plain <c>500 Internal Server Error</c> whose body says
/// nothing about the failure; the exception (type, message, stack) goes to the log only.
/// </summary>
/// <remarks>
/// Two kinds of exception pass through untouched, because the server answers them better:
/// <see cref="BadHttpRequestException"/> (the client's fault; the server sends its status and reason, and closes
/// when the body could not be read) and <see cref="OperationCanceledException"/> once <see cref="Request.Aborted"/>
/// is cancelled (the client is gone; there is no one to answer). An exception thrown by a streamed body's
/// <see cref="BodyWriter"/> happens after the response has started, so it cannot become a 500: the server aborts
/// that connection.
/// </remarks>
public sealed class ExceptionHandler : IMiddleware
{
    private readonly Action<Request, Exception>? _log;

    /// <summary>Logs each exception to <paramref name="log"/> (or nowhere when <see langword="null"/>).</summary>
    /// <param name="log">Where exceptions are written; writes are serialized.</param>
    public ExceptionHandler(TextWriter? log)
    {
        if (log is null) return;
        var synchronized = TextWriter.Synchronized(log);
        _log = (request, e) => synchronized.WriteLine($"Unhandled exception for {request.Method} {request.Target}: {e}");
    }

    /// <summary>Hands each exception, with the request it happened on, to <paramref name="log"/>.</summary>
    /// <param name="log">The callback; it must be thread-safe.</param>
    public ExceptionHandler(Action<Request, Exception> log) => _log = log ?? throw new ArgumentNullException(nameof(log));

    /// <inheritdoc />
    public async ValueTask<HttpResponse> InvokeAsync(Request request, Handler next)
    {
        try
        {
            return await next(request).ConfigureAwait(false);
        }
        catch (BadHttpRequestException)
        {
            throw;
        }
        catch (OperationCanceledException) when (request.Aborted.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            try
            {
                _log?.Invoke(request, e);
            }
            catch
            {
                // A failing log must not turn a 500 into a dropped connection.
            }
            return HttpResponse.Text("Internal Server Error", 500).WithHeader("Cache-Control", "no-store");
        }
    }
}

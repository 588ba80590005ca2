using Microsoft.Extensions.DependencyInjection;

namespace Kiln.Hosting;

/// <summary>
/// Global middleware: a dependency-injection scope per request. <see cref="Request.Services"/> is the scope's
/// provider, from which <c>[Service]</c> parameters are resolved; the scope is disposed (asynchronously when it can
/// be) once the response has been written (<see cref="Request.RegisterForDispose"/>), so a streamed body may still
/// use scoped services.
/// </summary>
internal sealed class RequestScopes(IServiceScopeFactory scopes)
{
    public Middleware Middleware => InvokeAsync;

    private ValueTask<HttpResponse> InvokeAsync(Request request, Handler next)
    {
        var scope = scopes.CreateScope();
        request.RegisterForDispose(scope as IAsyncDisposable ?? new SyncScope(scope));
        request.Services = scope.ServiceProvider;
        return next(request);
    }

    /// <summary>A scope of a container whose scopes are only <see cref="IDisposable"/>.</summary>
    private sealed class SyncScope(IServiceScope scope) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            scope.Dispose();
            return default;
        }
    }
}

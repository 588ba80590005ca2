using Microsoft.Extensions.DependencyInjection;

namespace Kiln.Hosting;

/// <summary>
/// Global middleware: a dependency-injection scope per request, created when the request first reads
/// <see cref="Request.Services"/> (a <c>[Service]</c> parameter, or middleware and handlers that resolve services) —
/// a request that needs no service creates no scope and allocates nothing here. <see cref="Request.Services"/> is
/// then the scope's provider; the scope is disposed (asynchronously when it can be) once the response has been
/// written (<see cref="Request.RegisterForDispose"/>), so a streamed body may still use scoped services.
/// </summary>
internal sealed class RequestScopes
{
    private readonly IServiceScopeFactory _scopes;
    private readonly Func<Request, IServiceProvider?> _createScope;

    public RequestScopes(IServiceScopeFactory scopes)
    {
        _scopes = scopes;
        _createScope = CreateScope;   // one delegate for every request
    }

    public Middleware Middleware => InvokeAsync;

    private ValueTask<HttpResponse> InvokeAsync(Request request, Handler next)
    {
        request.SetServicesFactory(_createScope);
        return next(request);
    }

    private IServiceProvider? CreateScope(Request request)
    {
        var scope = _scopes.CreateScope();
        request.RegisterForDispose(scope as IAsyncDisposable ?? new SyncScope(scope));
        return scope.ServiceProvider;
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

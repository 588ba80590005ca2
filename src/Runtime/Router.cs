namespace Kiln;

/// <summary>
/// Base of every generated router: it maps a request to the handler of its route. Kiln's source generator emits
/// the subclass (<c>Kiln.Generated.AppRouter</c>, or your <c>[Router] partial class</c>) with the matching trie and
/// the adapters; nothing here is decided at run time.
/// </summary>
public abstract class Router
{
    private Handler? _handler;

    /// <summary>The route table as data: one row per (method, template) pair.</summary>
    public abstract IReadOnlyList<Endpoint> Routes { get; }

    /// <summary>Matches <paramref name="request"/> and runs the route's handler, or answers 400/404/405/OPTIONS.</summary>
    /// <param name="request">The request.</param>
    /// <returns>The response.</returns>
    public abstract ValueTask<HttpResponse> RouteAsync(Request request);

    /// <summary>This router as a <see cref="Kiln.Handler"/> (one delegate, created once).</summary>
    public Handler Handler => _handler ??= RouteAsync;

    /// <summary>400 for a path that cannot be normalized.</summary>
    protected static ValueTask<HttpResponse> BadPath() => new(HttpResponse.BadRequest("Malformed request path."));

    /// <summary>404.</summary>
    protected static ValueTask<HttpResponse> NotFound() => new(HttpResponse.NotFound());

    /// <summary>405 with an <c>Allow</c> header, or, for OPTIONS, 204 with <c>Allow</c>.</summary>
    /// <param name="request">The request.</param>
    /// <param name="allow">The methods routed for the path, computed at build time.</param>
    /// <returns>The response.</returns>
    protected static ValueTask<HttpResponse> NotAllowed(Request request, string allow)
        => new((ReferenceEquals(request.Method, HttpMethods.Options)
            ? HttpResponse.Status(204)
            : HttpResponse.Text("Method Not Allowed", 405)).WithHeader("Allow", allow));
}

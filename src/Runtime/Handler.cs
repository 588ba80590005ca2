namespace Kiln;

/// <summary>The one endpoint shape: every route method is lifted to this by its generated adapter.</summary>
/// <param name="request">The request; valid until the returned response has been written.</param>
/// <returns>The response to send.</returns>
public delegate ValueTask<HttpResponse> Handler(Request request);

/// <summary>
/// A step around the rest of the pipeline: it may answer without calling <paramref name="next"/>, rewrite the
/// request before calling it, or change the response it returns.
/// </summary>
/// <param name="request">The request.</param>
/// <param name="next">The rest of the pipeline (further middleware, then the router).</param>
/// <returns>The response to send.</returns>
public delegate ValueTask<HttpResponse> Middleware(Request request, Handler next);

/// <summary>
/// A middleware type for <c>[Use&lt;T&gt;]</c> on route methods or classes. The generated router takes an
/// instance as a constructor argument and composes it into the route's chain at build time.
/// </summary>
public interface IMiddleware
{
    /// <summary>Handles <paramref name="request"/>, calling <paramref name="next"/> to continue the chain.</summary>
    /// <param name="request">The request.</param>
    /// <param name="next">The rest of the route's chain, ending in the route method's adapter.</param>
    /// <returns>The response to send.</returns>
    ValueTask<HttpResponse> InvokeAsync(Request request, Handler next);
}

/// <summary>One row of a router's route table.</summary>
/// <param name="Method">The HTTP method token, for example <c>GET</c>.</param>
/// <param name="Template">The route template as written in the attribute.</param>
/// <param name="Handler">The route's handler (its adapter wrapped in its per-route middleware).</param>
/// <param name="Name">The endpoint name: the attribute's <c>Name</c>, or <c>Type.Method</c>.</param>
public sealed record Endpoint(string Method, string Template, Handler Handler, string Name);

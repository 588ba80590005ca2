namespace Kiln;

/// <summary>Composes middleware into one <see cref="Handler"/>, once, at start-up.</summary>
public static class Pipeline
{
    /// <summary>
    /// Wraps <paramref name="terminal"/> in <paramref name="middleware"/>: the first item runs first. The result is
    /// built once, so a request allocates nothing for walking the chain.
    /// </summary>
    /// <param name="middleware">The middleware in registration order.</param>
    /// <param name="terminal">The innermost handler (usually the router).</param>
    /// <returns>The composed handler.</returns>
    public static Handler Compose(IReadOnlyList<Middleware> middleware, Handler terminal)
    {
        var next = terminal;
        for (int i = middleware.Count - 1; i >= 0; i--)
            next = Link(middleware[i], next);
        return next;
    }

    /// <summary>Wraps <paramref name="terminal"/> in middleware objects (per-route <c>[Use]</c> chains, composed by generated routers).</summary>
    /// <param name="terminal">The route's adapter.</param>
    /// <param name="middleware">The middleware, outermost first.</param>
    /// <returns>The composed handler.</returns>
    public static Handler Compose(Handler terminal, params IMiddleware[] middleware)
    {
        var next = terminal;
        for (int i = middleware.Length - 1; i >= 0; i--)
            next = Link(middleware[i].InvokeAsync, next);
        return next;
    }

    private static Handler Link(Middleware middleware, Handler next) => request => middleware(request, next);
}

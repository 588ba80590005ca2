using System.Text;
using Kiln.Routing;

namespace Kiln;

/// <summary>
/// Base of every generated router: it maps a request to the handler of its route. Kiln's source generator emits
/// the subclass (<c>Kiln.Generated.AppRouter</c>, or your <c>[Router] partial class</c>) with the matching DFA and
/// the adapters; nothing here is decided at run time. What generated code calls is protected (see the members
/// documented as part of the generated-code contract); nothing else is public but the route table, the handler and
/// <see cref="RouteAsync"/>.
/// </summary>
public abstract partial class Router
{
    private Handler? _handler;
    private Handler[] _handlers = [];
    private string[]? _templates;   // Routes' templates by route ID, read once from the generated table

    /// <summary>Creates the router (generated routers only: the matcher and adapters are emitted into the subclass).</summary>
    protected Router()
    {
    }

    /// <summary>The route table as data: one row per (method, template) pair, in route-ID order.</summary>
    public abstract IReadOnlyList<Endpoint> Routes { get; }

    /// <summary>This router as a <see cref="Kiln.Handler"/> (one delegate, created once).</summary>
    public Handler Handler => _handler ??= RouteAsync;

    /// <summary>
    /// Matches <paramref name="request"/> and runs the route's handler. Otherwise answers 400 for a malformed path,
    /// 308 to the registered form for a GET/HEAD path with an extra trailing slash, 405 with Allow (or 204 with
    /// Allow for OPTIONS) when only other methods are routed, and 404.
    /// </summary>
    /// <param name="request">The request.</param>
    /// <returns>The response.</returns>
    public ValueTask<HttpResponse> RouteAsync(Request request)
    {
        if (!request.TryGetRoutePath(out var path)) return new(HttpResponse.BadRequest("Malformed request path."));
        var match = Match(path, request.Route, request.Method);
        if (match.IsRoute)
        {
            request.RouteTemplate = Template(match.Id);
            return _handlers[match.Id](request);
        }
        if (match.Allow is { } allow) return new(NotAllowed(request, allow));
        return new(NoRoute(request, path));
    }

    /// <summary>The template of route <paramref name="id"/>, from the generated route table (whose row <c>id</c> it is).</summary>
    private string? Template(int id)
    {
        var templates = _templates ??= TemplatesOf(Routes);
        return (uint)id < (uint)templates.Length ? templates[id] : null;
    }

    private static string[] TemplatesOf(IReadOnlyList<Endpoint> routes)
    {
        var templates = new string[routes.Count];
        for (int i = 0; i < templates.Length; i++) templates[i] = routes[i].Template;
        return templates;
    }

    /// <summary>Runs the generated matcher on a normalized path, recording segment boundaries in <paramref name="route"/>.</summary>
    internal RouteMatch Match(ReadOnlySpan<byte> path, RoutePath route, string method)
    {
        var reader = new PathReader(path, route.Bounds, method);
        return Match(ref reader);
    }

    private HttpResponse NoRoute(Request request, ReadOnlySpan<byte> path)
    {
        // Trailing-slash policy: GET/HEAD of "/a/b/" redirect (308) to "/a/b" when that is routed for the method.
        if (path.Length > 1 && path[^1] == '/' && (ReferenceEquals(request.Method, HttpMethods.Get) || ReferenceEquals(request.Method, HttpMethods.Head)))
        {
            var trimmed = path[..^1];
            while (trimmed.Length > 1 && trimmed[^1] == '/') trimmed = trimmed[..^1];
            if (Match(trimmed, request.Route, request.Method).IsRoute)
            {
                var location = EncodePath(trimmed);
                var query = request.Query.Raw;
                if (!query.IsEmpty) location += "?" + Encoding.ASCII.GetString(query);
                return HttpResponse.Redirect(location, permanent: true, preserveMethod: true);
            }
        }
        return HttpResponse.NotFound();
    }

    /// <summary>405 with an Allow header, or for OPTIONS 204 with Allow.</summary>
    private static HttpResponse NotAllowed(Request request, string allow)
        => (ReferenceEquals(request.Method, HttpMethods.Options)
            ? HttpResponse.Status(204)
            : HttpResponse.Text("Method Not Allowed", 405)).WithHeader("Allow", allow);

    /// <summary>Percent-encodes a normalized path for a Location header (ASCII pchars and '/' stay).</summary>
    private static string EncodePath(ReadOnlySpan<byte> path)
    {
        var sb = new StringBuilder(path.Length + 8);
        foreach (byte b in path)
        {
            if (b is > 32 and < 127 && b != '"' && b != '<' && b != '>' && b != '\\' && b != '^' && b != '`' && b != '{' && b != '|' && b != '}' && b != '?' && b != '#')
                sb.Append((char)b);
            else
                sb.Append('%').Append(((int)b).ToString("X2"));
        }
        return sb.ToString();
    }
}

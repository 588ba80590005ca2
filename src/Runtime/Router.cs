using System.Text;
using Kiln.Routing;

namespace Kiln;

/// <summary>
/// Base of every generated router: it maps a request to the handler of its route. Kiln's source generator emits
/// the subclass (<c>Kiln.Generated.AppRouter</c>, or your <c>[Router] partial class</c>) with the matching DFA and
/// the adapters; nothing here is decided at run time.
/// </summary>
public abstract class Router
{
    /// <summary>What <see cref="Match"/> returns when no route matches the path.</summary>
    protected const int NoMatch = -1;

    private Handler? _handler;
    private Handler[] _handlers = [];

    /// <summary>The route table as data: one row per (method, template) pair, in route-ID order.</summary>
    public abstract IReadOnlyList<Endpoint> Routes { get; }

    /// <summary>The handler of each route ID (the adapter wrapped in the route's middleware); set once by the generated constructor.</summary>
    protected Handler[] Handlers
    {
        get => _handlers;
        init => _handlers = value;
    }

    /// <summary>
    /// Matches a normalized path: returns the route ID (≥ 0), <see cref="NoMatch"/>, or <c>-2 - k</c> when the path
    /// is routed for other methods only, with <c>k</c> the index of their Allow header (<see cref="Allow"/>).
    /// Records segment boundaries in <paramref name="route"/>.
    /// </summary>
    /// <param name="path">The normalized path.</param>
    /// <param name="route">Where segment boundaries are recorded.</param>
    /// <param name="method">The request method.</param>
    /// <returns>The match result.</returns>
    protected virtual int Match(ReadOnlySpan<byte> path, RoutePath route, string method) => NoMatch;

    /// <summary>The Allow header value with index <paramref name="index"/>, computed at build time.</summary>
    /// <param name="index">The index from a <see cref="Match"/> result.</param>
    /// <returns>The header value.</returns>
    protected virtual string Allow(int index) => "";

    /// <summary>This router as a <see cref="Kiln.Handler"/> (one delegate, created once).</summary>
    public Handler Handler => _handler ??= RouteAsync;

    /// <summary>
    /// Matches <paramref name="request"/> and runs the route's handler. Otherwise answers 400 for a malformed path,
    /// 308 to the registered form for a GET/HEAD path with an extra trailing slash, 405 with Allow (or 204 with
    /// Allow for OPTIONS) when only other methods are routed, and 404.
    /// </summary>
    /// <param name="request">The request.</param>
    /// <returns>The response.</returns>
    /// <remarks>Generated routers use this implementation; a hand-written router (for tests) may override it.</remarks>
    public virtual ValueTask<HttpResponse> RouteAsync(Request request)
    {
        var route = request.Route;
        if (!request.TryGetRoutePath(out var path)) return BadPath();
        int match = Match(path, route, request.Method);
        if (match >= 0) return _handlers[match](request);
        if (match == NoMatch) return new(NoRoute(request, path));
        return NotAllowed(request, Allow(-match - 2));
    }

    /// <summary>400 for a path that cannot be normalized.</summary>
    /// <returns>The response.</returns>
    protected static ValueTask<HttpResponse> BadPath() => new(HttpResponse.BadRequest("Malformed request path."));

    /// <summary>404.</summary>
    /// <returns>The response.</returns>
    protected static ValueTask<HttpResponse> NotFound() => new(HttpResponse.NotFound());

    /// <summary>Finds the route ID for <paramref name="method"/> and <paramref name="target"/> without running it (for tests and tools).</summary>
    /// <param name="method">The method token.</param>
    /// <param name="target">The request-target.</param>
    /// <returns>The matched endpoint, or <see langword="null"/>.</returns>
    public Endpoint? Find(string method, string target)
    {
        var request = Request.Create(method, target);
        if (!request.TryGetRoutePath(out var path)) return null;
        int match = Match(path, request.Route, HttpMethods.Intern(method));
        return match >= 0 ? Routes[match] : null;
    }

    private HttpResponse NoRoute(Request request, ReadOnlySpan<byte> path)
    {
        // Trailing-slash policy: GET/HEAD of "/a/b/" redirect (308) to "/a/b" when that is routed for the method.
        if (path.Length > 1 && path[^1] == '/' && (ReferenceEquals(request.Method, HttpMethods.Get) || ReferenceEquals(request.Method, HttpMethods.Head)))
        {
            var trimmed = path[..^1];
            while (trimmed.Length > 1 && trimmed[^1] == '/') trimmed = trimmed[..^1];
            if (Match(trimmed, request.Route, request.Method) >= 0)
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
    /// <param name="request">The request.</param>
    /// <param name="allow">The methods routed for the path.</param>
    /// <returns>The response.</returns>
    protected static ValueTask<HttpResponse> NotAllowed(Request request, string allow)
        => new((ReferenceEquals(request.Method, HttpMethods.Options)
            ? HttpResponse.Status(204)
            : HttpResponse.Text("Method Not Allowed", 405)).WithHeader("Allow", allow));

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

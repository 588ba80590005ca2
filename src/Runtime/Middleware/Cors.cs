using System.Globalization;

namespace Kiln;

/// <summary>Options of <see cref="Cors"/>. A list containing <c>*</c> means "any".</summary>
public sealed class CorsOptions
{
    /// <summary>Origins allowed to read responses, exactly as browsers send them (<c>https://app.example.com</c>), or <c>*</c>.</summary>
    public IReadOnlyList<string> AllowedOrigins { get; init; } = [];

    /// <summary>
    /// Methods allowed in cross-origin requests, or <c>*</c>. GET, HEAD and POST (the CORS-safelisted methods) are
    /// always allowed, as the Fetch standard says.
    /// </summary>
    public IReadOnlyList<string> AllowedMethods { get; init; } = ["GET", "HEAD", "POST"];

    /// <summary>Request headers a cross-origin request may send beyond the safelisted ones (for example <c>Authorization</c>), or <c>*</c>.</summary>
    public IReadOnlyList<string> AllowedHeaders { get; init; } = [];

    /// <summary>Response headers the page's script may read beyond the safelisted ones.</summary>
    public IReadOnlyList<string> ExposedHeaders { get; init; } = [];

    /// <summary>
    /// Whether requests with credentials (cookies, HTTP auth) are allowed. With any origin, the request's origin is
    /// echoed instead of <c>*</c>, because browsers refuse <c>*</c> with credentials.
    /// </summary>
    public bool AllowCredentials { get; init; }

    /// <summary>How long browsers may cache a preflight answer (Access-Control-Max-Age), or <see langword="null"/> to not say.</summary>
    public TimeSpan? MaxAge { get; init; }
}

/// <summary>
/// Cross-origin resource sharing: answers preflight requests (OPTIONS with Origin and
/// Access-Control-Request-Method) with 204 and the allow headers, without calling the rest of the pipeline; adds
/// Access-Control-Allow-Origin (and Vary: Origin) to the responses of allowed cross-origin requests.
/// </summary>
/// <remarks>
/// A preflight that is not allowed (origin, method or a header not in the lists) still gets 204, but without the
/// allow headers, so the browser refuses the real request; a non-allowed actual request gets its response without
/// Access-Control-Allow-Origin, so the browser hides it from the page. Requests without Origin pass through untouched.
/// </remarks>
public sealed class Cors : IMiddleware
{
    private static readonly string[] SafelistedMethods = [HttpMethods.Get, HttpMethods.Head, HttpMethods.Post];

    private readonly CorsOptions _options;
    private readonly bool _anyOrigin, _anyMethod, _anyHeader;
    private readonly HashSet<string> _origins, _methods, _headers;
    private readonly string? _methodsList, _headersList, _exposed, _maxAge;

    /// <summary>Allows <paramref name="origins"/> (or <c>*</c>) with the default methods and no extra headers.</summary>
    /// <param name="origins">The allowed origins.</param>
    public Cors(params string[] origins) : this(new CorsOptions { AllowedOrigins = origins })
    {
    }

    /// <summary>Creates the middleware.</summary>
    /// <param name="options">What is allowed.</param>
    public Cors(CorsOptions options)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _anyOrigin = options.AllowedOrigins.Contains("*");
        _anyMethod = options.AllowedMethods.Contains("*");
        _anyHeader = options.AllowedHeaders.Contains("*");
        _origins = new(options.AllowedOrigins.Select(o => o.TrimEnd('/')), StringComparer.OrdinalIgnoreCase);
        _methods = new(options.AllowedMethods.Concat(SafelistedMethods), StringComparer.Ordinal);
        _headers = new(options.AllowedHeaders, StringComparer.OrdinalIgnoreCase);
        _methodsList = _anyMethod ? null : string.Join(", ", _methods.Order(StringComparer.Ordinal));
        _headersList = _anyHeader || options.AllowedHeaders.Count == 0 ? null : string.Join(", ", options.AllowedHeaders);
        _exposed = options.ExposedHeaders.Count == 0 ? null : string.Join(", ", options.ExposedHeaders);
        _maxAge = options.MaxAge is { } age ? ((long)age.TotalSeconds).ToString(CultureInfo.InvariantCulture) : null;
    }

    /// <inheritdoc />
    public async ValueTask<HttpResponse> InvokeAsync(Request request, Handler next)
    {
        if (request.Headers["Origin"] is not { } origin) return await next(request).ConfigureAwait(false);
        bool allowed = _anyOrigin || _origins.Contains(origin);

        if (ReferenceEquals(request.Method, HttpMethods.Options) && request.Headers["Access-Control-Request-Method"] is { } method)
            return Preflight(request, origin, allowed, method.Trim());

        var response = await next(request).ConfigureAwait(false);
        if (!allowed) return _anyOrigin ? response : response.WithHeader("Vary", "Origin");
        response = WithOrigin(response, origin);
        return _exposed is null ? response : response.WithHeader("Access-Control-Expose-Headers", _exposed);
    }

    private HttpResponse Preflight(Request request, string origin, bool allowed, string method)
    {
        var response = HttpResponse.Status(204).WithHeader("Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers");
        if (!allowed || !(_anyMethod || _methods.Contains(method))) return response;
        var requestedHeaders = request.Headers["Access-Control-Request-Headers"];
        if (!_anyHeader && requestedHeaders is not null)
            foreach (var name in requestedHeaders.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                if (!_headers.Contains(name)) return response;

        response = WithOrigin(response, origin, vary: false)
            .WithHeader("Access-Control-Allow-Methods", _methodsList ?? method);
        string? headers = _anyHeader ? (string.IsNullOrWhiteSpace(requestedHeaders) ? null : requestedHeaders) : _headersList;
        if (headers is not null) response = response.WithHeader("Access-Control-Allow-Headers", headers);
        if (_maxAge is not null) response = response.WithHeader("Access-Control-Max-Age", _maxAge);
        return response;
    }

    private HttpResponse WithOrigin(HttpResponse response, string origin, bool vary = true)
    {
        if (_anyOrigin && !_options.AllowCredentials)
            return response.WithHeader("Access-Control-Allow-Origin", "*");
        response = response.WithHeader("Access-Control-Allow-Origin", origin);
        if (vary) response = response.WithHeader("Vary", "Origin");
        return _options.AllowCredentials ? response.WithHeader("Access-Control-Allow-Credentials", "true") : response;
    }
}

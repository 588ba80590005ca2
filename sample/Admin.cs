using Kiln;

namespace Sample;

/// <summary>Lets a request through only with the right <c>X-Api-Key</c> header; otherwise 401.</summary>
public sealed class ApiKeyMiddleware(string key) : IMiddleware
{
    /// <inheritdoc/>
    public ValueTask<HttpResponse> InvokeAsync(Request request, Handler next) =>
        request.Headers["X-Api-Key"] == key
            ? next(request)
            : new(HttpResponse.Text("A valid X-Api-Key header is required.", 401).WithHeader("WWW-Authenticate", "ApiKey"));
}

/// <summary>The admin API: every route of this class runs behind <see cref="ApiKeyMiddleware"/>.</summary>
[Use<ApiKeyMiddleware>]
public sealed class Admin(AccountStore store)
{
    /// <summary><c>DELETE /admin/accounts/&lt;id&gt;</c>: 204, or 404.</summary>
    [Delete("/admin/accounts/<id>")]
    [Produces(204)]
    [Produces(401, Description = "The X-Api-Key header is missing or wrong.")]
    [Produces(404)]
    public HttpResponse Delete(int id) => store.Remove(id) ? HttpResponse.NoContent() : HttpResponse.NotFound();

    /// <summary><c>GET /admin/stats</c>: a plain-text summary.</summary>
    [Get("/admin/stats")]
    public string Stats() => $"accounts: {store.Count}";
}

/// <summary>Everything else: a health check and the files under wwwroot/.</summary>
public sealed class Site(StaticFiles files)
{
    /// <summary><c>GET /health</c>.</summary>
    [Get("/health")]
    public static string Health() => "ok";

    /// <summary>
    /// <c>GET /whoami</c>: the client address and scheme as the application sees them (after a trusted proxy's
    /// forwarding headers), and which process answered — for checking a load-balanced deployment.
    /// </summary>
    [Get("/whoami")]
    public static string WhoAmI(Request request) => $"{request.ClientAddress} {request.Scheme} {Environment.ProcessId}";

    /// <summary><c>GET /files/&lt;*path&gt;</c>: a file from wwwroot (ETag, ranges, traversal-safe).</summary>
    [Get("/files/<*path>")]
    [Produces(200, Description = "The file (its media type by extension).")]
    [Produces(304)]
    [Produces(404)]
    public ValueTask<HttpResponse> File(string path, Request request) => files.ServeAsync(request, path);
}

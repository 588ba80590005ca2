namespace Kiln;

/// <summary>
/// The built-in middleware as <see cref="HttpServer"/> extensions. Each is a one-line wrapper over a public class
/// (<see cref="RequestLogging"/>, <see cref="StaticFiles"/>, …) that can also be composed by hand or used per route.
/// Middleware runs in registration order: the first registered is the outermost.
/// </summary>
public static class HttpServerExtensions
{
    /// <summary>Logs one line per request to <paramref name="writer"/> (see <see cref="RequestLogging"/>).</summary>
    /// <param name="server">The server.</param>
    /// <param name="writer">Where lines go, for example <see cref="Console.Out"/>.</param>
    /// <param name="format">The line format.</param>
    /// <returns>The server.</returns>
    public static HttpServer UseLogging(this HttpServer server, TextWriter writer, LogFormat format = LogFormat.Default)
        => server.Use(new RequestLogging(writer, format).InvokeAsync);

    /// <summary>Hands a <see cref="RequestLogEntry"/> per request to <paramref name="sink"/>.</summary>
    /// <param name="server">The server.</param>
    /// <param name="sink">The callback; thread-safe and non-blocking.</param>
    /// <returns>The server.</returns>
    public static HttpServer UseLogging(this HttpServer server, Action<RequestLogEntry> sink)
        => server.Use(new RequestLogging(sink).InvokeAsync);

    /// <summary>
    /// Serves the build-time OpenAPI document at <paramref name="path"/>: <c>server.UseOpenApi(AppRouter.OpenApiJson)</c>
    /// (see <see cref="OpenApiDocument"/> and docs/openapi.md). Off unless called: an app that never calls it carries
    /// no document.
    /// </summary>
    /// <param name="server">The server.</param>
    /// <param name="json">The document, for example <c>AppRouter.OpenApiJson</c>.</param>
    /// <param name="path">The request path it is served at.</param>
    /// <returns>The server.</returns>
    public static HttpServer UseOpenApi(this HttpServer server, string json, string path = "/openapi.json")
        => server.Use(new OpenApiDocument(json, path).InvokeAsync);

    /// <summary>Turns exceptions into a bare 500 and logs them to <paramref name="log"/> (see <see cref="ExceptionHandler"/>).</summary>
    /// <param name="server">The server.</param>
    /// <param name="log">Where exceptions are written, or <see langword="null"/> for nowhere.</param>
    /// <returns>The server.</returns>
    public static HttpServer UseExceptionHandler(this HttpServer server, TextWriter? log)
        => server.Use(new ExceptionHandler(log).InvokeAsync);

    /// <summary>Serves files from <paramref name="root"/> under <paramref name="requestPathPrefix"/> (see <see cref="StaticFiles"/>).</summary>
    /// <param name="server">The server.</param>
    /// <param name="root">The directory.</param>
    /// <param name="requestPathPrefix">The URL prefix, for example <c>/files</c>; <c>/</c> for the whole URL space.</param>
    /// <returns>The server.</returns>
    public static HttpServer UseStaticFiles(this HttpServer server, string root, string requestPathPrefix = "/")
        => server.Use(new StaticFiles(root, new StaticFileOptions { RequestPathPrefix = requestPathPrefix }).InvokeAsync);

    /// <summary>Serves files with a configured <see cref="StaticFiles"/>.</summary>
    /// <param name="server">The server.</param>
    /// <param name="files">The static files middleware.</param>
    /// <returns>The server.</returns>
    public static HttpServer UseStaticFiles(this HttpServer server, StaticFiles files)
        => server.Use(files.InvokeAsync);

    /// <summary>Compresses responses with brotli or gzip by Accept-Encoding (see <see cref="ResponseCompression"/>).</summary>
    /// <param name="server">The server.</param>
    /// <param name="options">Options, or <see langword="null"/> for the defaults.</param>
    /// <returns>The server.</returns>
    public static HttpServer UseCompression(this HttpServer server, CompressionOptions? options = null)
        => server.Use(new ResponseCompression(options).InvokeAsync);

    /// <summary>Believes forwarding headers from <paramref name="trustedProxies"/> (addresses or CIDR networks; see <see cref="ForwardedHeaders"/>).</summary>
    /// <param name="server">The server.</param>
    /// <param name="trustedProxies">The proxies, for example <c>127.0.0.1</c> or <c>10.0.0.0/8</c>.</param>
    /// <returns>The server.</returns>
    public static HttpServer UseForwardedHeaders(this HttpServer server, params string[] trustedProxies)
        => server.Use(new ForwardedHeaders(trustedProxies).InvokeAsync);

    /// <summary>
    /// Answers readiness (<c>200</c>, then <c>503</c> once shutdown begins) and liveness probes before routing (see
    /// <see cref="HealthEndpoints"/>). Register it first, so that no other middleware (logging, authentication) stands
    /// in front of the probes.
    /// </summary>
    /// <param name="server">The server.</param>
    /// <param name="readinessPath">The readiness path.</param>
    /// <param name="livenessPath">The liveness path.</param>
    /// <returns>The server.</returns>
    public static HttpServer UseHealthEndpoints(this HttpServer server, string readinessPath = "/health/ready", string livenessPath = "/health/live")
        => server.Use(new HealthEndpoints(server) { ReadinessPath = readinessPath, LivenessPath = livenessPath }.InvokeAsync);

    /// <summary>Uses a configured <see cref="ForwardedHeaders"/>.</summary>
    /// <param name="server">The server.</param>
    /// <param name="forwardedHeaders">The middleware.</param>
    /// <returns>The server.</returns>
    public static HttpServer UseForwardedHeaders(this HttpServer server, ForwardedHeaders forwardedHeaders)
        => server.Use(forwardedHeaders.InvokeAsync);

    /// <summary>Allows cross-origin requests from <paramref name="origins"/> (or <c>*</c>) with the default methods (see <see cref="Cors"/>).</summary>
    /// <param name="server">The server.</param>
    /// <param name="origins">The allowed origins.</param>
    /// <returns>The server.</returns>
    public static HttpServer UseCors(this HttpServer server, params string[] origins)
        => server.Use(new Cors(origins).InvokeAsync);

    /// <summary>Allows cross-origin requests as <paramref name="options"/> say (see <see cref="Cors"/>).</summary>
    /// <param name="server">The server.</param>
    /// <param name="options">Origins, methods, headers, credentials, max age.</param>
    /// <returns>The server.</returns>
    public static HttpServer UseCors(this HttpServer server, CorsOptions options)
        => server.Use(new Cors(options).InvokeAsync);

    /// <summary>Limits every client to <paramref name="perSecond"/> requests per second with bursts of <paramref name="burst"/> (see <see cref="ClientRateLimiter"/>).</summary>
    /// <param name="server">The server.</param>
    /// <param name="perSecond">The sustained rate per client.</param>
    /// <param name="burst">The bucket size.</param>
    /// <returns>The server.</returns>
    public static HttpServer UseRateLimiting(this HttpServer server, double perSecond, int burst)
        => server.Use(new ClientRateLimiter(perSecond, burst).InvokeAsync);

    /// <summary>Uses any <see cref="IMiddleware"/> globally.</summary>
    /// <param name="server">The server.</param>
    /// <param name="middleware">The middleware.</param>
    /// <returns>The server.</returns>
    public static HttpServer Use(this HttpServer server, IMiddleware middleware)
        => server.Use(middleware.InvokeAsync);
}

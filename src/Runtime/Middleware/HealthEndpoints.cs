namespace Kiln;

/// <summary>
/// Readiness and liveness endpoints for load balancers and orchestrators, answered before routing:
/// <c>GET</c>/<c>HEAD</c> <see cref="ReadinessPath"/> is <c>200 ready</c> while the server takes traffic and
/// <c>503 stopping</c> from the moment graceful shutdown begins (<see cref="HttpServer.Stopping"/>) — through
/// <see cref="ServerOptions.ShutdownDelay"/>, so the balancer takes the instance out before its listener closes — or
/// while <see cref="ReadinessCheck"/> says no; <see cref="LivenessPath"/> is <c>200 live</c> as long as the process
/// answers at all. Answers are <c>text/plain</c> with <c>Cache-Control: no-store</c>; other methods on these paths
/// and every other path go on down the pipeline.
/// </summary>
/// <example>
/// <code>
/// server.UseHealthEndpoints();                     // /health/ready and /health/live
/// options.ShutdownDelay = TimeSpan.FromSeconds(5); // keep answering (not ready) while the balancer notices
/// </code>
/// </example>
public sealed class HealthEndpoints : IMiddleware
{
    private readonly HttpServer _server;

    /// <summary>Creates the endpoints for <paramref name="server"/>, whose <see cref="HttpServer.Stopping"/> they report.</summary>
    /// <param name="server">The server.</param>
    public HealthEndpoints(HttpServer server)
    {
        ArgumentNullException.ThrowIfNull(server);
        _server = server;
    }

    /// <summary>The readiness path (default <c>/health/ready</c>); <see langword="null"/> to answer none.</summary>
    public string? ReadinessPath { get; init; } = "/health/ready";

    /// <summary>The liveness path (default <c>/health/live</c>); <see langword="null"/> to answer none.</summary>
    public string? LivenessPath { get; init; } = "/health/live";

    /// <summary>
    /// An extra readiness condition of the application (a warmed cache, a reachable database): while it returns
    /// <see langword="false"/>, readiness answers <c>503 not ready</c>. It runs on every readiness probe, so it must be
    /// cheap and must not block. <see langword="null"/> (the default) means ready whenever the server is not stopping.
    /// </summary>
    public Func<bool>? ReadinessCheck { get; init; }

    /// <inheritdoc />
    public ValueTask<HttpResponse> InvokeAsync(Request request, Handler next)
    {
        if (request.Method is HttpMethods.Get or HttpMethods.Head)
        {
            string? path = request.Path;
            if (path is not null)
            {
                if (path == ReadinessPath) return new(Readiness());
                if (path == LivenessPath) return new(Answer("live", 200));
            }
        }
        return next(request);
    }

    private HttpResponse Readiness()
    {
        if (_server.Stopping.IsCancellationRequested) return Answer("stopping", 503);
        if (ReadinessCheck is { } check && !check()) return Answer("not ready", 503);
        return Answer("ready", 200);
    }

    private static HttpResponse Answer(string text, int status) => HttpResponse.Text(text, status).WithHeader("Cache-Control", "no-store");
}

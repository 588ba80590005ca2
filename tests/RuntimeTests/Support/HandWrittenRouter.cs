namespace Kiln.RuntimeTests.Support;

/// <summary>
/// A hand-written route table for server and middleware tests (the generated router is tested in GeneratorTests):
/// a switch on the path, run as a <see cref="Kiln.Handler"/>. It converts to <see cref="Kiln.Handler"/>, so
/// <c>new HttpServer(router, options)</c> takes it like a generated router.
/// </summary>
public abstract class HandWrittenRouter
{
    private Handler? _handler;

    public Handler Handler => _handler ??= RouteAsync;

    public abstract ValueTask<HttpResponse> RouteAsync(Request request);

    public static implicit operator Handler(HandWrittenRouter router) => router.Handler;

    /// <summary>400, as the generated router answers a path that cannot be normalized.</summary>
    protected static ValueTask<HttpResponse> BadPath() => new(HttpResponse.BadRequest("Malformed request path."));

    protected static ValueTask<HttpResponse> NotFound() => new(HttpResponse.NotFound());

    /// <summary>405 with Allow, or 204 with Allow for OPTIONS, as the generated router answers.</summary>
    protected static ValueTask<HttpResponse> NotAllowed(Request request, string allow)
        => new((ReferenceEquals(request.Method, HttpMethods.Options)
            ? HttpResponse.Status(204)
            : HttpResponse.Text("Method Not Allowed", 405)).WithHeader("Allow", allow));
}

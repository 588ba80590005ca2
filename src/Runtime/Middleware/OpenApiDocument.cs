using System.Text;

namespace Kiln;

/// <summary>
/// Serves a build-time OpenAPI document (<c>AppRouter.OpenApiJson</c>) at one path: <c>GET</c> and <c>HEAD</c> of
/// exactly that path answer it as <c>application/json</c>; every other request goes on to the next handler. The UTF-8
/// bytes are made once, so a request allocates nothing.
/// </summary>
public sealed class OpenApiDocument
{
    private readonly byte[] _json;
    private readonly byte[] _path;

    /// <summary>Serves <paramref name="json"/> at <paramref name="path"/>.</summary>
    /// <param name="json">The document, for example <c>AppRouter.OpenApiJson</c>.</param>
    /// <param name="path">The request path, starting with <c>/</c>.</param>
    /// <exception cref="ArgumentException">The path does not start with <c>/</c>.</exception>
    public OpenApiDocument(string json, string path = "/openapi.json")
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(path);
        if (!path.StartsWith('/')) throw new ArgumentException("The path must start with '/', for example \"/openapi.json\".", nameof(path));
        _json = Encoding.UTF8.GetBytes(json);
        _path = Encoding.UTF8.GetBytes(path);
    }

    /// <summary>The middleware: answers the document's path (compared with the raw request path, byte for byte), passes everything else to <paramref name="next"/>.</summary>
    /// <param name="request">The request.</param>
    /// <param name="next">The rest of the pipeline.</param>
    /// <returns>The response.</returns>
    public ValueTask<HttpResponse> InvokeAsync(Request request, Handler next)
    {
        if ((request.Method == "GET" || request.Method == "HEAD") && request.RawPath.SequenceEqual(_path))
            return new(HttpResponse.Bytes(_json, "application/json; charset=utf-8"));
        return next(request);
    }
}

using System.Text.Json.Serialization.Metadata;

namespace Kiln;

/// <summary>Writes a streamed response body; the server sends what it writes with chunked transfer coding.</summary>
/// <param name="body">The response body stream. Writes are buffered and flushed by the server.</param>
/// <param name="cancellationToken">Cancelled when the client goes away or the server stops.</param>
/// <returns>A task that completes when the body is written.</returns>
public delegate ValueTask BodyWriter(Stream body, CancellationToken cancellationToken);

/// <summary>What a response carries as its body.</summary>
public enum ResponseBodyKind : byte
{
    /// <summary>No body (Content-Length: 0, or none for 1xx/204/304).</summary>
    None,
    /// <summary>A string, sent as UTF-8.</summary>
    Text,
    /// <summary>Bytes.</summary>
    Bytes,
    /// <summary>A value serialized with its <see cref="JsonTypeInfo"/>.</summary>
    Json,
    /// <summary>A <see cref="BodyWriter"/> callback, sent chunked.</summary>
    Stream,
    /// <summary>No answer at all: the connection is closed.</summary>
    Drop,
}

/// <summary>An extra response header; a small immutable list, newest first.</summary>
/// <param name="Name">The field name.</param>
/// <param name="Value">The field value.</param>
/// <param name="Next">The header added before this one.</param>
public sealed record ResponseHeader(string Name, string Value, ResponseHeader? Next);

/// <summary>
/// An HTTP response as a value: status, content type, body and extra headers. Creating one allocates nothing for
/// the common cases (status only, text, bytes, JSON of a reference type); <see cref="WithHeader"/> allocates one
/// small node.
/// </summary>
public readonly struct HttpResponse
{
    internal const string TextPlain = "text/plain; charset=utf-8";
    internal const string OctetStream = "application/octet-stream";
    internal const string ApplicationJson = "application/json; charset=utf-8";

    private readonly object? _body;          // string, byte[]-backed memory owner, JSON value or BodyWriter
    private readonly ReadOnlyMemory<byte> _bytes;
    private readonly JsonTypeInfo? _jsonTypeInfo;

    private HttpResponse(int statusCode, ResponseBodyKind kind, string? contentType, object? body,
        ReadOnlyMemory<byte> bytes, JsonTypeInfo? jsonTypeInfo, ResponseHeader? headers)
    {
        StatusCode = statusCode;
        BodyKind = kind;
        ContentType = contentType;
        _body = body;
        _bytes = bytes;
        _jsonTypeInfo = jsonTypeInfo;
        Headers = headers;
    }

    /// <summary>The status code (100–599). A default <see cref="HttpResponse"/> is 200 with no body.</summary>
    public int StatusCode { get => field == 0 ? 200 : field; init; }

    /// <summary>What the body is.</summary>
    public ResponseBodyKind BodyKind { get; }

    /// <summary>The Content-Type, or <see langword="null"/> when there is no body.</summary>
    public string? ContentType { get; }

    /// <summary>Extra headers, newest first (<see langword="null"/> when none).</summary>
    public ResponseHeader? Headers { get; }

    /// <summary>The text body when <see cref="BodyKind"/> is <see cref="ResponseBodyKind.Text"/>.</summary>
    public string? TextBody => _body as string;

    /// <summary>The bytes body when <see cref="BodyKind"/> is <see cref="ResponseBodyKind.Bytes"/>.</summary>
    public ReadOnlyMemory<byte> BodyBytes => _bytes;

    /// <summary>The value to serialize when <see cref="BodyKind"/> is <see cref="ResponseBodyKind.Json"/>.</summary>
    public object? JsonValue => BodyKind == ResponseBodyKind.Json ? _body : null;

    /// <summary>The metadata that serializes <see cref="JsonValue"/>.</summary>
    public JsonTypeInfo? JsonTypeInfo => _jsonTypeInfo;

    /// <summary>The body writer when <see cref="BodyKind"/> is <see cref="ResponseBodyKind.Stream"/>.</summary>
    public BodyWriter? BodyWriter => _body as BodyWriter;

    /// <summary>Whether this response closes the connection without answering.</summary>
    public bool IsDrop => BodyKind == ResponseBodyKind.Drop;

    /// <summary>A <c>text/plain; charset=utf-8</c> response.</summary>
    /// <param name="body">The text, sent as UTF-8.</param>
    /// <param name="status">The status code.</param>
    /// <returns>The response.</returns>
    /// <remarks>Every body factory takes the body, then the content type, then the status; this overload leaves out the content type.</remarks>
    public static HttpResponse Text(string body, int status = 200)
        => new(status, ResponseBodyKind.Text, TextPlain, body, default, null, null);

    /// <summary>A text response with the Content-Type <paramref name="contentType"/> (for example <c>text/html; charset=utf-8</c>).</summary>
    /// <param name="body">The text, sent as UTF-8.</param>
    /// <param name="contentType">The Content-Type.</param>
    /// <param name="status">The status code.</param>
    /// <returns>The response.</returns>
    public static HttpResponse Text(string body, string contentType, int status = 200)
        => new(status, ResponseBodyKind.Text, contentType, body, default, null, null);

    /// <summary>A bytes response.</summary>
    /// <param name="body">The body.</param>
    /// <param name="contentType">The Content-Type.</param>
    /// <param name="status">The status code.</param>
    /// <returns>The response.</returns>
    public static HttpResponse Bytes(ReadOnlyMemory<byte> body, string contentType = OctetStream, int status = 200)
        => new(status, ResponseBodyKind.Bytes, contentType, null, body, null, null);

    /// <summary>A JSON response serialized through source-generated metadata (no reflection).</summary>
    /// <typeparam name="T">The value's type.</typeparam>
    /// <param name="value">The value.</param>
    /// <param name="typeInfo">Its metadata, from a <c>JsonSerializerContext</c>.</param>
    /// <param name="status">The status code.</param>
    /// <returns>The response.</returns>
    public static HttpResponse Json<T>(T value, JsonTypeInfo<T> typeInfo, int status = 200)
        => new(status, ResponseBodyKind.Json, ApplicationJson, value, default, typeInfo, null);

    /// <summary>A streamed response: <paramref name="writer"/> writes the body, which is sent chunked.</summary>
    /// <param name="writer">The callback that writes the body.</param>
    /// <param name="contentType">The Content-Type.</param>
    /// <param name="status">The status code.</param>
    /// <returns>The response.</returns>
    public static HttpResponse Stream(BodyWriter writer, string contentType = OctetStream, int status = 200)
        => new(status, ResponseBodyKind.Stream, contentType, writer, default, null, null);

    /// <summary>A response with status <paramref name="code"/> and no body.</summary>
    /// <param name="code">The status code.</param>
    /// <returns>The response.</returns>
    public static HttpResponse Status(int code) => new(code, ResponseBodyKind.None, null, null, default, null, null);

    /// <summary>200 with no body.</summary>
    public static HttpResponse Ok() => Status(200);

    /// <summary>404 with a short text body.</summary>
    /// <returns>The response.</returns>
    public static HttpResponse NotFound() => Text("Not Found", 404);

    /// <summary>400 with <paramref name="reason"/> as a short text body.</summary>
    /// <param name="reason">Why the request is bad; sent to the client.</param>
    /// <returns>The response.</returns>
    public static HttpResponse BadRequest(string reason = "Bad Request") => Text(reason, 400);

    /// <summary>201 with a Location header.</summary>
    /// <param name="location">The new resource's URI.</param>
    /// <returns>The response.</returns>
    public static HttpResponse Created(string location) => Status(201).WithHeader("Location", location);

    /// <summary>201 with a Location header and a JSON body.</summary>
    /// <typeparam name="T">The value's type.</typeparam>
    /// <param name="location">The new resource's URI.</param>
    /// <param name="value">The created resource.</param>
    /// <param name="typeInfo">Its JSON metadata.</param>
    /// <returns>The response.</returns>
    public static HttpResponse Created<T>(string location, T value, JsonTypeInfo<T> typeInfo)
        => Json(value, typeInfo, 201).WithHeader("Location", location);

    /// <summary>
    /// A redirect with a Location header, as ASP.NET Core's <c>Results.Redirect</c> answers it: 302 Found, 301 Moved
    /// Permanently when <paramref name="permanent"/>; with <paramref name="preserveMethod"/>, 307 Temporary Redirect or
    /// 308 Permanent Redirect, which tell the client to repeat the same method and body (a POST stays a POST).
    /// </summary>
    /// <param name="location">Where to go.</param>
    /// <param name="permanent">Whether the redirect is permanent (301, or 308 with <paramref name="preserveMethod"/>).</param>
    /// <param name="preserveMethod">Whether the client must keep the request's method and body (307/308); clients may turn a
    /// POST into a GET on 301/302.</param>
    /// <returns>The response.</returns>
    public static HttpResponse Redirect(string location, bool permanent = false, bool preserveMethod = false)
        => Status(preserveMethod ? (permanent ? 308 : 307) : (permanent ? 301 : 302)).WithHeader("Location", location);

    /// <summary>204 No Content.</summary>
    /// <returns>The response.</returns>
    public static HttpResponse NoContent() => Status(204);

    /// <summary>Closes the connection without answering (for abusive or unwanted clients).</summary>
    public static HttpResponse Drop => new(0, ResponseBodyKind.Drop, null, null, default, null, null);

    /// <summary>This response with one more header.</summary>
    /// <param name="name">The field name.</param>
    /// <param name="value">The field value; must not contain CR or LF.</param>
    /// <returns>The new response.</returns>
    public HttpResponse WithHeader(string name, string value)
    {
        if (value.AsSpan().IndexOfAny('\r', '\n') >= 0 || name.AsSpan().IndexOfAny('\r', '\n', ':') >= 0)
            throw new ArgumentException("Header names and values must not contain CR, LF (or ':' in names).");
        return new(StatusCode, BodyKind, ContentType, _body, _bytes, _jsonTypeInfo, new ResponseHeader(name, value, Headers));
    }

    /// <summary>This response with another status code.</summary>
    /// <param name="code">The status code.</param>
    /// <returns>The new response.</returns>
    public HttpResponse WithStatus(int code) => this with { StatusCode = code };

    /// <summary>This response with another Content-Type.</summary>
    /// <param name="contentType">The Content-Type.</param>
    /// <returns>The new response.</returns>
    public HttpResponse WithContentType(string contentType)
        => new(StatusCode, BodyKind, contentType, _body, _bytes, _jsonTypeInfo, Headers);

    /// <summary>This response with a <c>Set-Cookie</c> header.</summary>
    /// <param name="name">The cookie name (a token).</param>
    /// <param name="value">The cookie value (percent-encoded where needed).</param>
    /// <param name="options">Attributes: path, domain, expiry, Secure, HttpOnly, SameSite.</param>
    /// <returns>The new response.</returns>
    public HttpResponse WithCookie(string name, string value, CookieOptions? options = null)
        => WithHeader("Set-Cookie", CookieOptions.Format(name, value, options));

    /// <summary>This response with a <c>Set-Cookie</c> header that deletes the cookie <paramref name="name"/>.</summary>
    /// <param name="name">The cookie name.</param>
    /// <param name="path">The path the cookie was set for.</param>
    /// <returns>The new response.</returns>
    public HttpResponse WithDeletedCookie(string name, string path = "/")
        => WithCookie(name, "", new CookieOptions { Path = path, MaxAge = TimeSpan.Zero, Expires = DateTimeOffset.UnixEpoch });

    /// <summary>Finds the value of the extra header <paramref name="name"/> (case-insensitive), newest first.</summary>
    /// <param name="name">The field name.</param>
    /// <returns>The value, or <see langword="null"/>.</returns>
    public string? GetHeader(string name)
    {
        for (var h = Headers; h is not null; h = h.Next)
            if (string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase))
                return h.Value;
        return null;
    }

    /// <summary>This response with <paramref name="body"/> replacing the body and content type (for middleware).</summary>
    /// <param name="body">The new body.</param>
    /// <param name="contentType">The new Content-Type.</param>
    /// <returns>The new response.</returns>
    public HttpResponse WithBody(ReadOnlyMemory<byte> body, string contentType)
        => new(StatusCode, ResponseBodyKind.Bytes, contentType, null, body, null, Headers);

    /// <summary>This response without the extra header <paramref name="name"/>.</summary>
    /// <param name="name">The field name (case-insensitive).</param>
    /// <returns>The new response.</returns>
    public HttpResponse WithoutHeader(string name)
    {
        ResponseHeader? kept = null;
        var list = new List<ResponseHeader>();
        for (var h = Headers; h is not null; h = h.Next)
            if (!string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase))
                list.Add(h);
        for (int i = list.Count - 1; i >= 0; i--)
            kept = new ResponseHeader(list[i].Name, list[i].Value, kept);
        return new(StatusCode, BodyKind, ContentType, _body, _bytes, _jsonTypeInfo, kept);
    }

    /// <summary>A completed task of this response, for handlers that answer synchronously.</summary>
    /// <param name="response">The response.</param>
    public static implicit operator ValueTask<HttpResponse>(HttpResponse response) => new(response);
}

/// <summary>Attributes of a <c>Set-Cookie</c> header.</summary>
public sealed class CookieOptions
{
    /// <summary>The Path attribute.</summary>
    public string? Path { get; init; } = "/";
    /// <summary>The Domain attribute.</summary>
    public string? Domain { get; init; }
    /// <summary>The Expires attribute.</summary>
    public DateTimeOffset? Expires { get; init; }
    /// <summary>The Max-Age attribute.</summary>
    public TimeSpan? MaxAge { get; init; }
    /// <summary>The Secure attribute.</summary>
    public bool Secure { get; init; }
    /// <summary>The HttpOnly attribute (on by default).</summary>
    public bool HttpOnly { get; init; } = true;
    /// <summary>The SameSite attribute: <c>Lax</c>, <c>Strict</c>, <c>None</c>, or <see langword="null"/> to omit.</summary>
    public string? SameSite { get; init; } = "Lax";

    internal static string Format(string name, string value, CookieOptions? o)
    {
        if (name.Length == 0 || name.AsSpan().IndexOfAny("()<>@,;:\\\"/[]?={} \t\r\n") >= 0)
            throw new ArgumentException($"'{name}' is not a valid cookie name.", nameof(name));
        if (value.AsSpan().IndexOfAny("\",;\\ \t\r\n") >= 0)
            throw new ArgumentException("Cookie values must not contain quotes, commas, semicolons, backslashes or whitespace; percent-encode them.", nameof(value));
        o ??= Default;
        var sb = new System.Text.StringBuilder(name.Length + value.Length + 64);
        sb.Append(name).Append('=').Append(value);
        if (o.Path is not null) sb.Append("; Path=").Append(o.Path);
        if (o.Domain is not null) sb.Append("; Domain=").Append(o.Domain);
        if (o.Expires is { } e) sb.Append("; Expires=").Append(e.UtcDateTime.ToString("r", System.Globalization.CultureInfo.InvariantCulture));
        if (o.MaxAge is { } m) sb.Append("; Max-Age=").Append(((long)m.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (o.Secure) sb.Append("; Secure");
        if (o.HttpOnly) sb.Append("; HttpOnly");
        if (o.SameSite is not null) sb.Append("; SameSite=").Append(o.SameSite);
        return sb.ToString();
    }

    private static readonly CookieOptions Default = new();
}

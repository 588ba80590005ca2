using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Kiln.Routing;

namespace Kiln;

/// <summary>The HTTP version of a request.</summary>
public enum HttpProtocolVersion : byte
{
    /// <summary>HTTP/1.0.</summary>
    Http10,
    /// <summary>HTTP/1.1.</summary>
    Http11,
}

/// <summary>
/// One HTTP request. The connection owns one <see cref="Request"/> and reuses it for every request it reads, so a
/// request is valid only until its response has been written; copy out anything you need to keep.
/// </summary>
public sealed class Request
{
    private byte[] _target = new byte[256];
    private int _targetLength;
    private int _pathLength;               // bytes of the target before '?' (or all of it)
    private string? _targetString;
    private string? _pathString;
    private Dictionary<string, object?>? _items;
    private IServiceProvider? _services;
    private Func<Request, IServiceProvider?>? _servicesFactory;
    private readonly Lock _servicesLock = new();   // the factory's one run, against a second reader and the request's end
    private bool _inServicesFactory;
    private readonly RoutePath _routePath = new();
    private IPAddress? _clientAddress;
    private IAsyncDisposable? _disposable;
    private List<IAsyncDisposable>? _moreDisposables;

    /// <summary>Creates an empty request (the server fills it; tests may use <see cref="Create"/>).</summary>
    internal Request() { }

    /// <summary>The method token, for example <c>GET</c>. Known methods are interned strings.</summary>
    public string Method { get; private set; } = HttpMethods.Get;

    /// <summary>The HTTP version.</summary>
    public HttpProtocolVersion Version { get; internal set; } = HttpProtocolVersion.Http11;

    /// <summary>The raw request-target as sent (origin-form; for absolute-form, the path and query part).</summary>
    public string Target => _targetString ??= Encoding.UTF8.GetString(TargetBytes);

    /// <summary>The raw request-target bytes.</summary>
    public ReadOnlySpan<byte> TargetBytes => _target.AsSpan(0, _targetLength);

    /// <summary>The raw path bytes (the target up to <c>?</c>), not yet decoded.</summary>
    public ReadOnlySpan<byte> RawPath => _target.AsSpan(0, _pathLength);

    /// <summary>
    /// The path, percent-decoded and with dot segments removed, as the router matched it; <c>%2F</c> stays
    /// encoded so it cannot split a segment. <see langword="null"/> when the path is malformed (the router answers 400).
    /// </summary>
    public string? Path => _pathString ??= TryGetRoutePath(out var bytes) ? Encoding.UTF8.GetString(bytes) : null;

    /// <summary>The normalized path (computed once per request, in place when nothing needs decoding).</summary>
    internal bool TryGetRoutePath(out ReadOnlySpan<byte> path) => _routePath.TryGetInPlace(_target, _pathLength, out path);

    /// <summary>The query string, decoded on lookup.</summary>
    public QueryCollection Query { get; } = new();

    /// <summary>The header fields.</summary>
    public RequestHeaders Headers { get; } = new();

    /// <summary>The client's address (for Unix sockets, the socket's endpoint).</summary>
    public EndPoint? RemoteEndPoint { get; internal set; }

    /// <summary>The address the request arrived on.</summary>
    public EndPoint? LocalEndPoint { get; internal set; }

    /// <summary>
    /// The effective client address: the peer's IP address from <see cref="RemoteEndPoint"/>, unless a middleware
    /// (such as <see cref="ForwardedHeaders"/> behind a trusted proxy) has set it to the address the proxy reported.
    /// Reset at the start of every request; <see cref="RemoteEndPoint"/> always stays the immediate peer.
    /// </summary>
    public IPAddress? ClientAddress
    {
        get => _clientAddress ?? (RemoteEndPoint as IPEndPoint)?.Address;
        set => _clientAddress = value;
    }

    /// <summary>Whether the connection is TLS.</summary>
    public bool IsHttps { get; internal set; }

    /// <summary>The scheme the client used: <c>http</c> or <c>https</c> (forwarded-headers middleware may change it).</summary>
    public string Scheme { get; set; } = "http";

    /// <summary>Per-request state for middleware and handlers; created on first use and cleared between requests.</summary>
    public IDictionary<string, object?> Items => _items ??= new Dictionary<string, object?>(StringComparer.Ordinal);

    /// <summary>
    /// The services of this request, from which <c>[Service]</c> parameters are resolved: under <c>Kiln.Hosting</c>
    /// (<c>services.AddKiln</c>) the provider of a dependency-injection scope created for the request on first use
    /// and disposed after its response. <see langword="null"/> when no host (or middleware) set it; reset at the
    /// start of every request. Setting it replaces a factory given to <see cref="SetServicesFactory"/>.
    /// </summary>
    public IServiceProvider? Services
    {
        get => _services ?? CreateServices();
        set
        {
            _services = value;
            _servicesFactory = null;
        }
    }

    /// <summary>
    /// Makes <see cref="Services"/> lazy for this request: <paramref name="factory"/> runs on the first read of
    /// <see cref="Services"/> (by a <c>[Service]</c> parameter, middleware or the handler), and its result is kept
    /// for the rest of the request; a request that never reads <see cref="Services"/> never calls it. Readers on
    /// other threads wait for that one run and get its result. A factory that throws throws to its reader and runs
    /// again on the next read. Once the response has been written, <see cref="Services"/> is <see langword="null"/>
    /// and the factory no longer runs.
    /// </summary>
    /// <remarks>
    /// What the factory registers with <see cref="RegisterForDispose"/> while it runs — the scope it creates — is
    /// disposed after everything else registered for the request, whenever the factory ran: the services outlive
    /// the objects that use them, as they would had the scope been created first.
    /// </remarks>
    /// <param name="factory">Creates the request's services; a delegate cached by the caller allocates nothing per
    /// request.</param>
    /// <example>
    /// <code>
    /// // A scope per request, created only when something asks for a service (what Kiln.Hosting does).
    /// Func&lt;Request, IServiceProvider?&gt; createScope = request =&gt;
    /// {
    ///     var scope = scopeFactory.CreateAsyncScope();
    ///     request.RegisterForDispose(scope);
    ///     return scope.ServiceProvider;
    /// };
    /// server.Use((request, next) =&gt;
    /// {
    ///     request.SetServicesFactory(createScope);
    ///     return next(request);
    /// });
    /// </code>
    /// </example>
    public void SetServicesFactory(Func<Request, IServiceProvider?> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        lock (_servicesLock)
        {
            _services = null;
            _servicesFactory = factory;
        }
    }

    private IServiceProvider? CreateServices()
    {
        if (_servicesFactory is null) return null;
        lock (_servicesLock)
        {
            if (_services is { } made) return made;   // another reader ran the factory meanwhile
            var factory = _servicesFactory;
            if (factory is null) return null;          // none, or the request has ended
            _inServicesFactory = true;
            try { _services = factory(this); }
            finally { _inServicesFactory = false; }
            _servicesFactory = null;                   // once it has succeeded, even when it returned null
            return _services;
        }
    }

    /// <summary>
    /// The request is over: <see cref="Services"/> is <see langword="null"/> from now on and the factory no longer
    /// runs; a run in progress on another thread finishes first, so what it registers is seen by the disposal.
    /// </summary>
    internal void EndServices()
    {
        if (_servicesFactory is null && _services is null) return;   // nothing to end, and no run can be in progress
        lock (_servicesLock)
        {
            _services = null;
            _servicesFactory = null;
        }
    }

    /// <summary>
    /// Has <paramref name="disposable"/> disposed once this request's response has been written (or the connection
    /// failed while answering it) — later than the handler and the middleware return, so a streamed or JSON body
    /// written after them may still use it. Disposed in reverse order of registration; an exception from one is
    /// logged and does not stop the others. What a <see cref="SetServicesFactory"/> factory registers is disposed last.
    /// </summary>
    /// <param name="disposable">What to dispose, for example a dependency-injection scope.</param>
    public void RegisterForDispose(IAsyncDisposable disposable)
    {
        ArgumentNullException.ThrowIfNull(disposable);
        if (_disposable is null) _disposable = disposable;
        else if (_inServicesFactory)
        {
            // Disposed last, as if registered first: the oldest registration moves to the front of the others.
            (_moreDisposables ??= new()).Insert(0, _disposable);
            _disposable = disposable;
        }
        else (_moreDisposables ??= new()).Add(disposable);
    }

    /// <summary>Whether anything waits in <see cref="RegisterForDispose"/>.</summary>
    internal bool HasDisposables => _disposable is not null;

    /// <summary>Disposes what was registered for this request (newest first), each even when another throws; call <see cref="EndServices"/> first.</summary>
    /// <param name="onError">Told about each exception.</param>
    internal async ValueTask DisposeRegisteredAsync(Action<Exception> onError)
    {
        var more = _moreDisposables;
        if (more is not null)
        {
            for (int i = more.Count - 1; i >= 0; i--)
            {
                try { await more[i].DisposeAsync().ConfigureAwait(false); }
                catch (Exception e) { onError(e); }
            }
            more.Clear();
        }
        var first = _disposable;
        _disposable = null;
        if (first is not null)
        {
            try { await first.DisposeAsync().ConfigureAwait(false); }
            catch (Exception e) { onError(e); }
        }
    }

    /// <summary>Cancelled when the client goes away or the server stops.</summary>
    public CancellationToken Aborted { get; internal set; }

    /// <summary>The Content-Length the client declared, or <see langword="null"/> (chunked, or no body).</summary>
    public long? ContentLength { get; internal set; }

    /// <summary>Whether the request has a body (a Content-Length above zero, or chunked transfer coding).</summary>
    public bool HasBody { get; internal set; }

    /// <summary>
    /// The request body, streamed from the connection as it arrives (de-chunked, limited to the server's
    /// <c>MaxRequestBodySize</c>: reading past it throws <see cref="BadHttpRequestException"/> with 413).
    /// </summary>
    public Stream Body { get; internal set; } = Stream.Null;

    /// <summary>
    /// The template of the route the router matched, as written in its attribute (for example
    /// <c>/accounts/&lt;id&gt;/history</c>); <see langword="null"/> before routing and when no route matched (404,
    /// 405). Middleware sees it after calling <c>next</c>; it is the <c>http.route</c> of Kiln's telemetry.
    /// </summary>
    public string? RouteTemplate { get; internal set; }

    /// <summary>The route-matching state (segment offsets); generated routers read it through <see cref="Router"/>'s protected API.</summary>
    internal RoutePath Route => _routePath;

    /// <summary>
    /// Changes what the router will match: a middleware may rewrite the method and/or the request-target
    /// (path and query) before calling <c>next</c>.
    /// </summary>
    /// <param name="method">The new method token, or <see langword="null"/> to keep it.</param>
    /// <param name="target">The new request-target (origin-form, starting with <c>/</c>), or <see langword="null"/> to keep it.</param>
    public void Rewrite(string? method = null, string? target = null)
    {
        if (method is not null)
        {
            if (method.Length == 0 || !HttpMethods.IsToken(method))
                throw new ArgumentException("A method must be a non-empty token.", nameof(method));
            Method = HttpMethods.Intern(method);
        }
        if (target is not null)
        {
            if (target.Length == 0 || target[0] != '/')
                throw new ArgumentException("A target must start with '/'.", nameof(target));
            SetTarget(Encoding.UTF8.GetBytes(target));
        }
    }

    /// <summary>The value of the cookie <paramref name="name"/> from the <c>Cookie</c> header(s), or <see langword="null"/>.</summary>
    /// <param name="name">The cookie name (case-sensitive, as RFC 6265 says).</param>
    /// <returns>The value as sent (surrounding double quotes removed), or <see langword="null"/>; the first when the name repeats.</returns>
    public string? GetCookie(string name)
    {
        foreach (var header in Headers.GetValues("Cookie"))
            foreach (var (cookieName, value) in new CookieEnumerator(header))
                if (header.AsSpan()[cookieName].SequenceEqual(name)) return header[value];
        return null;
    }

    /// <summary>
    /// Every cookie from the <c>Cookie</c> header(s), in the order sent: <c>name=value</c> pairs separated by
    /// <c>;</c> (RFC 6265 §4.2), values with surrounding double quotes removed. A name may occur more than once
    /// (cookies set for different paths or domains); pieces without a name are skipped.
    /// </summary>
    /// <returns>The cookies as name/value pairs (a new list per call).</returns>
    public IReadOnlyList<KeyValuePair<string, string>> GetCookies()
    {
        var cookies = new List<KeyValuePair<string, string>>();
        foreach (var header in Headers.GetValues("Cookie"))
            foreach (var (name, value) in new CookieEnumerator(header))
                cookies.Add(new(header[name], header[value]));
        return cookies;
    }

    /// <summary>Walks the <c>name=value</c> pairs of one Cookie header as ranges, without allocating.</summary>
    private struct CookieEnumerator(string header)
    {
        private int _next;

        public (Range Name, Range Value) Current { get; private set; }

        public readonly CookieEnumerator GetEnumerator() => this;

        public bool MoveNext()
        {
            while (_next < header.Length)
            {
                int start = _next;
                int semi = header.IndexOf(';', start);
                int end = semi < 0 ? header.Length : semi;
                _next = end + 1;
                int eq = header.IndexOf('=', start, end - start);
                if (eq < 0) continue;
                var name = Trim(start, eq);
                if (name.Start.Value == name.End.Value) continue;
                var value = Trim(eq + 1, end);
                if (value.End.Value - value.Start.Value >= 2 && header[value.Start.Value] == '"' && header[value.End.Value - 1] == '"')
                    value = (value.Start.Value + 1)..(value.End.Value - 1);
                Current = (name, value);
                return true;
            }
            return false;
        }

        private readonly Range Trim(int start, int end)
        {
            while (start < end && char.IsWhiteSpace(header[start])) start++;
            while (end > start && char.IsWhiteSpace(header[end - 1])) end--;
            return start..end;
        }
    }

    /// <summary>
    /// The server's allowance for bodies read whole (<see cref="ServerOptions.MaxBufferedBodyBytes"/>); none for a
    /// request made with <see cref="Create"/>.
    /// </summary>
    internal Http.MemoryBudget? BodyBudget { get; set; }

    /// <summary>
    /// Reads the whole body as bytes (up to the server's body limit). The body is gathered in pooled blocks as it
    /// arrives, then copied into one array of exactly its length.
    /// </summary>
    /// <param name="cancellationToken">Cancels the read (by default <see cref="Aborted"/>).</param>
    /// <returns>The body.</returns>
    /// <exception cref="BadHttpRequestException">The body could not be read: malformed framing (400), too large
    /// (413), too slow (408), or the server cannot hold it now (503).</exception>
    public async ValueTask<byte[]> ReadBodyAsBytesAsync(CancellationToken cancellationToken = default)
    {
        if (!HasBody) return [];
        using var body = await Http.BufferedBody.ReadAsync(Body, BodyBudget, Token(cancellationToken)).ConfigureAwait(false);
        return body.ToArray();
    }

    /// <summary>Reads the whole body as UTF-8 text (invalid sequences become U+FFFD); <c>""</c> when there is none.</summary>
    /// <param name="cancellationToken">Cancels the read (by default <see cref="Aborted"/>).</param>
    /// <returns>The body text.</returns>
    /// <exception cref="BadHttpRequestException">As for <see cref="ReadBodyAsBytesAsync"/>.</exception>
    public async ValueTask<string> ReadBodyAsStringAsync(CancellationToken cancellationToken = default)
    {
        if (!HasBody) return "";
        using var body = await Http.BufferedBody.ReadAsync(Body, BodyBudget, Token(cancellationToken)).ConfigureAwait(false);
        return body.ToUtf8String();
    }

    /// <summary>
    /// Reads the body as JSON through source-generated metadata. Answers (by throwing
    /// <see cref="BadHttpRequestException"/>) 415 when the Content-Type is not JSON, and 400 when the body is empty,
    /// is not valid JSON, or is valid JSON of the wrong shape for <typeparamref name="T"/> — the message says which,
    /// with the JSON path, line and byte position the serializer reports.
    /// </summary>
    /// <typeparam name="T">The body type.</typeparam>
    /// <param name="typeInfo">Its metadata from a <c>JsonSerializerContext</c>.</param>
    /// <param name="cancellationToken">Cancels the read (by default <see cref="Aborted"/>).</param>
    /// <returns>The value (may be <see langword="null"/> for a JSON <c>null</c>).</returns>
    public async ValueTask<T?> ReadFromJsonAsync<T>(JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        if (!IsJsonContentType(Headers["Content-Type"]))
            throw new BadHttpRequestException("Expected a JSON body (Content-Type: application/json).", 415);
        if (!HasBody)
            throw new BadHttpRequestException("The request body is empty; a JSON value was expected.");
        using var body = await Http.BufferedBody.ReadAsync(Body, BodyBudget, Token(cancellationToken)).ConfigureAwait(false);
        return Http.JsonBody.Deserialize(body.Sequence, typeInfo);
    }

    private CancellationToken Token(CancellationToken cancellationToken) => cancellationToken.CanBeCanceled ? cancellationToken : Aborted;

    /// <summary>Whether <paramref name="contentType"/> is <c>application/json</c> or a <c>+json</c> type.</summary>
    internal static bool IsJsonContentType(string? contentType)
    {
        if (contentType is null) return false;
        var media = contentType.AsSpan();
        int semi = media.IndexOf(';');
        if (semi >= 0) media = media[..semi];
        media = media.Trim();
        return media.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || (media.StartsWith("application/", StringComparison.OrdinalIgnoreCase) && media.EndsWith("+json", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Starts a new request on this (reused) object: method, target and version from the request line.</summary>
    internal void Begin(ReadOnlySpan<byte> method, ReadOnlySpan<byte> target, HttpProtocolVersion version)
    {
        Method = HttpMethods.Intern(method);
        Version = version;
        Headers.Clear();
        _items?.Clear();
        _clientAddress = null;
        Services = null;
        RouteTemplate = null;
        ContentLength = null;
        HasBody = false;
        Body = Stream.Null;
        Scheme = IsHttps ? "https" : "http";
        SetTarget(target);
    }

    private void SetTarget(ReadOnlySpan<byte> target)
    {
        if (target.Length > _target.Length) _target = new byte[Math.Max(target.Length, _target.Length * 2)];
        target.CopyTo(_target);
        _targetLength = target.Length;
        int q = target.IndexOf((byte)'?');
        _pathLength = q < 0 ? target.Length : q;
        Query.Set(q < 0 ? default : target[(q + 1)..]);
        _targetString = null;
        _pathString = null;
        _routePath.Reset();
    }

    /// <summary>Creates a stand-alone request, for tests and for calling a router without a server.</summary>
    /// <param name="method">The method token.</param>
    /// <param name="target">The request-target, for example <c>/accounts/42?limit=5</c>.</param>
    /// <param name="headers">Header fields.</param>
    /// <param name="body">The body, or <see langword="null"/>.</param>
    /// <returns>The request.</returns>
    public static Request Create(string method, string target, IEnumerable<KeyValuePair<string, string>>? headers = null, byte[]? body = null)
    {
        var request = new Request();
        request.Begin(Encoding.ASCII.GetBytes(method), Encoding.UTF8.GetBytes(target), HttpProtocolVersion.Http11);
        if (headers is not null)
            foreach (var (name, value) in headers)
                request.Headers.Add(Encoding.ASCII.GetBytes(name), Encoding.UTF8.GetBytes(value));
        if (body is not null)
        {
            request.Body = new MemoryStream(body, writable: false);
            request.ContentLength = body.Length;
            request.HasBody = body.Length > 0;
        }
        return request;
    }
}

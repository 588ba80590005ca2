using System.Diagnostics;

namespace Kiln.Http;

/// <summary>
/// The telemetry of the request a connection is serving: the <c>http.server.request.duration</c> measurement, the
/// <c>http.server.active_requests</c> count and the server span. Owned by the connection's request loop (one per
/// connection, reused). <see cref="Start"/> costs three flag checks when nobody listens and then nothing else runs;
/// what is counted up at the start is counted down at the end with the same tags, even if a listener came or went
/// in between.
/// </summary>
internal struct RequestTelemetry
{
    private long _started;           // Stopwatch timestamp; 0 when the duration is not measured
    private string _method;          // the method as the client sent it (a middleware may rewrite the request's)
    private string? _activeScheme;   // url.scheme of the active_requests increment; null when not counted
    private Activity? _activity;
    private int _status;             // 0: no status was sent
    private string? _error;

    /// <summary>Begins measuring a request whose head has been read; <see langword="false"/> when nobody listens.</summary>
    public bool Start(Request request)
    {
        bool duration = Instruments.RequestDuration.Enabled;
        bool active = Instruments.ActiveRequests.Enabled;
        bool tracing = Instruments.Source.HasListeners();
        if (!(duration | active | tracing)) return false;
        StartCore(request, duration, active, tracing);
        return true;
    }

    private void StartCore(Request request, bool duration, bool active, bool tracing)
    {
        _method = request.Method;
        _status = 0;
        _error = null;
        _started = duration ? Stopwatch.GetTimestamp() : 0;
        _activeScheme = null;
        if (active)
        {
            _activeScheme = request.Scheme;
            Instruments.ActiveRequests.Add(1, new(Instruments.Method, Instruments.MethodTag(_method)), new(Instruments.Scheme, _activeScheme));
        }
        _activity = tracing ? StartActivity(request) : null;
    }

    private Activity? StartActivity(Request request)
    {
        ActivityContext parent = default;
        if (request.Headers["traceparent"] is { } traceparent)
            ActivityContext.TryParse(traceparent, request.Headers["tracestate"], isRemote: true, out parent);
        // The span's parent is the client's traceparent or nothing: never whatever flowed into the connection.
        if (Activity.Current is not null) Activity.Current = null;

        bool known = Instruments.IsKnown(_method);
        var path = request.RawPath;
        KeyValuePair<string, object?>[] tags = known ? new KeyValuePair<string, object?>[4] : new KeyValuePair<string, object?>[5];
        tags[0] = new(Instruments.Method, known ? _method : "_OTHER");
        tags[1] = new(Instruments.Scheme, request.Scheme);
        tags[2] = new(Instruments.Path, System.Text.Encoding.UTF8.GetString(path));
        tags[3] = new(Instruments.ProtocolVersion, Instruments.VersionTag(request.Version));
        if (!known) tags[4] = new(Instruments.MethodOriginal, _method);
        // Span name: "{method}" until the route is known ("HTTP" for a method the conventions do not know).
        var activity = Instruments.Source.CreateActivity(known ? _method : "HTTP", ActivityKind.Server, parent, tags);
        activity?.Start();
        return activity;
    }

    /// <summary>The status code sent (call before <see cref="Stop"/>; not at all when none was sent).</summary>
    public void Respond(int status) => _status = status;

    /// <summary>The request failed without a status, or with an exception: <c>error.type</c> and span status Error.</summary>
    public void Fail(string errorType) => _error ??= errorType;

    /// <summary>The handler threw <paramref name="exception"/>: recorded on the span, its type as <c>error.type</c>.</summary>
    public void Fail(Exception exception)
    {
        _error ??= exception.GetType().FullName ?? "_OTHER";
        _activity?.AddException(exception);
    }

    /// <summary>Ends what <see cref="Start"/> began (only after it returned <see langword="true"/>).</summary>
    public void Stop(Request request)
    {
        string? route = request.RouteTemplate;
        string? error = _error ?? Instruments.ServerErrorType(_status);
        string method = Instruments.MethodTag(_method);
        if (_started != 0 && Instruments.RequestDuration.Enabled)
        {
            var tags = new TagList
            {
                { Instruments.Method, method },
                { Instruments.Scheme, request.Scheme },
                { Instruments.ProtocolVersion, Instruments.VersionTag(request.Version) },
            };
            if (_status != 0) tags.Add(Instruments.StatusCode, Instruments.StatusCodeTag(_status));
            if (route is not null) tags.Add(Instruments.Route, route);
            if (error is not null) tags.Add(Instruments.ErrorType, error);
            Instruments.RequestDuration.Record(Stopwatch.GetElapsedTime(_started).TotalSeconds, tags);
        }
        if (_activeScheme is not null)
            Instruments.ActiveRequests.Add(-1, new(Instruments.Method, method), new(Instruments.Scheme, _activeScheme));
        if (_activity is { } activity)
        {
            _activity = null;
            if (activity.IsAllDataRequested)
            {
                activity.SetTag(Instruments.Scheme, request.Scheme);
                if (route is not null)
                {
                    activity.DisplayName = activity.OperationName + " " + route;
                    activity.SetTag(Instruments.Route, route);
                }
                if (_status != 0) activity.SetTag(Instruments.StatusCode, Instruments.StatusCodeTag(_status));
                if (error is not null) activity.SetTag(Instruments.ErrorType, error);
            }
            if (error is not null) activity.SetStatus(ActivityStatusCode.Error);
            activity.Stop();
        }
    }
}

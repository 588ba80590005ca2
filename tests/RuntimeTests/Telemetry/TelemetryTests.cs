using System.Diagnostics;
using System.Text;
using Kiln.Generated;
using Kiln.RuntimeTests.Support;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Sample;

namespace Kiln.RuntimeTests.Telemetry;

/// <summary>
/// Kiln's meter and activity source are process-wide (named <c>Kiln</c>), so these tests run alone: a collection
/// with parallelization disabled runs after every other test, and nothing else records while they listen.
/// </summary>
[CollectionDefinition(nameof(TelemetryCollection), DisableParallelization = true)]
public sealed class TelemetryCollection;

/// <summary>
/// The sample's generated router behind a real server, observed through the real OpenTelemetry SDK and its in-memory
/// exporter: the exported metric points and spans carry exactly the names, units and tags of the OpenTelemetry HTTP
/// semantic conventions (and Kiln's own <c>kiln.*</c> instruments).
/// </summary>
[Collection(nameof(TelemetryCollection))]
public sealed class TelemetryTests
{
    private const string Route = "/accounts/<id>/history";

    private static Task<TestServer> StartSampleAsync(Action<ServerOptions>? configure = null, Action<HttpServer>? setup = null)
    {
        var store = new AccountStore();
        var router = new AppRouter(store, new Admin(store), new Site(new StaticFiles(AppContext.BaseDirectory)), new ApiKeyMiddleware("secret"));
        return TestServer.StartAsync(configure, router.Handler, setup: setup);
    }

    /// <summary>Sends one request on a new connection and reads the answer (the server closes after an error).</summary>
    private static async Task<RawResponse> SendAsync(TestServer server, string request)
    {
        using var client = await server.ConnectAsync();
        await client.SendAsync(request);
        return await client.ReadResponseAsync();
    }

    private static string Get(string target, string extra = "") => $"GET {target} HTTP/1.1\r\nHost: x\r\n{extra}Connection: close\r\n\r\n";

    /// <summary>A point's tags as "name=value" lines, sorted; strings quoted, so an int status stays distinguishable.</summary>
    private static string Render(IEnumerable<KeyValuePair<string, object?>> tags)
        => string.Join(", ", tags.Select(t => t.Key + "=" + (t.Value is string s ? "'" + s + "'" : t.Value?.ToString())).Order(StringComparer.Ordinal));

    private static List<string> Points(MetricSnapshot metric, Func<MetricPoint, object> value)
    {
        var points = new List<string>();
        foreach (var point in metric.MetricPoints)
        {
            var tags = new List<KeyValuePair<string, object?>>();
            foreach (var tag in point.Tags) tags.Add(tag);
            points.Add(Render(tags) + " -> " + value(point));
        }
        points.Sort(StringComparer.Ordinal);
        return points;
    }

    private static MetricSnapshot Single(List<MetricSnapshot> exported, string name)
        => Assert.Single(exported, m => m.Name == name);

    [Fact]
    public async Task Metrics_carry_the_conventions_names_units_and_tags()
    {
        var exported = new List<MetricSnapshot>();
        using var meters = Sdk.CreateMeterProviderBuilder().AddMeter(KilnTelemetry.MeterName).AddInMemoryExporter(exported).Build();
        await using (var server = await StartSampleAsync(setup: s => s.Use(async (request, next) =>
        {
            var response = await next(request);
            if (request.Path == "/accounts/7/history") throw new InvalidOperationException("boom");
            return response;
        })))
        {
            Assert.Equal(200, (await SendAsync(server, Get("/accounts/42/history"))).Status);
            Assert.Equal(200, (await SendAsync(server, Get("/accounts/42/history?limit=1"))).Status);
            Assert.Equal(404, (await SendAsync(server, Get("/no/such/page"))).Status);
            Assert.Equal(500, (await SendAsync(server, Get("/accounts/7/history"))).Status);
            Assert.Equal(405, (await SendAsync(server, "BREW /accounts HTTP/1.0\r\n\r\n")).Status);
            // Malformed and over-limit heads: the server answers them itself.
            Assert.Equal(400, (await SendAsync(server, "GET / HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n")).Status);
            Assert.Equal(414, (await SendAsync(server, Get("/" + new string('a', 9000)))).Status);
            // A malformed chunked body, found by the handler as it reads it: a served request and a rejection.
            Assert.Equal(400, (await SendAsync(server, "POST /accounts HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")).Status);
            await server.WaitForConnectionsAsync(0);
        }
        meters.ForceFlush();

        var duration = Single(exported, "http.server.request.duration");
        Assert.Equal("s", duration.Unit);
        Assert.Equal(MetricType.Histogram, duration.MetricType);
        const string Common = "network.protocol.version='1.1', url.scheme='http'";
        Assert.Equal(new[]
        {
            $"error.type='System.InvalidOperationException', http.request.method='GET', http.response.status_code=500, http.route='{Route}', {Common} -> 1",
            $"http.request.method='GET', http.response.status_code=200, http.route='{Route}', {Common} -> 2",
            $"http.request.method='GET', http.response.status_code=404, {Common} -> 1",
            $"http.request.method='POST', http.response.status_code=400, http.route='/accounts', {Common} -> 1",
            "http.request.method='_OTHER', http.response.status_code=405, network.protocol.version='1.0', url.scheme='http' -> 1",
        }, Points(duration, p => p.GetHistogramCount()));
        // The conventions' bucket advice, taken by the SDK from the instrument.
        foreach (var point in duration.MetricPoints)
        {
            var bounds = new List<double>();
            foreach (var bucket in point.GetHistogramBuckets()) bounds.Add(bucket.ExplicitBound);
            Assert.Equal([0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, double.PositiveInfinity], bounds);
            Assert.InRange(point.GetHistogramSum(), 0, 30);
        }

        var active = Single(exported, "http.server.active_requests");
        Assert.Equal("{request}", active.Unit);
        Assert.Equal(MetricType.LongSumNonMonotonic, active.MetricType);
        Assert.Equal(new[]
        {
            "http.request.method='GET', url.scheme='http' -> 0",
            "http.request.method='POST', url.scheme='http' -> 0",
            "http.request.method='_OTHER', url.scheme='http' -> 0",
        }, Points(active, p => p.GetSumLong()));

        var rejected = Single(exported, "kiln.rejected_requests");
        Assert.Equal("{request}", rejected.Unit);
        Assert.Equal(MetricType.LongSum, rejected.MetricType);
        Assert.Equal(new[]
        {
            "error.type='invalid_chunked_body', http.response.status_code=400 -> 1",
            "error.type='invalid_header', http.response.status_code=400 -> 1",
            "error.type='request_line_too_long', http.response.status_code=414 -> 1",
        }, Points(rejected, p => p.GetSumLong()));

        var connections = Single(exported, "kiln.active_connections");
        Assert.Equal("{connection}", connections.Unit);
        Assert.Equal(MetricType.LongSumNonMonotonic, connections.MetricType);
        Assert.Equal(new[] { " -> 0" }, Points(connections, p => p.GetSumLong()));
    }

    [Fact]
    public async Task Reaching_the_connection_cap_is_counted()
    {
        var exported = new List<MetricSnapshot>();
        using var meters = Sdk.CreateMeterProviderBuilder().AddMeter(KilnTelemetry.MeterName).AddInMemoryExporter(exported).Build();
        await using var server = await StartSampleAsync(o => o.MaxConcurrentConnections = 1);
        using var first = await server.ConnectAsync();   // takes the only slot; the accept loop then waits
        await first.SendAsync("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal(200, (await first.ReadResponseAsync()).Status);

        await Poll.UntilAsync(() =>
        {
            exported.Clear();
            meters.ForceFlush();
            return exported.Any(m => m.Name == "kiln.accept_pauses");
        }, 10_000, () => string.Join(", ", exported.Select(m => m.Name)));
        var pauses = Single(exported, "kiln.accept_pauses");
        Assert.Equal("{pause}", pauses.Unit);
        Assert.Equal(MetricType.LongSum, pauses.MetricType);
        Assert.Equal(new[] { " -> 1" }, Points(pauses, p => p.GetSumLong()));
        Assert.Equal(new[] { " -> 1" }, Points(Single(exported, "kiln.active_connections"), p => p.GetSumLong()));
    }

    [Fact]
    public async Task A_body_the_server_cannot_hold_now_is_a_rejection_and_a_server_error()
    {
        var exported = new List<MetricSnapshot>();
        using var meters = Sdk.CreateMeterProviderBuilder().AddMeter(KilnTelemetry.MeterName).AddInMemoryExporter(exported).Build();
        await using (var server = await StartSampleAsync(o => o.MaxBufferedBodyBytes = 1))
        {
            const string Body = "{\"owner\":\"Linus\",\"initialDeposit\":10}";
            var response = await SendAsync(server, $"POST /accounts HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {Body.Length}\r\n\r\n{Body}");
            Assert.Equal(503, response.Status);
            await server.WaitForConnectionsAsync(0);
        }
        meters.ForceFlush();

        Assert.Equal(new[] { "error.type='buffered_body_limit', http.response.status_code=503 -> 1" },
            Points(Single(exported, "kiln.rejected_requests"), p => p.GetSumLong()));
        Assert.Equal(new[] { "error.type='503', http.request.method='POST', http.response.status_code=503, http.route='/accounts', network.protocol.version='1.1', url.scheme='http' -> 1" },
            Points(Single(exported, "http.server.request.duration"), p => p.GetHistogramCount()));
    }

    [Fact]
    public async Task Each_request_is_one_server_span_with_the_conventions_tags()
    {
        var spans = new List<Activity>();
        using var tracer = Sdk.CreateTracerProviderBuilder().AddSource(KilnTelemetry.ActivitySourceName).AddInMemoryExporter(spans).Build();
        await using (var server = await StartSampleAsync(setup: s => s.Use(async (request, next) =>
        {
            var response = await next(request);
            if (request.Path == "/accounts/7/history") throw new InvalidOperationException("boom");
            return response;
        })))
        {
            const string Parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
            Assert.Equal(200, (await SendAsync(server, Get("/accounts/42/history", $"traceparent: {Parent}\r\ntracestate: congo=t61rcWkgMzE\r\n"))).Status);
            Assert.Equal(404, (await SendAsync(server, Get("/no/such/page"))).Status);
            Assert.Equal(500, (await SendAsync(server, Get("/accounts/7/history"))).Status);
            Assert.Equal(405, (await SendAsync(server, "BREW /accounts HTTP/1.0\r\n\r\n")).Status);
            Assert.Equal(400, (await SendAsync(server, "GET / HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n")).Status);
            await server.WaitForConnectionsAsync(0);
        }

        Assert.Equal(4, spans.Count);   // none for the malformed head: it never became a request
        Assert.All(spans, s => Assert.Equal(ActivityKind.Server, s.Kind));
        Assert.All(spans, s => Assert.Equal(KilnTelemetry.ActivitySourceName, s.Source.Name));

        // Spans end in the order their connections finish, not in the order sent: find each by its path.
        Activity Span(string path, int status) => Assert.Single(spans, s => (string?)s.GetTagItem("url.path") == path && Equals(s.GetTagItem("http.response.status_code"), status));
        var routed = Span("/accounts/42/history", 200);
        Assert.Equal("GET /accounts/<id>/history", routed.DisplayName);
        Assert.Equal("0af7651916cd43dd8448eb211c80319c", routed.TraceId.ToHexString());
        Assert.Equal("b7ad6b7169203331", routed.ParentSpanId.ToHexString());
        Assert.True(routed.HasRemoteParent);
        Assert.Equal("congo=t61rcWkgMzE", routed.TraceStateString);
        Assert.Equal(ActivityStatusCode.Unset, routed.Status);
        Assert.Equal(
            $"http.request.method='GET', http.response.status_code=200, http.route='{Route}', network.protocol.version='1.1', url.path='/accounts/42/history', url.scheme='http'",
            Render(routed.TagObjects));

        var notFound = Span("/no/such/page", 404);
        Assert.Equal("GET", notFound.DisplayName);
        Assert.Equal(default, notFound.ParentSpanId);   // no traceparent: a root span
        Assert.NotEqual(routed.TraceId, notFound.TraceId);
        Assert.Equal(ActivityStatusCode.Unset, notFound.Status);   // a 4xx is not a server error
        Assert.Equal(
            "http.request.method='GET', http.response.status_code=404, network.protocol.version='1.1', url.path='/no/such/page', url.scheme='http'",
            Render(notFound.TagObjects));

        var failed = Span("/accounts/7/history", 500);
        Assert.Equal("GET /accounts/<id>/history", failed.DisplayName);
        Assert.Equal(ActivityStatusCode.Error, failed.Status);
        Assert.Equal(
            $"error.type='System.InvalidOperationException', http.request.method='GET', http.response.status_code=500, http.route='{Route}', network.protocol.version='1.1', url.path='/accounts/7/history', url.scheme='http'",
            Render(failed.TagObjects));
        var exception = Assert.Single(failed.Events);
        Assert.Equal("exception", exception.Name);

        var unknown = Span("/accounts", 405);
        Assert.Equal("HTTP", unknown.DisplayName);   // the conventions' name for a method they do not know
        Assert.Equal(
            "http.request.method='_OTHER', http.request.method_original='BREW', http.response.status_code=405, network.protocol.version='1.0', url.path='/accounts', url.scheme='http'",
            Render(unknown.TagObjects));
    }

    [Fact]
    public async Task With_nobody_listening_nothing_is_measured_and_the_route_is_still_known()
    {
        Assert.False(Instruments.RequestDuration.Enabled);
        Assert.False(Instruments.ActiveRequests.Enabled);
        Assert.False(Instruments.Source.HasListeners());
        string? template = "unset";
        Activity? current = null;
        await using var server = await StartSampleAsync(setup: s => s.Use(async (request, next) =>
        {
            current = Activity.Current;
            var response = await next(request);
            template = request.RouteTemplate;
            return response;
        }));
        var response = await SendAsync(server, Get("/accounts/42/history", "traceparent: 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01\r\n"));
        Assert.Equal(200, response.Status);
        Assert.StartsWith("{\"accountId\":42,", Encoding.UTF8.GetString(response.Body));
        Assert.Equal(Route, template);
        Assert.Null(current);

        Assert.Equal(404, (await SendAsync(server, Get("/no/such/page"))).Status);
        Assert.Null(template);
    }
}

using System.Net;

namespace Kiln.RuntimeTests;

/// <summary>What any middleware can do (after Chronos and Tide), each shown on the smallest pipeline.</summary>
public class MiddlewareAbilitiesTests
{
    /// <summary>A hand-written router: matches on the decoded <see cref="Request.Path"/> only.</summary>
    private sealed class PathRouter : Support.HandWrittenRouter
    {

        public override ValueTask<HttpResponse> RouteAsync(Request request) => request.Path switch
        {
            "/v2/items" => HttpResponse.Text($"v2 items via {request.Method} q={request.Query["q"]}"),
            "/items" => HttpResponse.Text("v1 items"),
            _ => HttpResponse.NotFound(),
        };
    }

    [Fact]
    public async Task Pass_through_returns_the_inner_response_unchanged()
    {
        var handler = Pipeline.Compose([(request, next) => next(request)], Req.Ok);

        var response = await handler(Req.Get("/"));

        Assert.Equal(200, response.StatusCode);
        Assert.Equal("ok", response.TextBody);
    }

    [Theory]
    [InlineData(null, 401)]
    [InlineData("Bearer wrong", 403)]
    [InlineData("Bearer s3cret", 200)]
    public async Task Answers_401_or_403_by_credentials_without_calling_next(string? authorization, int expected)
    {
        bool called = false;
        Middleware apiKey = (request, next) => request.Headers["Authorization"] switch
        {
            null => HttpResponse.Text("Unauthorized", 401).WithHeader("WWW-Authenticate", "Bearer"),
            "Bearer s3cret" => next(request),
            _ => HttpResponse.Text("Forbidden", 403),
        };
        var handler = Pipeline.Compose([apiKey], r => { called = true; return Req.Ok(r); });

        var response = await handler(authorization is null ? Req.Get("/") : Req.Get("/", ("Authorization", authorization)));

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal(expected == 200, called);
    }

    [Theory]
    [InlineData("10.1.2.3", 200)]
    [InlineData("192.0.2.7", 403)]
    public async Task Answers_403_by_remote_address(string remote, int expected)
    {
        var internalNet = IPNetwork.Parse("10.0.0.0/8");
        Middleware onlyInternal = (request, next) =>
            request.RemoteEndPoint is IPEndPoint ip && internalNet.Contains(ip.Address) ? next(request) : HttpResponse.Text("Forbidden", 403);
        var handler = Pipeline.Compose([onlyInternal], Req.Ok);

        var response = await handler(Req.Get("/").From(remote));

        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task Rewrite_changes_what_the_router_matches()
    {
        Middleware versioning = (request, next) =>
        {
            if (request.Path == "/items") request.Rewrite("POST", "/v2/items?q=rewritten");
            return next(request);
        };
        var handler = Pipeline.Compose([versioning], new PathRouter().Handler);

        var response = await handler(Req.Get("/items"));

        Assert.Equal("v2 items via POST q=rewritten", response.TextBody);
    }

    [Fact]
    public async Task Changes_status_headers_and_body_on_the_way_out()
    {
        Middleware decorate = async (request, next) =>
        {
            var inner = await next(request);
            return inner.WithStatus(202).WithHeader("X-Served-By", "kiln").WithBody("changed"u8.ToArray(), "text/plain");
        };
        var handler = Pipeline.Compose([decorate], Req.Ok);

        var response = await handler(Req.Get("/"));

        Assert.Equal(202, response.StatusCode);
        Assert.Equal("kiln", response.GetHeader("X-Served-By"));
        Assert.Equal("changed", response.BodyText());
        Assert.Equal("text/plain", response.ContentType);
    }

    [Fact]
    public async Task Drop_closes_without_answering()
    {
        Middleware dropBots = (request, next) =>
            request.Headers["User-Agent"] == "badbot" ? HttpResponse.Drop : next(request);
        var handler = Pipeline.Compose([dropBots], Req.Ok);

        Assert.True((await handler(Req.Get("/", ("User-Agent", "badbot")))).IsDrop);
        Assert.False((await handler(Req.Get("/", ("User-Agent", "curl")))).IsDrop);
    }

    [Fact]
    public async Task Reads_remote_and_local_addresses()
    {
        Middleware echo = (request, next) =>
            HttpResponse.Text($"{request.RemoteEndPoint} -> {request.LocalEndPoint}");
        var handler = Pipeline.Compose([echo], Req.Ok);
        var request = Req.Get("/").From("203.0.113.9", 41000);
        request.LocalEndPoint = new IPEndPoint(IPAddress.Loopback, 8080);

        var response = await handler(request);

        Assert.Equal("203.0.113.9:41000 -> 127.0.0.1:8080", response.TextBody);
        Assert.Equal(IPAddress.Parse("203.0.113.9"), request.ClientAddress);
    }

    [Fact]
    public async Task Items_carry_state_to_later_middleware_and_the_handler()
    {
        Middleware auth = (request, next) => { request.Items["user"] = "ada"; return next(request); };
        Middleware audit = (request, next) => { request.Items["seen-by-audit"] = request.Items["user"]; return next(request); };
        var handler = Pipeline.Compose([auth, audit], r => HttpResponse.Text($"hello {r.Items["user"]} ({r.Items["seen-by-audit"]})"));

        var response = await handler(Req.Get("/"));

        Assert.Equal("hello ada (ada)", response.TextBody);
    }

    [Fact]
    public async Task Per_route_middleware_objects_compose_outermost_first()
    {
        var handler = Pipeline.Compose(Req.Ok, new Tag("class"), new Tag("method"));

        var response = await handler(Req.Get("/"));

        Assert.Equal("class,method", response.GetHeader("X-Trail"));
    }

    private sealed class Tag(string name) : IMiddleware
    {
        public async ValueTask<HttpResponse> InvokeAsync(Request request, Handler next)
        {
            request.Items["trail"] = request.Items.TryGetValue("trail", out var t) ? t + "," + name : name;
            var response = await next(request);
            return response.GetHeader("X-Trail") is null ? response.WithHeader("X-Trail", (string)request.Items["trail"]!) : response;
        }
    }
}

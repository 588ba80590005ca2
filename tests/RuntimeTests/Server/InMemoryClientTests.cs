using System.Net;
using System.Text;
using Kiln.Generated;
using Kiln.RuntimeTests.Support;
using Sample;

namespace Kiln.RuntimeTests.Server;

/// <summary>
/// <see cref="HttpServer.CreateClient"/>: an <see cref="HttpClient"/> answered in memory by the real connection
/// code — no listener, no port — so parsing, global and per-route middleware, limits and Connection semantics are
/// the socket's.
/// </summary>
public sealed class InMemoryClientTests
{
    /// <summary>The sample's generated router (its admin routes have per-route [Use] middleware) behind a server with no listener.</summary>
    private static HttpServer SampleServer(ServerOptions? options = null)
    {
        var store = new AccountStore();
        var router = new AppRouter(store, new Admin(store), new Site(new StaticFiles(Path.GetTempPath())), new ApiKeyMiddleware("secret"));
        return new HttpServer(router, options ?? new ServerOptions()) { ErrorLog = null };
    }

    private static Middleware Stamp(string value) => (request, next) => Stamped(next(request), value);

    private static async ValueTask<HttpResponse> Stamped(ValueTask<HttpResponse> pending, string value) => (await pending).WithHeader("X-Global", value);

    [Fact]
    public async Task Global_and_per_route_middleware_run()
    {
        await using var server = SampleServer();
        server.Use(Stamp("yes"));
        using var client = server.CreateClient();

        using var denied = await client.GetAsync("/admin/stats");
        var allowedRequest = new HttpRequestMessage(HttpMethod.Get, "/admin/stats");
        allowedRequest.Headers.Add("X-Api-Key", "secret");
        using var allowed = await client.SendAsync(allowedRequest);

        Assert.Equal(HttpStatusCode.Unauthorized, denied.StatusCode);          // the route's [Use<ApiKeyMiddleware>]
        Assert.Equal("ApiKey", denied.Headers.WwwAuthenticate.ToString());
        Assert.Equal("yes", Assert.Single(denied.Headers.GetValues("X-Global")));   // the server's middleware, around it
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Equal("accounts: 3", await allowed.Content.ReadAsStringAsync());
        Assert.Equal("yes", Assert.Single(allowed.Headers.GetValues("X-Global")));
    }

    [Fact]
    public async Task Middleware_cannot_be_added_once_a_client_exists()
    {
        await using var server = SampleServer();
        using var client = server.CreateClient();
        Assert.Throws<InvalidOperationException>(() => server.Use(Stamp("late")));
    }

    [Fact]
    public async Task A_malformed_json_body_is_answered_400_not_thrown()
    {
        await using var server = SampleServer();
        using var client = server.CreateClient();

        using var response = await client.PostAsync("/accounts", new StringContent("{\"owner\": ", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("JSON", await response.Content.ReadAsStringAsync());
        // The connection survives a bad body: the next request on it is served.
        using var next = await client.GetAsync("/accounts/1");
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }

    [Fact]
    public async Task Created_resources_are_visible_to_later_requests()
    {
        await using var server = SampleServer();
        using var client = server.CreateClient();

        using var created = await client.PostAsync("/accounts", new StringContent("{\"owner\":\"Linus\",\"initialDeposit\":10}", Encoding.UTF8, "application/json"));
        using var read = await client.GetAsync(created.Headers.Location);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("/accounts/101", created.Headers.Location!.OriginalString);
        Assert.Equal("{\"id\":101,\"owner\":\"Linus\",\"balance\":10}", await read.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Unknown_paths_are_404_and_other_methods_405_with_allow()
    {
        await using var server = SampleServer();
        using var client = server.CreateClient();

        using var missing = await client.GetAsync("/no/such/path");
        using var wrongMethod = await client.PutAsync("/accounts", new StringContent(""));

        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, wrongMethod.StatusCode);
        Assert.Equal("GET, HEAD, POST, OPTIONS", string.Join(", ", wrongMethod.Content.Headers.Allow));
    }

    [Fact]
    public async Task Redirects_are_returned_not_followed()
    {
        await using var server = SampleServer();
        using var client = server.CreateClient();

        using var response = await client.GetAsync("/accounts/");

        Assert.Equal(HttpStatusCode.PermanentRedirect, response.StatusCode);
        Assert.Equal("/accounts", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task A_streamed_response_arrives_chunked()
    {
        await using var server = new HttpServer(new TestRouter(), new ServerOptions()) { ErrorLog = null };
        using var client = server.CreateClient();

        using var response = await client.GetAsync("/stream", HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.TransferEncodingChunked);
        Assert.Equal("part0;part1;part2;", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Two_requests_are_served_concurrently()
    {
        // Each request waits until both have arrived: served one at a time, neither would ever finish.
        int arrived = 0;
        var both = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Handler handler = async request =>
        {
            if (Interlocked.Increment(ref arrived) == 2) both.SetResult();
            await both.Task;
            return HttpResponse.Text(request.Path!);
        };
        await using var server = new HttpServer(handler, new ServerOptions()) { ErrorLog = null };
        using var client = server.CreateClient();

        var first = client.GetStringAsync("/one");
        var second = client.GetStringAsync("/two");
        var answers = await Task.WhenAll(first, second).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(["/one", "/two"], answers);
    }

    [Fact]
    public async Task Limits_apply_as_on_a_socket()
    {
        var options = new ServerOptions { MaxRequestLineSize = 64, MaxRequestBodySize = 10 };
        await using var server = SampleServer(options);
        using var client = server.CreateClient();

        using var longLine = await client.GetAsync("/accounts/" + new string('1', 100));
        using var bigBody = await client.PostAsync("/accounts", new StringContent(new string(' ', 100), Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.RequestUriTooLong, longLine.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, bigBody.StatusCode);
    }

    [Fact]
    public async Task Connection_close_ends_the_connection_and_the_next_request_opens_another()
    {
        await using var server = new HttpServer(new TestRouter(), new ServerOptions()) { ErrorLog = null };
        using var client = server.CreateClient();

        using var kept = await client.GetAsync("/plaintext");
        Assert.Equal(1, server.ConnectionCount);
        using var closing = await client.GetAsync("/close");
        Assert.True(closing.Headers.ConnectionClose);
        Assert.Equal("bye", await closing.Content.ReadAsStringAsync());
        await Poll.UntilAsync(() => server.ConnectionCount == 0, 5000, () => server.ConnectionCount.ToString());

        Assert.Equal("Hello, World!", await client.GetStringAsync("/plaintext"));
        Assert.Equal(1, server.ConnectionCount);
    }

    [Fact]
    public async Task A_handler_exception_is_a_500_and_the_server_logs_it()
    {
        var log = new StringWriter();
        await using var server = new HttpServer(new TestRouter(), new ServerOptions()) { ErrorLog = TextWriter.Synchronized(log) };
        using var client = server.CreateClient();

        using var response = await client.GetAsync("/throw");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.DoesNotContain("secret detail", await response.Content.ReadAsStringAsync());
        Assert.Contains("secret detail", log.ToString());
    }

    [Fact]
    public async Task After_stop_requests_fail_and_no_new_client_is_made()
    {
        var server = new HttpServer(new TestRouter(), new ServerOptions()) { ErrorLog = null };
        using var client = server.CreateClient();
        Assert.Equal("Hello, World!", await client.GetStringAsync("/plaintext"));

        await server.StopAsync();

        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetStringAsync("/plaintext"));
        Assert.Throws<InvalidOperationException>(() => server.CreateClient());
        Assert.Equal(0, server.ConnectionCount);
    }

    [Fact]
    public async Task A_server_with_a_client_can_still_listen_on_a_socket()
    {
        var options = new ServerOptions();
        options.Listen(IPAddress.Loopback, 0);
        await using var server = new HttpServer(new TestRouter(), options) { ErrorLog = null };
        using var client = server.CreateClient();
        Assert.Equal("Hello, World!", await client.GetStringAsync("/plaintext"));

        await server.StartAsync();
        var (exit, body, _) = await Curl.RunAsync("http://127.0.0.1:" + ((IPEndPoint)server.BoundEndPoints[0]).Port + "/plaintext");

        Assert.Equal(0, exit);
        Assert.Equal("Hello, World!", body);
        Assert.Throws<InvalidOperationException>(() => { server.StartAsync().GetAwaiter().GetResult(); });
    }
}

/// <summary><see cref="Request.RegisterForDispose"/> and <see cref="Request.Services"/> across a connection's requests.</summary>
public sealed class RequestDisposalTests
{
    private sealed class Recorder : IAsyncDisposable
    {
        public int Disposed;
        public ValueTask DisposeAsync()
        {
            Interlocked.Increment(ref Disposed);
            return default;
        }
    }

    private sealed class Provider : IServiceProvider
    {
        public object? GetService(Type serviceType) => null;
    }

    [Fact]
    public async Task Registered_objects_are_disposed_after_the_streamed_response_not_before()
    {
        var recorders = new List<Recorder>();
        var sawServices = new List<bool>();
        Handler handler = request =>
        {
            sawServices.Add(request.Services is not null);   // must be reset from the previous request on this connection
            var recorder = new Recorder();
            recorders.Add(recorder);
            request.RegisterForDispose(recorder);
            request.Services = new Provider();
            return new(HttpResponse.Stream(async (body, ct) =>
            {
                // Written after the handler returned: the registered object is still alive.
                await body.WriteAsync(System.Text.Encoding.UTF8.GetBytes("disposed=" + recorder.Disposed), ct);
            }, "text/plain"));
        };
        await using var server = new HttpServer(handler, new ServerOptions()) { ErrorLog = null };
        using var client = server.CreateClient();

        Assert.Equal("disposed=0", await client.GetStringAsync("/a"));
        await Poll.UntilAsync(() => recorders[0].Disposed == 1, 5000, () => "not disposed");
        Assert.Equal("disposed=0", await client.GetStringAsync("/b"));
        await Poll.UntilAsync(() => recorders[1].Disposed == 1, 5000, () => "not disposed");

        Assert.Equal(1, server.ConnectionCount);   // both on one connection
        Assert.Equal([false, false], sawServices);
        Assert.Equal(1, recorders[0].Disposed);    // once
    }

    [Fact]
    public async Task Every_registered_object_is_disposed_newest_first_even_when_one_throws()
    {
        var order = new List<string>();
        var log = new StringWriter();
        Handler handler = request =>
        {
            request.RegisterForDispose(new Named("first", order));
            request.RegisterForDispose(new Throwing());
            request.RegisterForDispose(new Named("third", order));
            return new(HttpResponse.Text("ok"));
        };
        await using var server = new HttpServer(handler, new ServerOptions()) { ErrorLog = TextWriter.Synchronized(log) };
        using var client = server.CreateClient();

        Assert.Equal("ok", await client.GetStringAsync("/"));
        await Poll.UntilAsync(() => order.Count == 2, 5000, () => string.Join(",", order));

        Assert.Equal(["third", "first"], order);
        await Poll.UntilAsync(() => log.ToString().Contains("dispose failed on purpose"), 5000, () => log.ToString());
        Assert.Equal("ok", await client.GetStringAsync("/"));   // the connection carries on
    }

    /// <summary>A server answering with <paramref name="handler"/> behind middleware that gives each request <paramref name="factory"/>.</summary>
    private static HttpServer ServeWithServicesFactory(Handler handler, Func<Request, IServiceProvider?> factory)
    {
        var server = new HttpServer(handler, new ServerOptions()) { ErrorLog = null };
        server.Use((request, next) =>
        {
            request.SetServicesFactory(factory);
            return next(request);
        });
        return server;
    }

    [Fact]
    public async Task A_services_factory_runs_on_the_first_read_of_Services_once_per_request_and_never_when_unread()
    {
        int calls = 0;
        var made = new List<Provider>();
        Func<Request, IServiceProvider?> factory = request =>
        {
            calls++;
            var provider = new Provider();
            made.Add(provider);
            var recorder = new Recorder();
            request.RegisterForDispose(recorder);   // what a scope factory does
            return provider;
        };
        Handler handler = request =>
        {
            if (request.Path == "/explicit") request.Services = new Provider();   // replaces the factory
            if (request.Path == "/none") return new(HttpResponse.Text("untouched"));
            var first = request.Services;
            var second = request.Services;
            return new(HttpResponse.Text(ReferenceEquals(first, second) + " " + made.IndexOf((Provider)first!)));
        };
        await using var server = ServeWithServicesFactory(handler, factory);
        using var client = server.CreateClient();

        Assert.Equal("untouched", await client.GetStringAsync("/none"));
        Assert.Equal(0, calls);                                          // never read, never made
        Assert.Equal("True 0", await client.GetStringAsync("/read"));   // made on the first read, kept for the second
        Assert.Equal(1, calls);
        Assert.Equal("True 1", await client.GetStringAsync("/read"));   // the next request on the connection: its own
        Assert.Equal(2, calls);
        Assert.Equal("True -1", await client.GetStringAsync("/explicit"));
        Assert.Equal(2, calls);                                          // set explicitly: the factory is not called
        Assert.Equal(1, server.ConnectionCount);
    }

    [Fact]
    public void Without_a_factory_or_a_value_Services_is_null_and_a_factory_returning_null_runs_once()
    {
        var request = new Request();
        Assert.Null(request.Services);
        int calls = 0;
        request.SetServicesFactory(_ => { calls++; return null; });
        Assert.Null(request.Services);
        Assert.Null(request.Services);
        Assert.Equal(1, calls);
        Assert.Throws<ArgumentNullException>(() => request.SetServicesFactory(null!));
    }

    [Fact]
    public async Task Two_first_reads_of_Services_on_two_threads_share_the_one_run_of_the_factory()
    {
        var request = new Request();
        int calls = 0;
        using var entered = new ManualResetEventSlim();
        request.SetServicesFactory(_ =>
        {
            Interlocked.Increment(ref calls);
            entered.Set();
            Thread.Sleep(300);   // a container building a scope; the other reader arrives meanwhile
            return new Provider();
        });
        var first = Task.Run(() => request.Services);
        Assert.True(entered.Wait(TimeSpan.FromSeconds(5)));
        var second = Task.Run(() => request.Services);
        var results = await Task.WhenAll(first, second);

        Assert.Equal(1, calls);
        Assert.NotNull(results[1]);
        Assert.Same(results[0], results[1]);
    }

    [Fact]
    public void A_services_factory_that_throws_throws_to_its_reader_and_runs_again_on_the_next_read()
    {
        var request = new Request();
        int calls = 0;
        var provider = new Provider();
        request.SetServicesFactory(_ => ++calls == 1 ? throw new InvalidOperationException("container not ready") : provider);

        Assert.Equal("container not ready", Assert.Throws<InvalidOperationException>(() => request.Services).Message);
        Assert.Same(provider, request.Services);
        Assert.Same(provider, request.Services);
        Assert.Equal(2, calls);
    }

    [Fact]
    public async Task What_the_services_factory_registers_is_disposed_after_everything_else_registered_for_the_request()
    {
        var order = new List<string>();
        Func<Request, IServiceProvider?> factory = request =>
        {
            request.RegisterForDispose(new Named("scope", order));
            return new Provider();
        };
        Handler handler = request =>
        {
            request.RegisterForDispose(new Named("before", order));   // registered before the first read of Services
            _ = request.Services;
            request.RegisterForDispose(new Named("after", order));
            return new(HttpResponse.Text("ok"));
        };
        await using var server = ServeWithServicesFactory(handler, factory);
        using var client = server.CreateClient();

        Assert.Equal("ok", await client.GetStringAsync("/"));
        await Poll.UntilAsync(() => { lock (order) return order.Count == 3; }, 5000, () => string.Join(",", order));
        Assert.Equal(["after", "before", "scope"], order);
    }

    private sealed class Named(string name, List<string> order) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            lock (order) order.Add(name);
            return default;
        }
    }

    private sealed class Throwing : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => throw new InvalidOperationException("dispose failed on purpose");
    }
}

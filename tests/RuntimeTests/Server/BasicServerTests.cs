using System.Net;
using Kiln.RuntimeTests.Support;

namespace Kiln.RuntimeTests.Server;

/// <summary>The server's basic contract over real loopback sockets: curl and raw-socket clients.</summary>
public class BasicServerTests
{
    /// <summary>The transport of every server these tests start (see <see cref="Transports"/>).</summary>
    protected virtual ServerTransport Transport => ServerTransport.Sockets;

    [Fact]
    public async Task Curl_gets_plaintext_with_date_length_and_type()
    {
        await using var server = await TestServer.StartAsync(Transport);
        var (code, stdout, stderr) = await Curl.RunAsync("-i", server.Url + "/plaintext");
        Assert.True(code == 0, stderr);
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", stdout);
        Assert.Contains("\r\nContent-Length: 13\r\n", stdout);
        Assert.Contains("\r\nContent-Type: text/plain; charset=utf-8\r\n", stdout);
        Assert.Matches(@"\r\nDate: \w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT\r\n", stdout);
        Assert.EndsWith("\r\n\r\nHello, World!", stdout);
    }

    [Fact]
    public async Task Curl_http10_gets_an_answer_and_the_connection_closes()
    {
        await using var server = await TestServer.StartAsync(Transport);
        var (code, stdout, stderr) = await Curl.RunAsync("-i", "--http1.0", server.Url + "/plaintext");
        Assert.True(code == 0, stderr);
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", stdout);
        Assert.Contains("Connection: close\r\n", stdout);
        Assert.EndsWith("Hello, World!", stdout);
    }

    [Fact]
    public async Task Curl_reuses_one_connection_for_several_urls()
    {
        await using var server = await TestServer.StartAsync(Transport);
        var (code, stdout, stderr) = await Curl.RunAsync(
            "-w", "|%{http_code}:%{num_connects}\n", server.Url + "/plaintext", server.Url + "/json", server.Url + "/accounts/7/history");
        Assert.True(code == 0, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.Equal("Hello, World!|200:1", lines[0]);
        Assert.Equal("{\"Text\":\"Hello, World!\"}|200:0", lines[1]);
        Assert.Equal("[{\"Id\":7,\"Amount\":10.5},{\"Id\":7,\"Amount\":-3}]|200:0", lines[2]);
    }

    [Fact]
    public async Task Raw_socket_keeps_the_connection_alive_across_requests()
    {
        await using var server = await TestServer.StartAsync(Transport);
        using var client = await server.ConnectAsync();
        for (int i = 0; i < 3; i++)
        {
            await client.SendAsync("GET /plaintext HTTP/1.1\r\nHost: x\r\n\r\n");
            var response = await client.ReadResponseAsync();
            Assert.Equal(200, response.Status);
            Assert.Equal("Hello, World!", response.Text);
            Assert.Null(response.Header("Connection"));
        }
        await client.SendAsync("GET /json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        var last = await client.ReadResponseAsync();
        Assert.Equal("close", last.Header("Connection"));
        Assert.Equal("application/json; charset=utf-8", last.Header("Content-Type"));
        Assert.True(await client.IsClosedByServerAsync());
    }

    [Fact]
    public async Task Unknown_path_is_404_and_wrong_method_is_405_with_allow()
    {
        await using var server = await TestServer.StartAsync(Transport);
        using var client = await server.ConnectAsync();
        await client.SendAsync("GET /nope HTTP/1.1\r\nHost: x\r\n\r\n");
        var notFound = await client.ReadResponseAsync();
        Assert.Equal(404, notFound.Status);
        await client.SendAsync("DELETE /plaintext HTTP/1.1\r\nHost: x\r\n\r\n");
        var notAllowed = await client.ReadResponseAsync();
        Assert.Equal(405, notAllowed.Status);
        Assert.Equal("GET, HEAD", notAllowed.Header("Allow"));
    }

    [Fact]
    public async Task Head_has_the_get_headers_and_no_body()
    {
        await using var server = await TestServer.StartAsync(Transport);
        using var client = await server.ConnectAsync();
        await client.SendAsync("HEAD /json HTTP/1.1\r\nHost: x\r\n\r\n");
        var head = await client.ReadResponseAsync(headRequest: true);
        Assert.Equal(200, head.Status);
        Assert.Equal("24", head.Header("Content-Length"));
        // The next response must start right after the head: no body bytes in between.
        await client.SendAsync("GET /plaintext HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal("Hello, World!", (await client.ReadResponseAsync()).Text);
    }

    [Fact]
    public async Task Every_response_kind_is_written()
    {
        await using var server = await TestServer.StartAsync(Transport);
        using var client = await server.ConnectAsync();

        await client.SendAsync("GET /bytes HTTP/1.1\r\nHost: x\r\n\r\n");
        var bytes = await client.ReadResponseAsync();
        Assert.Equal(("text/plain", "Hello, World!"), (bytes.Header("Content-Type"), bytes.Text));

        await client.SendAsync("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n");
        var stream = await client.ReadResponseAsync();
        Assert.Equal("chunked", stream.Header("Transfer-Encoding"));
        Assert.Null(stream.Header("Content-Length"));
        Assert.Equal("part0;part1;part2;", stream.Text);

        await client.SendAsync("GET /headers HTTP/1.1\r\nHost: x\r\n\r\n");
        var headers = await client.ReadResponseAsync();
        var names = headers.Headers.Select(h => h.Key).ToList();
        Assert.True(names.IndexOf("X-First") < names.IndexOf("X-Second"), string.Join(",", names));

        await client.SendAsync("GET /drop HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.True(await client.IsClosedByServerAsync());
    }

    [Fact]
    public async Task Handler_exception_is_500_without_details_and_the_connection_keeps_serving()
    {
        await using var server = await TestServer.StartAsync(Transport);
        using var client = await server.ConnectAsync();
        await client.SendAsync("GET /throw HTTP/1.1\r\nHost: x\r\n\r\n");
        var error = await client.ReadResponseAsync();
        Assert.Equal(500, error.Status);
        Assert.Equal("0", error.Header("Content-Length"));
        Assert.Contains("secret detail", server.Log.ToString());

        await client.SendAsync("GET /bad HTTP/1.1\r\nHost: x\r\n\r\n");
        var bad = await client.ReadResponseAsync();
        Assert.Equal((422, "Nope."), (bad.Status, bad.Text));

        await client.SendAsync("GET /plaintext HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal(200, (await client.ReadResponseAsync()).Status);
    }

    [Fact]
    public async Task Content_length_body_reaches_the_handler()
    {
        await using var server = await TestServer.StartAsync(Transport);
        using var client = await server.ConnectAsync();
        await client.SendAsync("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\nhello world");
        Assert.Equal("hello world", (await client.ReadResponseAsync()).Text);
        // An unread body is drained so the next request parses.
        await client.SendAsync("POST /ignore-body HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n12345GET /plaintext HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal("ignored", (await client.ReadResponseAsync()).Text);
        Assert.Equal("Hello, World!", (await client.ReadResponseAsync()).Text);
    }

    [Fact]
    public async Task Port_zero_is_resolved_in_bound_endpoints_and_ipv6_works()
    {
        var options = new ServerOptions { Transport = Transport };
        options.Listen(IPAddress.Loopback, 0);
        options.Listen(IPAddress.IPv6Loopback, 0);
        await using var server = new HttpServer(new TestRouter(), options) { ErrorLog = null };
        await server.StartAsync();
        Assert.Equal(2, server.BoundEndPoints.Count);
        var v4 = (IPEndPoint)server.BoundEndPoints[0];
        var v6 = (IPEndPoint)server.BoundEndPoints[1];
        Assert.NotEqual(0, v4.Port);
        Assert.NotEqual(0, v6.Port);
        var (code, stdout, stderr) = await Curl.RunAsync($"http://[::1]:{v6.Port}/plaintext");
        Assert.True(code == 0, stderr);
        Assert.Equal("Hello, World!", stdout);
    }

    [Fact]
    public async Task RunAsync_returns_after_the_token_is_cancelled()
    {
        var options = new ServerOptions { Transport = Transport };
        options.Listen(IPAddress.Loopback, 0);
        await using var server = new HttpServer(new TestRouter(), options) { ErrorLog = null };
        using var cts = new CancellationTokenSource();
        var run = server.RunAsync(cts.Token);
        await Poll.UntilAsync(() => server.BoundEndPoints.Count == 1, 5000, () => "not bound");
        var port = ((IPEndPoint)server.BoundEndPoints[0]).Port;
        var (code, stdout, _) = await Curl.RunAsync($"http://127.0.0.1:{port}/plaintext");
        Assert.Equal((0, "Hello, World!"), (code, stdout));
        cts.Cancel();
        await run.WaitAsync(TimeSpan.FromSeconds(10));
        var (after, _, _) = await Curl.RunAsync($"http://127.0.0.1:{port}/plaintext");
        Assert.Equal(7, after);   // couldn't connect: the listener is closed
    }

    [Fact]
    public async Task Global_middleware_runs_in_registration_order()
    {
        var options = new ServerOptions { Transport = Transport };
        options.Listen(IPAddress.Loopback, 0);
        await using var server = new HttpServer(new TestRouter(), options) { ErrorLog = null };
        server.Use(async (request, next) => (await next(request)).WithHeader("X-Order", "a"))
              .Use(async (request, next) => (await next(request)).WithHeader("X-Order", "b"));
        await server.StartAsync();
        var (code, stdout, stderr) = await Curl.RunAsync("-i", $"http://127.0.0.1:{((IPEndPoint)server.BoundEndPoints[0]).Port}/plaintext");
        Assert.True(code == 0, stderr);
        Assert.True(stdout.IndexOf("X-Order: b", StringComparison.Ordinal) < stdout.IndexOf("X-Order: a", StringComparison.Ordinal), stdout);
    }
}

/// <summary>The same tests on the epoll transport.</summary>
public sealed class BasicServerTestsOnEpoll : BasicServerTests
{
    protected override ServerTransport Transport => Transports.Epoll;
}

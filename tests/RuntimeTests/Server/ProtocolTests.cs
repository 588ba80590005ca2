using System.Diagnostics;
using System.Text;
using Kiln.RuntimeTests.Conformance;
using Kiln.RuntimeTests.Support;

namespace Kiln.RuntimeTests.Server;

/// <summary>Pipelining, chunked uploads, 100-continue, HTTP/1.0 keep-alive, absolute-form and OPTIONS *, with real clients.</summary>
public class ProtocolTests
{
    /// <summary>The transport of every server these tests start (see <see cref="Transports"/>).</summary>
    protected virtual ServerTransport Transport => ServerTransport.Sockets;

    [Fact]
    public async Task Pipelined_requests_are_answered_in_order()
    {
        await using var server = await TestServer.StartAsync(Transport);
        using var client = await server.ConnectAsync();
        var batch = new StringBuilder();
        for (int i = 0; i < 20; i++) batch.Append($"GET /target?i={i} HTTP/1.1\r\nHost: x\r\n\r\n");
        await client.SendAsync(batch.ToString());
        for (int i = 0; i < 20; i++)
            Assert.Equal($"GET /target?i={i}", (await client.ReadResponseAsync()).Text);
    }

    [Fact]
    public async Task Large_bodies_cross_many_reads_and_writes_both_ways()
    {
        await using var server = await TestServer.StartAsync(Transport);
        using var client = await server.ConnectAsync();
        var body = new byte[3 * 1024 * 1024 + 17];
        new Random(13).NextBytes(body);
        var head = Encoding.ASCII.GetBytes($"POST /length HTTP/1.1\r\nHost: x\r\nContent-Length: {body.Length}\r\n\r\n");
        await client.SendAsync([.. head, .. body]);
        Assert.Equal(body.Length.ToString(), (await client.ReadResponseAsync()).Text);
        // 4 MiB answer: far more than a socket buffer, so the server's sends wait for the client to read.
        await client.SendAsync("GET /big HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal(4 * 1024 * 1024, (await client.ReadResponseAsync(timeoutMs: 30_000)).Body.Length);
        await client.SendAsync("GET /plaintext HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal("Hello, World!", (await client.ReadResponseAsync()).Text);
    }

    [Fact]
    public async Task A_blocking_handler_is_rescued_also_when_an_in_memory_client_came_before_the_start()
    {
        // CreateClient publishes the server (and starts its heartbeat) before StartAsync: the watchdog that moves a
        // blocked epoll loop to a new thread must still start with the listeners.
        await using var server = await TestServer.StartAsync(Transport, handler: request =>
        {
            var buffer = new byte[10];
            int total = 0, n;
            while ((n = request.Body.Read(buffer, 0, buffer.Length)) > 0) total += n;   // blocks until the body arrives
            return ValueTask.FromResult(HttpResponse.Text($"read {total}"));
        }, setup: s => s.CreateClient().Dispose());
        using var client = await server.ConnectAsync();
        await client.SendAsync("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n");
        await Task.Delay(100);   // the handler is already blocked in Read when the body arrives
        await client.SendAsync("hello");
        var response = await client.ReadResponseAsync(timeoutMs: 30_000);
        Assert.Equal("read 5", response.Text);
    }

    [Fact]
    public async Task A_handler_that_reads_and_writes_synchronously_is_served()
    {
        // Blocking body reads and a blocking flush inside a handler: the body arrives only after the head, and the
        // answer is larger than a socket buffer, so both calls must wait for the network without awaiting.
        var chunk = new byte[256 * 1024];
        await using var server = await TestServer.StartAsync(Transport, handler: request =>
        {
            var buffer = new byte[10];
            int total = 0, n;
            while ((n = request.Body.Read(buffer, 0, buffer.Length)) > 0) total += n;
            return ValueTask.FromResult(HttpResponse.Stream((stream, _) =>
            {
                for (int i = 0; i < 16; i++)
                {
                    stream.Write(chunk);
                    stream.Flush();
                }
                stream.Write(Encoding.ASCII.GetBytes($"read {total}"));
                return ValueTask.CompletedTask;
            }, "text/plain"));
        });
        using var client = await server.ConnectAsync();
        await client.SendAsync("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 25\r\n\r\n");
        await Task.Delay(100);   // the handler is already blocked in Read when the body arrives
        await client.SendAsync("hello, synchronous world!");
        var response = await client.ReadResponseAsync(timeoutMs: 30_000);
        Assert.True(16 * chunk.Length + "read 25".Length == response.Body.Length, $"{response.Status} {response.Text[..Math.Min(200, response.Text.Length)]} {server.Log}");
        Assert.EndsWith("read 25", Encoding.ASCII.GetString(response.Body));
    }

    [Fact]
    public async Task A_batch_of_pipelined_requests_is_flushed_once()
    {
        var batch = string.Concat(Enumerable.Repeat("GET / HTTP/1.1\r\nHost: x\r\n\r\n", 16));
        var (outcome, _, _, flushes) = await ConnectionHarness.RunCountingAsync(Encoding.ASCII.GetBytes(batch), transport: Transport);
        Assert.Equal(16, outcome.Answered);
        Assert.Equal(1, flushes);
    }

    [Fact]
    public async Task Http10_keep_alive_is_honoured()
    {
        await using var server = await TestServer.StartAsync(Transport);
        using var client = await server.ConnectAsync();
        await client.SendAsync("GET /plaintext HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        var first = await client.ReadResponseAsync();
        Assert.Equal(("keep-alive", "Hello, World!"), (first.Header("Connection"), first.Text));
        await client.SendAsync("GET /plaintext HTTP/1.0\r\n\r\n");
        var second = await client.ReadResponseAsync();
        Assert.Equal("close", second.Header("Connection"));
        Assert.True(await client.IsClosedByServerAsync());
    }

    [Fact]
    public async Task Http10_streamed_response_is_close_delimited()
    {
        await using var server = await TestServer.StartAsync(Transport);
        using var client = await server.ConnectAsync();
        await client.SendAsync("GET /stream HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        var response = await client.ReadResponseAsync();
        Assert.Null(response.Header("Transfer-Encoding"));
        Assert.Equal("close", response.Header("Connection"));
        Assert.Equal("part0;part1;part2;", response.Text);
    }

    [Fact]
    public async Task Chunked_request_body_is_decoded_and_the_connection_reused()
    {
        await using var server = await TestServer.StartAsync(Transport);
        using var client = await server.ConnectAsync();
        await client.SendAsync("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nTrailer: t\r\n\r\n");
        Assert.Equal("hello world", (await client.ReadResponseAsync()).Text);
        // An unread chunked body is drained before the next request.
        await client.SendAsync("POST /ignore-body HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\nGET /plaintext HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal("ignored", (await client.ReadResponseAsync()).Text);
        Assert.Equal("Hello, World!", (await client.ReadResponseAsync()).Text);
    }

    [Fact]
    public async Task Malformed_chunked_body_is_400_and_close()
    {
        await using var server = await TestServer.StartAsync(Transport);
        using var client = await server.ConnectAsync();
        await client.SendAsync("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5x\r\nhello\r\n0\r\n\r\n");
        var response = await client.ReadResponseAsync();
        Assert.Equal((400, "close"), (response.Status, response.Header("Connection")));
        Assert.True(await client.IsClosedByServerAsync());
    }

    [Fact]
    public async Task Curl_uploads_chunked()
    {
        await using var server = await TestServer.StartAsync(Transport);
        var file = Path.GetTempFileName();
        await File.WriteAllTextAsync(file, new string('k', 100_000));
        try
        {
            var (code, stdout, stderr) = await Curl.RunAsync("-H", "Transfer-Encoding: chunked", "--data-binary", "@" + file, server.Url + "/length");
            Assert.True(code == 0, stderr);
            Assert.Equal("100000", stdout);
        }
        finally { File.Delete(file); }
    }

    [Fact]
    public async Task Curl_expect_100_continue_gets_the_interim_answer()
    {
        await using var server = await TestServer.StartAsync(Transport);
        var (code, stdout, stderr) = await Curl.RunAsync("-v", "--expect100-timeout", "15", "-H", "Expect: 100-continue",
            "--data-binary", "payload", server.Url + "/echo");
        Assert.True(code == 0, stderr);
        Assert.Contains("HTTP/1.1 100 Continue", stderr);
        Assert.Equal("payload", stdout);
    }

    [Fact]
    public async Task Raw_expect_100_continue_waits_for_the_handler_to_read()
    {
        await using var server = await TestServer.StartAsync(Transport);
        using var client = await server.ConnectAsync();
        await client.SendAsync("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n");
        var interim = await client.ReadResponseAsync(headRequest: true);
        Assert.Equal(100, interim.Status);
        await client.SendAsync("ping");
        Assert.Equal("ping", (await client.ReadResponseAsync()).Text);

        // A handler that never reads the body: no 100, a final answer, and the connection closes
        // (the client may never send the body it was not invited to send).
        await client.SendAsync("POST /ignore-body HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n");
        var final = await client.ReadResponseAsync();
        Assert.Equal((200, "close"), (final.Status, final.Header("Connection")));
    }

    [Fact]
    public async Task Absolute_form_target_is_served_as_origin_form_when_host_matches()
    {
        await using var server = await TestServer.StartAsync(Transport);
        using var client = await server.ConnectAsync();
        await client.SendAsync("GET http://example.com/target?x=1 HTTP/1.1\r\nHost: example.com\r\n\r\n");
        Assert.Equal("GET /target?x=1", (await client.ReadResponseAsync()).Text);
        await client.SendAsync("GET http://example.com/target HTTP/1.1\r\nHost: other.com\r\n\r\n");
        Assert.Equal(400, (await client.ReadResponseAsync()).Status);
    }

    [Fact]
    public async Task Options_asterisk_is_answered_by_the_server()
    {
        await using var server = await TestServer.StartAsync(Transport);
        using var client = await server.ConnectAsync();
        await client.SendAsync("OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n");
        var response = await client.ReadResponseAsync();
        Assert.Equal((200, "0"), (response.Status, response.Header("Content-Length")));
        await client.SendAsync("GET * HTTP/1.1\r\nHost: x\r\n\r\n");
        var wrong = await client.ReadResponseAsync();
        // asterisk-form with another method is a malformed request-target, not a method some resource lacks.
        Assert.Equal((400, null, "close"), (wrong.Status, wrong.Header("Allow"), wrong.Header("Connection")));
        Assert.Contains("'*' is only for OPTIONS", wrong.Text);
    }

    [Fact]
    public async Task Malformed_input_is_400_with_connection_close_then_closed()
    {
        await using var server = await TestServer.StartAsync(Transport);
        foreach (var bad in new[] { "GET / HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n", "GET / HTTP/1.1\nHost: x\n\n",
                     "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", "\x16\x03\x01\x02\x00garbage\r\n" })
        {
            using var client = await server.ConnectAsync();
            await client.SendAsync(bad);
            var response = await client.ReadResponseAsync();
            Assert.Equal((400, "close"), (response.Status, response.Header("Connection")));
            Assert.True(await client.IsClosedByServerAsync());
        }
    }

    [Fact]
    public async Task Python_http_client_keeps_a_connection_for_get_post_and_head()
    {
        await using var server = await TestServer.StartAsync(Transport);
        var script = $$"""
            import http.client
            c = http.client.HTTPConnection("127.0.0.1", {{server.Port}}, timeout=10)
            c.request("GET", "/plaintext"); r = c.getresponse(); print(r.status, r.read().decode())
            c.request("POST", "/echo", body=b"from python", headers={"Content-Type": "text/plain"}); r = c.getresponse(); print(r.status, r.read().decode())
            c.request("HEAD", "/json"); r = c.getresponse(); print(r.status, r.getheader("Content-Length"), repr(r.read()))
            c.request("GET", "/accounts/5/history"); r = c.getresponse(); print(r.status, r.getheader("Content-Type"), r.read().decode())
            c.request("GET", "/nope"); r = c.getresponse(); print(r.status, r.read().decode())
            """;
        var psi = new ProcessStartInfo("python3") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        using var python = Process.Start(psi)!;
        await python.StandardInput.WriteAsync(script);
        python.StandardInput.Close();
        var output = await python.StandardOutput.ReadToEndAsync();
        var errors = await python.StandardError.ReadToEndAsync();
        await python.WaitForExitAsync();
        Assert.True(python.ExitCode == 0, errors);
        Assert.Equal(
            "200 Hello, World!\n200 from python\n200 24 b''\n200 application/json; charset=utf-8 [{\"Id\":5,\"Amount\":10.5},{\"Id\":5,\"Amount\":-3}]\n404 Not Found\n",
            output);
        await server.WaitForConnectionsAsync(0);
    }
}

/// <summary>The same tests on the epoll transport.</summary>
public sealed class ProtocolTestsOnEpoll : ProtocolTests
{
    protected override ServerTransport Transport => Transports.Epoll;
}

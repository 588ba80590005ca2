using System.Collections.Concurrent;
using System.Text;
using Kiln.RuntimeTests.Support;

namespace Kiln.RuntimeTests.Server;

/// <summary>The protocol slips found by stress-testing, each with its repro, over real loopback sockets.</summary>
public class ProtocolSlipTests
{
    private static async Task<(RawResponse Response, bool Closed)> SendAsync(string request, Action<ServerOptions>? configure = null)
    {
        await using var server = await TestServer.StartAsync(configure);
        using var client = await server.ConnectAsync();
        await client.SendAsync(request);
        var response = await client.ReadResponseAsync();
        return (response, await client.IsClosedByServerAsync());
    }

    [Theory]
    [InlineData("GET /plaintext HTTP/1.1\r\nHost:\r\n\r\n")]
    [InlineData("GET /plaintext HTTP/1.1\r\nHost:   \r\n\r\n")]
    [InlineData("GET http:/// HTTP/1.1\r\nHost: x\r\n\r\n")]
    [InlineData("GET http:///plaintext HTTP/1.1\r\nHost: \r\n\r\n")]
    [InlineData("OPTIONS * HTTP/1.1\r\nHost: \r\n\r\n")]
    public async Task An_empty_host_or_authority_is_400(string request)
    {
        var (response, closed) = await SendAsync(request);
        Assert.Equal((400, true), (response.Status, closed));
    }

    [Fact]
    public async Task A_method_longer_than_any_real_one_is_501_as_soon_as_it_is_seen()
    {
        await using var server = await TestServer.StartAsync();
        using var client = await server.ConnectAsync();
        await client.SendAsync(new string('M', 40));   // no space, no line end: the rest of a 100 KB token never comes
        var response = await client.ReadResponseAsync();
        Assert.Equal((501, "close"), (response.Status, response.Header("Connection")));
        Assert.Contains("longer than any", response.Text);
    }

    [Fact]
    public async Task A_chunked_trailer_over_the_header_limit_is_431_like_a_header_block_over_it()
    {
        var (response, closed) = await SendAsync(
            "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\nX-Trailer: " + new string('t', 300) + "\r\n\r\n",
            o => o.MaxRequestHeadersSize = 200);
        Assert.Equal((431, true), (response.Status, closed));
        Assert.StartsWith("Request Header Fields Too Large", response.Text);
    }

    [Theory]
    [InlineData("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\n")]
    [InlineData("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n6\r\nghijkl\r\n0\r\n\r\n")]
    public async Task Status_413_says_Content_Too_Large_in_the_status_line_and_the_body(string request)
    {
        await using var server = await TestServer.StartAsync(o => o.MaxRequestBodySize = 10);
        using var client = await server.ConnectAsync();
        await client.SendAsync(request);
        var raw = await client.ReadToEndAsync();
        Assert.StartsWith("HTTP/1.1 413 Content Too Large\r\n", raw);
        Assert.EndsWith("\r\n\r\nContent Too Large", raw);
    }

    [Fact]
    public async Task Empty_lines_before_a_request_line_are_skipped()
    {
        await using var server = await TestServer.StartAsync();
        using var client = await server.ConnectAsync();
        // Some clients send CRLF after a POST body; it is ignored before the next request line.
        await client.SendAsync("\r\n\r\nPOST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nfunny\r\n\r\nGET /plaintext HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal("funny", (await client.ReadResponseAsync()).Text);
        Assert.Equal("Hello, World!", (await client.ReadResponseAsync()).Text);
    }

    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n\r")]
    [InlineData("\r\r\r")]
    [InlineData("\r\n\n\r")]
    public async Task A_bare_CR_or_LF_before_a_request_line_is_400(string junk)
    {
        await using var server = await TestServer.StartAsync();
        using var client = await server.ConnectAsync();
        await client.SendAsync("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nfunny" + junk + "GET /plaintext HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal("funny", (await client.ReadResponseAsync()).Text);
        var rejected = await client.ReadResponseAsync();
        Assert.Equal((400, "Bad Request: lines must end with CRLF."), (rejected.Status, rejected.Text));
        Assert.True(await client.IsClosedByServerAsync());
    }

    [Theory]
    [InlineData("POST /json HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400)]
    [InlineData("POST /json HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n20\r\n{\"Text\":\"0123456789012345678901\r\n0\r\n\r\n", 413)]
    [InlineData("POST /json HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\n{}", 415)]
    [InlineData("POST /json HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n[]", 400)]
    public async Task The_access_log_records_the_status_of_a_body_error_as_answered(string request, int status)
    {
        var entries = new ConcurrentQueue<RequestLogEntry>();
        await using var server = await TestServer.StartAsync(o => o.MaxRequestBodySize = 16,
            handler: async r => HttpResponse.Text((await r.ReadFromJsonAsync(TestJson.Default.Message))?.Text ?? "null"),
            setup: s => s.UseLogging(entries.Enqueue));
        using var client = await server.ConnectAsync();
        await client.SendAsync(request);
        var response = await client.ReadResponseAsync();
        Assert.Equal(status, response.Status);
        var entry = Assert.Single(entries);
        Assert.Equal((status, (long?)response.Body.Length), (entry.StatusCode, entry.Bytes));
        Assert.Contains(status + " " + response.Body.Length + "B", entry.Format());
    }
}

using Kiln.RuntimeTests.Support;

namespace Kiln.RuntimeTests.Server;

/// <summary>Every limit and timeout of <see cref="ServerOptions"/>, answered with its status code and logged.</summary>
[Collection(TimingSensitive.Name)]
public class LimitTests
{
    /// <summary>The transport of every server these tests start (see <see cref="Transports"/>).</summary>
    protected virtual ServerTransport Transport => ServerTransport.Sockets;

    private async Task<(RawResponse Response, bool Closed, string Log)> SendAsync(Action<ServerOptions> configure, string request)
    {
        await using var server = await TestServer.StartAsync(Transport, configure);
        using var client = await server.ConnectAsync();
        await client.SendAsync(request);
        var response = await client.ReadResponseAsync();
        bool closed = await client.IsClosedByServerAsync();
        return (response, closed, server.Log.ToString());
    }

    [Fact]
    public async Task Request_line_over_the_limit_is_414()
    {
        var (response, closed, log) = await SendAsync(o => o.MaxRequestLineSize = 64, $"GET /{new string('a', 100)} HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal((414, true), (response.Status, closed));
        Assert.Contains("414", log);
    }

    [Fact]
    public async Task Request_line_at_the_limit_is_served()
    {
        string line = $"GET /target?{new string('a', 64 - "GET /target? HTTP/1.1\r\n".Length)} HTTP/1.1\r\n";
        Assert.Equal(64, line.Length);
        var (response, _, _) = await SendAsync(o => o.MaxRequestLineSize = 64, line + "Host: x\r\nConnection: close\r\n\r\n");
        Assert.Equal(200, response.Status);
    }

    [Fact]
    public async Task Header_block_over_the_limit_is_431()
    {
        var (response, closed, log) = await SendAsync(o => o.MaxRequestHeadersSize = 100, $"GET / HTTP/1.1\r\nHost: x\r\nX-Big: {new string('b', 200)}\r\n\r\n");
        Assert.Equal((431, true), (response.Status, closed));
        Assert.Contains("431", log);
    }

    [Fact]
    public async Task Too_many_header_fields_is_431()
    {
        var (response, closed, log) = await SendAsync(o => o.MaxRequestHeaderCount = 3, "GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n");
        Assert.Equal((431, true), (response.Status, closed));
        Assert.Contains("too many fields", log);
    }

    [Fact]
    public async Task Content_length_over_the_body_limit_is_413_before_reading()
    {
        var (response, closed, log) = await SendAsync(o => o.MaxRequestBodySize = 10, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\n");
        Assert.Equal((413, true), (response.Status, closed));
        Assert.Contains("413", log);
    }

    [Fact]
    public async Task Chunked_body_over_the_limit_is_413()
    {
        var (response, closed, log) = await SendAsync(o => o.MaxRequestBodySize = 10,
            "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n6\r\nghijkl\r\n0\r\n\r\n");
        Assert.Equal((413, true), (response.Status, closed));
        Assert.Contains("413", log);
    }

    [Fact]
    public async Task Body_at_the_limit_is_served()
    {
        var (response, _, _) = await SendAsync(o => o.MaxRequestBodySize = 10, "POST /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 10\r\n\r\n0123456789");
        Assert.Equal((200, "0123456789"), (response.Status, response.Text));
    }

    [Fact]
    public async Task Slow_request_head_is_408_then_close()
    {
        await using var server = await TestServer.StartAsync(Transport, o => o.RequestHeadersTimeout = TimeSpan.FromMilliseconds(300));
        using var client = await server.ConnectAsync();
        await client.SendAsync("GET /plaintext HTTP/1.1\r\nHost: x\r\n");   // never finished
        var response = await client.ReadResponseAsync();
        Assert.Equal((408, "close"), (response.Status, response.Header("Connection")));
        Assert.True(await client.IsClosedByServerAsync());
        Assert.Contains("408", server.Log.ToString());
    }

    [Fact]
    public async Task Silent_connection_is_closed_without_an_answer_after_the_header_timeout()
    {
        await using var server = await TestServer.StartAsync(Transport, o => o.RequestHeadersTimeout = TimeSpan.FromMilliseconds(300));
        using var client = await server.ConnectAsync();
        Assert.True(await client.IsClosedByServerAsync(5000));
        Assert.Equal("", await client.ReadToEndAsync());
    }

    [Fact]
    public async Task Idle_keep_alive_connection_is_closed_after_the_keep_alive_timeout()
    {
        await using var server = await TestServer.StartAsync(Transport, o => o.KeepAliveTimeout = TimeSpan.FromMilliseconds(300));
        using var client = await server.ConnectAsync();
        await client.SendAsync("GET /plaintext HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal(200, (await client.ReadResponseAsync()).Status);
        var started = Environment.TickCount64;
        Assert.True(await client.IsClosedByServerAsync(5000));
        Assert.True(Environment.TickCount64 - started >= 200, "closed before the keep-alive timeout");
        await server.WaitForConnectionsAsync(0);
    }

    [Fact]
    public async Task Body_slower_than_the_minimum_rate_is_408_then_close()
    {
        await using var server = await TestServer.StartAsync(Transport, o =>
        {
            o.MinRequestBodyDataRate = 1000;
            o.MinRequestBodyDataRateGracePeriod = TimeSpan.FromMilliseconds(300);
        });
        using var client = await server.ConnectAsync();
        await client.SendAsync("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\nonly a little");
        var response = await client.ReadResponseAsync();
        Assert.Equal((408, "close"), (response.Status, response.Header("Connection")));
        Assert.True(await client.IsClosedByServerAsync());
        Assert.Contains("slower than", server.Log.ToString());
    }

    [Fact]
    public async Task Client_that_stops_reading_its_answers_is_disconnected()
    {
        await using var server = await TestServer.StartAsync(Transport, o => o.RequestHeadersTimeout = TimeSpan.FromMilliseconds(500));
        using var client = await server.ConnectAsync();
        client.Socket.ReceiveBufferSize = 4096;
        await client.SendAsync(string.Concat(Enumerable.Repeat("GET /big HTTP/1.1\r\nHost: x\r\n\r\n", 8)));   // 32 MiB of answers, never read
        await Poll.UntilAsync(() => server.Log.ToString().Contains("did not read"), 15_000, () => "no send timeout logged");
        await server.WaitForConnectionsAsync(0, timeoutMs: 15_000);
        Assert.Contains("did not read its answers", server.Log.ToString());
    }

    [Fact]
    public async Task Connections_beyond_the_cap_wait_until_one_closes()
    {
        await using var server = await TestServer.StartAsync(Transport, o => o.MaxConcurrentConnections = 2);
        Assert.Equal(2, server.Server.ConnectionCapacity);
        using var a = await server.ConnectAsync();
        using var b = await server.ConnectAsync();
        foreach (var c in new[] { a, b })
        {
            await c.SendAsync("GET /plaintext HTTP/1.1\r\nHost: x\r\n\r\n");
            Assert.Equal(200, (await c.ReadResponseAsync()).Status);
        }
        using var third = await server.ConnectAsync();   // the kernel's backlog takes it; the server does not accept it yet
        await third.SendAsync("GET /plaintext HTTP/1.1\r\nHost: x\r\n\r\n");
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => third.ReadResponseAsync(timeoutMs: 300));
        Assert.Equal(2, server.Server.ConnectionCount);
        a.Dispose();
        var late = await third.ReadResponseAsync();
        Assert.Equal("Hello, World!", late.Text);
    }

    [Fact]
    public void Connection_cap_never_exceeds_the_descriptor_limit()
    {
        var soft = Kiln.Server.ConnectionLimit.SoftDescriptorLimit();
        int effective = Kiln.Server.ConnectionLimit.Effective(int.MaxValue);
        if (soft is null) Assert.Equal(int.MaxValue, effective);
        else Assert.InRange(effective, 1, soft.Value - Kiln.Server.ConnectionLimit.Reserve);
        Assert.Equal(5, Kiln.Server.ConnectionLimit.Effective(5));
    }

    [Fact]
    public void Descriptor_limit_is_the_soft_limit_the_kernel_reports_and_open_descriptors_count_against_it()
    {
        if (!OperatingSystem.IsLinux()) return;
        // The kernel's own account of the limit, read independently of getrlimit.
        var line = File.ReadAllLines("/proc/self/limits").Single(l => l.StartsWith("Max open files", StringComparison.Ordinal));
        var field = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
        long? expected = field == "unlimited" ? null : long.Parse(field, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(expected, Kiln.Server.ConnectionLimit.SoftDescriptorLimit());
        if (expected is null) return;

        // Every descriptor the process holds is one connection fewer.
        int before = Kiln.Server.ConnectionLimit.Effective(int.MaxValue);
        var held = Enumerable.Range(0, 20).Select(_ => File.OpenHandle("/dev/null")).ToList();
        try
        {
            int after = Kiln.Server.ConnectionLimit.Effective(int.MaxValue);
            Assert.InRange(before - after, 10, 200);   // 20, give or take what tests running alongside open or close meanwhile
        }
        finally
        {
            foreach (var handle in held) handle.Dispose();
        }
    }
}

/// <summary>The same tests on the epoll transport.</summary>
[Collection(TimingSensitive.Name)]
public sealed class LimitTestsOnEpoll : LimitTests
{
    protected override ServerTransport Transport => Transports.Epoll;
}

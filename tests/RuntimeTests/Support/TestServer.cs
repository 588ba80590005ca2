using System.Net;
using System.Net.Sockets;

namespace Kiln.RuntimeTests.Support;

/// <summary>An <see cref="HttpServer"/> on a loopback port chosen by the OS, stopped on dispose.</summary>
public sealed class TestServer : IAsyncDisposable
{
    public StringWriter Log { get; } = new();
    public HttpServer Server { get; }
    public ServerOptions Options { get; }

    private TestServer(HttpServer server, ServerOptions options)
    {
        Server = server;
        Options = options;
    }

    /// <summary>Starts a server on the default transport (<see cref="ServerTransport.Auto"/>).</summary>
    public static Task<TestServer> StartAsync(Action<ServerOptions>? configure = null, Handler? handler = null, bool listen = true,
        Action<HttpServer>? setup = null)
        => StartAsync(ServerTransport.Auto, configure, handler, listen, setup);

    /// <summary>Starts a server on <paramref name="transport"/>.</summary>
    public static async Task<TestServer> StartAsync(ServerTransport transport, Action<ServerOptions>? configure = null, Handler? handler = null,
        bool listen = true, Action<HttpServer>? setup = null)
    {
        var options = new ServerOptions { Transport = transport };
        if (listen) options.Listen(IPAddress.Loopback, 0);
        configure?.Invoke(options);
        var server = handler is null ? new HttpServer(new TestRouter(), options) : new HttpServer(handler, options);
        var test = new TestServer(server, options);
        server.ErrorLog = TextWriter.Synchronized(test.Log);
        setup?.Invoke(server);
        await server.StartAsync();
        return test;
    }

    public IPEndPoint EndPoint => (IPEndPoint)Server.BoundEndPoints[0];
    public int Port => EndPoint.Port;
    public string Url => $"http://127.0.0.1:{Port}";

    public async Task<RawClient> ConnectAsync()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(EndPoint);
        return new RawClient(socket);
    }

    /// <summary>Polls until the server's open connection count is at most <paramref name="count"/>.</summary>
    public Task WaitForConnectionsAsync(int count, int timeoutMs = 10_000)
        => Poll.UntilAsync(() => Server.ConnectionCount <= count, timeoutMs, () => $"open connections: {Server.ConnectionCount}, expected <= {count}");

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await Server.StopAsync(cts.Token);
    }
}

public static class Poll
{
    public static async Task UntilAsync(Func<bool> condition, int timeoutMs, Func<string> describe)
    {
        var deadline = Environment.TickCount64 + timeoutMs;
        while (!condition())
        {
            if (Environment.TickCount64 > deadline) throw new TimeoutException("Condition not met in time: " + describe());
            await Task.Delay(10);
        }
    }
}

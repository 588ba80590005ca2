using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using Kiln.RuntimeTests.Support;
using Kiln.Server;

namespace Kiln.RuntimeTests.Server;

/// <summary>
/// What a rolling restart needs from one instance: inherited listening sockets (systemd socket activation, a
/// supervisor that holds the port), the <c>sd_notify</c> READY/STOPPING messages, and a shutdown that first reports
/// not-ready while it keeps answering (<see cref="ServerOptions.ShutdownDelay"/>, <see cref="HealthEndpoints"/>).
/// </summary>
[Collection(TimingSensitive.Name)]
public class ScaleOutTests
{
    /// <summary>The transport of every server these tests start (see <see cref="Transports"/>).</summary>
    protected virtual ServerTransport Transport => ServerTransport.Sockets;

    [DllImport("libc", SetLastError = true)]
    private static extern int dup(int fd);

    [DllImport("libc", SetLastError = true)]
    private static extern int close(int fd);

    /// <summary>A second descriptor for <paramref name="socket"/>, as a process that inherited it would hold.</summary>
    internal static int Duplicate(Socket socket)
    {
        int fd = dup((int)socket.SafeHandle.DangerousGetHandle());
        Assert.True(fd > 2, $"dup failed: errno {Marshal.GetLastPInvokeError()}");
        return fd;
    }

    internal static Socket ListeningTcpSocket()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        socket.Listen(64);
        return socket;
    }

    private static ValueTask<HttpResponse> Hello(Request request) => new(HttpResponse.Text("hello from " + request.Target));

    private Task<TestServer> StartInheritedAsync(int fd, Action<ServerOptions>? configure = null)
        => TestServer.StartAsync(Transport, o => { o.ListenInherited(fd); configure?.Invoke(o); }, Hello, listen: false);

    [Fact]
    public async Task An_inherited_socket_is_served_and_its_backlog_outlives_the_server_for_the_next_one()
    {
        using var held = ListeningTcpSocket();   // what a supervisor (or systemd) holds
        var port = ((IPEndPoint)held.LocalEndPoint!).Port;
        int firstFd = Duplicate(held);
        var first = await StartInheritedAsync(firstFd);
        Assert.Equal(held.LocalEndPoint, first.Server.BoundEndPoints[0]);
        using (var client = await first.ConnectAsync())
        {
            await client.SendAsync("GET /one HTTP/1.1\r\nHost: x\r\n\r\n");
            Assert.Equal("hello from /one", (await client.ReadResponseAsync()).Text);
        }
        await first.DisposeAsync();

        // No instance runs now, yet the port still takes connections: they wait in the held socket's backlog...
        var waiting = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await waiting.ConnectAsync(IPAddress.Loopback, port);
        using var queued = new RawClient(waiting);
        await queued.SendAsync("GET /queued HTTP/1.1\r\nHost: x\r\n\r\n");

        // ...and the next instance, given the same socket, answers them. (In one process, under another descriptor
        // number: .NET's epoll registration of the first descriptor outlives its close while the socket lives on.)
        int secondFd = Duplicate(held), spare = -1;
        if (secondFd == firstFd) (spare, secondFd) = (secondFd, Duplicate(held));
        await using var second = await StartInheritedAsync(secondFd);
        var response = await queued.ReadResponseAsync();
        Assert.Equal((200, "hello from /queued"), (response.Status, response.Text));
        if (spare >= 0) close(spare);
    }

    [Fact]
    public async Task An_inherited_unix_socket_is_served_and_its_file_is_left_in_place()
    {
        string path = Path.Combine(Path.GetTempPath(), $"kiln-inherit-{Guid.NewGuid():N}.sock");
        using var held = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        held.Bind(new UnixDomainSocketEndPoint(path));
        held.Listen(16);
        try
        {
            var server = await StartInheritedAsync(Duplicate(held));
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path));
            using (var client = new RawClient(socket))
            {
                await client.SendAsync("GET /unix HTTP/1.1\r\nHost: x\r\n\r\n");
                Assert.Equal("hello from /unix", (await client.ReadResponseAsync()).Text);
            }
            await server.DisposeAsync();
            Assert.True(File.Exists(path), "the socket file belongs to whoever created it, not to the server");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task A_shutdown_delay_keeps_answering_not_ready_with_connection_close_until_the_listener_closes()
    {
        var server = await TestServer.StartAsync(Transport, o => o.ShutdownDelay = TimeSpan.FromHours(1), Hello,
            setup: s => s.UseHealthEndpoints());
        using var keptAlive = await server.ConnectAsync();
        await keptAlive.SendAsync("GET /health/ready HTTP/1.1\r\nHost: x\r\n\r\n");
        var ready = await keptAlive.ReadResponseAsync();
        Assert.Equal((200, "ready", null, "no-store"), (ready.Status, ready.Text, ready.Header("Connection"), ready.Header("Cache-Control")));
        Assert.False(server.Server.Stopping.IsCancellationRequested);

        using var cut = new CancellationTokenSource();
        var stop = server.Server.StopAsync(cut.Token);
        Assert.True(server.Server.Stopping.IsCancellationRequested, "Stopping is cancelled as soon as shutdown begins");

        // The kept-alive connection is answered (not cut) — not ready, and told to close.
        await keptAlive.SendAsync("GET /health/ready HTTP/1.1\r\nHost: x\r\n\r\n");
        var stopping = await keptAlive.ReadResponseAsync();
        Assert.Equal((503, "stopping", "close"), (stopping.Status, stopping.Text, stopping.Header("Connection")));
        Assert.True(await keptAlive.IsClosedByServerAsync(5000));

        // The listener is still open during the delay: new connections are served, each once.
        using var late = await server.ConnectAsync();
        await late.SendAsync("GET /work HTTP/1.1\r\nHost: x\r\n\r\n");
        var work = await late.ReadResponseAsync();
        Assert.Equal((200, "hello from /work", "close"), (work.Status, work.Text, work.Header("Connection")));
        using var probe = await server.ConnectAsync();
        await probe.SendAsync("GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n");
        var live = await probe.ReadResponseAsync();
        Assert.Equal((200, "live"), (live.Status, live.Text));
        Assert.False(stop.IsCompleted, "still in the shutdown delay");

        cut.Cancel();   // cuts the delay (and the drain) short
        await stop.WaitAsync(TimeSpan.FromSeconds(10));
        await Assert.ThrowsAsync<SocketException>(() => server.ConnectAsync());
    }

    [Fact]
    public async Task Sd_notify_gets_ready_once_listening_and_stopping_when_shutdown_begins()
    {
        string path = Path.Combine(Path.GetTempPath(), $"kiln-notify-{Guid.NewGuid():N}.sock");
        using var notify = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        notify.Bind(new UnixDomainSocketEndPoint(path));
        try
        {
            var server = await TestServer.StartAsync(Transport, handler: Hello, setup: s => s.NotifySocket = path);
            Assert.Equal("READY=1", await ReceiveAsync(notify));
            await server.DisposeAsync();
            Assert.Equal("STOPPING=1", await ReceiveAsync(notify));
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static async Task<string> ReceiveAsync(Socket datagram)
    {
        var buffer = new byte[256];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        int n = await datagram.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
        return Encoding.UTF8.GetString(buffer, 0, n);
    }
}

/// <summary>The same tests on the epoll transport.</summary>
[Collection(TimingSensitive.Name)]
public sealed class ScaleOutTestsOnEpoll : ScaleOutTests
{
    protected override ServerTransport Transport => Transports.Epoll;
}

/// <summary>The parts that do not depend on the transport.</summary>
public class ScaleOutOptionsTests
{
    [Fact]
    public void Socket_activation_passes_descriptors_from_3_only_to_the_process_it_names()
    {
        Assert.Equal([3, 4], SystemdSockets.Parse("1234", "2", 1234));
        Assert.Empty(SystemdSockets.Parse("1235", "2", 1234));   // meant for another process (a parent, say)
        Assert.Empty(SystemdSockets.Parse(null, "2", 1234));
        Assert.Empty(SystemdSockets.Parse("1234", null, 1234));
        var error = Assert.Throws<InvalidOperationException>(() => SystemdSockets.Parse("1234", "two", 1234));
        Assert.Contains("LISTEN_FDS='two'", error.Message);
    }

    [Fact]
    public async Task A_descriptor_that_is_not_a_listening_socket_fails_start_with_a_clear_error()
    {
        using var bound = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        bound.Bind(new IPEndPoint(IPAddress.Loopback, 0));   // bound, never listen()ed
        var notListening = new ServerOptions();
        notListening.ListenInherited(ScaleOutTests.Duplicate(bound));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => new HttpServer(Hello, notListening).StartAsync());
        Assert.Contains("not listening", error.Message);

        using var datagram = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        datagram.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var udp = new ServerOptions();
        udp.ListenInherited(ScaleOutTests.Duplicate(datagram));
        error = await Assert.ThrowsAsync<InvalidOperationException>(() => new HttpServer(Hello, udp).StartAsync());
        Assert.Contains("Dgram", error.Message);

        Assert.Throws<ArgumentOutOfRangeException>(() => new ServerOptions().ListenInherited(2));
    }

    [Fact]
    public async Task Readiness_follows_the_application_check_and_other_methods_pass_through()
    {
        bool warm = false;
        await using var server = await TestServer.StartAsync(handler: Hello,
            setup: s => s.Use(new HealthEndpoints(s) { ReadinessCheck = () => warm }.InvokeAsync));
        using var client = await server.ConnectAsync();
        await client.SendAsync("GET /health/ready HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal((503, "not ready"), Pair(await client.ReadResponseAsync()));
        warm = true;
        await client.SendAsync("HEAD /health/ready HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal(200, (await client.ReadResponseAsync(headRequest: true)).Status);
        await client.SendAsync("POST /health/ready HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
        Assert.Equal((200, "hello from /health/ready"), Pair(await client.ReadResponseAsync()));
        await client.SendAsync("GET /health/ready?verbose=1 HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal((200, "ready"), Pair(await client.ReadResponseAsync()));
    }

    private static (int, string) Pair(RawResponse response) => (response.Status, response.Text);

    private static ValueTask<HttpResponse> Hello(Request request) => new(HttpResponse.Text("hello from " + request.Target));
}

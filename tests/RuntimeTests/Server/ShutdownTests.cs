using System.Net.Sockets;
using Kiln.RuntimeTests.Support;

namespace Kiln.RuntimeTests.Server;

/// <summary>Graceful shutdown: in-flight requests finish, idle connections close, new connections are refused.</summary>
[Collection(TimingSensitive.Name)]
public class ShutdownTests
{
    /// <summary>The transport of every server these tests start (see <see cref="Transports"/>).</summary>
    protected virtual ServerTransport Transport => ServerTransport.Sockets;

    [Fact]
    public async Task Stop_drains_in_flight_requests_and_closes_idle_connections()
    {
        var inHandler = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // No grace for a fresh connection's first request: the silent connection is not waited for.
        var server = await TestServer.StartAsync(Transport, o => o.FirstRequestGraceOnStop = TimeSpan.Zero, handler: async request =>
        {
            if (request.Target != "/slow") return HttpResponse.Text("Hello, World!");
            inHandler.TrySetResult();
            await Task.Delay(700);
            return HttpResponse.Text("slow done");
        });
        using var idle = await server.ConnectAsync();
        await idle.SendAsync("GET /plaintext HTTP/1.1\r\nHost: x\r\n\r\n");
        await idle.ReadResponseAsync();
        using var busy = await server.ConnectAsync();
        await busy.SendAsync("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
        await inHandler.Task.WaitAsync(TimeSpan.FromSeconds(10));   // the request is in flight

        using var silent = await server.ConnectAsync();   // connected, nothing sent yet
        await Poll.UntilAsync(() => server.Server.ConnectionCount == 3, 5000, () => "three connections");

        var stop = server.Server.StopAsync();
        Assert.True(await idle.IsClosedByServerAsync(3000), "idle keep-alive connection closed at once");
        Assert.True(await silent.IsClosedByServerAsync(3000), "a connection that never sent a request closed at once");
        var response = await busy.ReadResponseAsync();
        Assert.Equal(("slow done", "close"), (response.Text, response.Header("Connection")));
        await stop.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, server.Server.ConnectionCount);
        await Assert.ThrowsAsync<SocketException>(() => server.ConnectAsync());
    }

    [Fact]
    public async Task A_connection_accepted_just_before_the_drain_has_its_first_request_served()
    {
        var server = await TestServer.StartAsync(Transport, o => o.FirstRequestGraceOnStop = TimeSpan.FromSeconds(20),
            handler: _ => new(HttpResponse.Text("served")));
        using var fresh = await server.ConnectAsync();       // accepted; its request is still on the way
        using var idle = await server.ConnectAsync();
        await idle.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        await idle.ReadResponseAsync();                       // served once: no longer waiting for a first request
        await Poll.UntilAsync(() => server.Server.ConnectionCount == 2, 5000, () => "two connections");

        var stop = server.Server.StopAsync();
        Assert.True(await idle.IsClosedByServerAsync(3000), "an idle keep-alive connection still closes at once");
        await fresh.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        var response = await fresh.ReadResponseAsync();
        Assert.Equal((200, "served", "close"), (response.Status, response.Text, response.Header("Connection")));
        await stop.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Stop_aborts_requests_that_outlive_the_shutdown_timeout()
    {
        Request? seen = null;
        var release = new TaskCompletionSource();
        var server = await TestServer.StartAsync(Transport, o => o.ShutdownTimeout = TimeSpan.FromMilliseconds(300), handler: async request =>
        {
            seen = request;
            await Task.Delay(Timeout.Infinite, request.Aborted);
            return HttpResponse.Ok();
        });
        using var client = await server.ConnectAsync();
        await client.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        await Poll.UntilAsync(() => seen is not null, 5000, () => "handler started");
        var started = Environment.TickCount64;
        await server.Server.StopAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.InRange(Environment.TickCount64 - started, 250, 8000);
        Assert.Equal(0, server.Server.ConnectionCount);
        Assert.Contains("aborting", server.Log.ToString());
    }

    [Fact]
    public async Task Aborted_is_cancelled_when_the_client_resets_the_connection()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await TestServer.StartAsync(Transport, handler: async request =>
        {
            started.TrySetResult();
            try { await Task.Delay(Timeout.Infinite, request.Aborted); }
            catch (OperationCanceledException) { cancelled.TrySetResult(); throw; }
            return HttpResponse.Ok();
        });
        var client = await server.ConnectAsync();
        await client.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        client.Socket.LingerState = new LingerOption(true, 0);   // close with a reset
        client.Dispose();
        await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await server.WaitForConnectionsAsync(0);
    }
}

/// <summary>The same tests on the epoll transport.</summary>
[Collection(TimingSensitive.Name)]
public sealed class ShutdownTestsOnEpoll : ShutdownTests
{
    protected override ServerTransport Transport => Transports.Epoll;
}

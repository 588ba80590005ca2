using System.Net.Sockets;
using Kiln.RuntimeTests.Support;

namespace Kiln.RuntimeTests.Server;

/// <summary>Graceful shutdown: in-flight requests finish, idle connections close, new connections are refused.</summary>
public class ShutdownTests
{
    [Fact]
    public async Task Stop_drains_in_flight_requests_and_closes_idle_connections()
    {
        var server = await TestServer.StartAsync();
        using var idle = await server.ConnectAsync();
        await idle.SendAsync("GET /plaintext HTTP/1.1\r\nHost: x\r\n\r\n");
        await idle.ReadResponseAsync();
        using var busy = await server.ConnectAsync();
        await busy.SendAsync("GET /slow?ms=700 HTTP/1.1\r\nHost: x\r\n\r\n");
        await Poll.UntilAsync(() => server.Server.ConnectionCount == 2, 5000, () => "two connections");
        await Task.Delay(100);   // let the slow request reach its handler

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
    public async Task Stop_aborts_requests_that_outlive_the_shutdown_timeout()
    {
        Request? seen = null;
        var release = new TaskCompletionSource();
        var server = await TestServer.StartAsync(o => o.ShutdownTimeout = TimeSpan.FromMilliseconds(300), handler: async request =>
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
}

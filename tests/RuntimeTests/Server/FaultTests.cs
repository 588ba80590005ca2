using System.Net.Sockets;
using System.Text;
using Kiln.RuntimeTests.Support;

namespace Kiln.RuntimeTests.Server;

/// <summary>
/// Hostile clients — garbage, slowloris heads, half-closed sockets, oversized heads, abandoned bodies — while one
/// well-behaved client keeps getting correct answers; afterwards the connection count and memory return to baseline.
/// </summary>
[Collection(TimingSensitive.Name)]
public class FaultTests
{
    /// <summary>The transport of every server these tests start (see <see cref="Transports"/>).</summary>
    protected virtual ServerTransport Transport => ServerTransport.Sockets;

    private const int Attackers = 200;

    [Fact]
    public async Task Server_keeps_serving_under_hostile_clients_and_returns_to_baseline()
    {
        await using var server = await TestServer.StartAsync(Transport, o =>
        {
            o.RequestHeadersTimeout = TimeSpan.FromMilliseconds(1500);
            o.KeepAliveTimeout = TimeSpan.FromMilliseconds(1500);
            o.MinRequestBodyDataRate = 1000;
            o.MinRequestBodyDataRateGracePeriod = TimeSpan.FromMilliseconds(500);
            o.MaxRequestHeadersSize = 4096;
        });
        // Warm up, then take the baseline.
        using (var warm = await server.ConnectAsync())
        {
            await warm.SendAsync("GET /plaintext HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            await warm.ReadResponseAsync();
        }
        await server.WaitForConnectionsAsync(0);
        long baselineMemory = GC.GetTotalMemory(forceFullCollection: true);

        using var stop = new CancellationTokenSource();
        int good = 0;
        var normal = Task.Run(async () =>
        {
            using var client = await server.ConnectAsync();
            while (!stop.IsCancellationRequested)
            {
                await client.SendAsync("GET /accounts/42/history HTTP/1.1\r\nHost: x\r\n\r\n");
                var response = await client.ReadResponseAsync();
                Assert.Equal(200, response.Status);
                Assert.Equal("[{\"Id\":42,\"Amount\":10.5},{\"Id\":42,\"Amount\":-3}]", response.Text);
                Interlocked.Increment(ref good);
            }
        });

        var attacks = Enumerable.Range(0, Attackers).Select(i => Task.Run(() => AttackAsync(server, i))).ToArray();
        await Task.WhenAll(attacks).WaitAsync(TimeSpan.FromSeconds(60));
        int before = Volatile.Read(ref good);
        await Poll.UntilAsync(() => Volatile.Read(ref good) > before + 10, 10_000, () => "the normal client kept going");
        stop.Cancel();
        await normal.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(good > 20, $"only {good} normal requests");

        // Every hostile connection is gone; nothing is left open but nothing at all.
        await server.WaitForConnectionsAsync(0, timeoutMs: 15_000);
        long afterMemory = GC.GetTotalMemory(forceFullCollection: true);
        Assert.True(afterMemory < baselineMemory + 16 * 1024 * 1024, $"memory grew from {baselineMemory} to {afterMemory}");
    }

    private static async Task AttackAsync(TestServer server, int i)
    {
        using var client = await server.ConnectAsync();
        var random = new Random(i);
        try
        {
            switch (i % 5)
            {
                case 0:   // garbage
                    var junk = new byte[1 + random.Next(2000)];
                    random.NextBytes(junk);
                    await client.SendAsync(junk);
                    await client.ReadToEndAsync(10_000);
                    break;
                case 1:   // slowloris: a head that never ends, one byte at a time
                    foreach (char c in "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")
                    {
                        await client.SendAsync(c.ToString());
                        await Task.Delay(20);
                    }
                    for (int n = 0; n < 200 && !await ServerClosedAsync(client); n++)
                        await client.SendAsync("a");
                    break;
                case 2:   // half-closed in the middle of a head
                    await client.SendAsync("GET /plaintext HTTP/1.1\r\nHo");
                    client.Socket.Shutdown(SocketShutdown.Send);
                    await client.ReadToEndAsync(10_000);
                    break;
                case 3:   // oversized head
                    await client.SendAsync("GET / HTTP/1.1\r\nHost: x\r\nX: " + new string('x', 8000) + "\r\n\r\n");
                    await client.ReadToEndAsync(10_000);
                    break;
                default:  // a body promised and abandoned
                    await client.SendAsync("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\nabc");
                    await client.ReadToEndAsync(10_000);
                    break;
            }
        }
        catch (SocketException) { }   // a reset from the server is a fine answer to garbage
    }

    private static async Task<bool> ServerClosedAsync(RawClient client)
    {
        await Task.Delay(50);
        return client.Socket.Poll(0, SelectMode.SelectRead) && client.Socket.Available == 0;
    }
}

/// <summary>The same tests on the epoll transport.</summary>
[Collection(TimingSensitive.Name)]
public sealed class FaultTestsOnEpoll : FaultTests
{
    protected override ServerTransport Transport => Transports.Epoll;
}

using System.Diagnostics;
using System.Net.Sockets;

namespace Kiln.Hardening;

/// <summary>
/// Clients that ask for large answers and never read them: each sends 8 pipelined <c>GET /big</c> (4 MiB each) and
/// stops reading. Measures the server's RSS (a child process) before and once it has stopped growing, and how long a
/// normal client then waits for <c>GET /plaintext</c>.
/// </summary>
public static class NonReadingClients
{
    public static async Task<int> RunAsync(string[] args)
    {
        int clients = args.Length > 0 ? int.Parse(args[0]) : 200;
        using var child = Child.Start();
        var endPoint = child.EndPoint;
        // Warm up: the same answers, read, so pools and JIT are in place before the baseline.
        for (int i = 0; i < 20; i++)
        {
            using var warm = await Http.ConnectAsync(endPoint);
            await Http.SendAsync(warm, "GET /big HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            var sink = new byte[64 * 1024];
            while (await warm.ReceiveAsync(sink, SocketFlags.None) > 0) { }
        }
        long baseline = await SettledRssAsync(child);

        var sockets = new List<Socket>();
        var request = string.Concat(Enumerable.Repeat("GET /big HTTP/1.1\r\nHost: x\r\n\r\n", 8));
        for (int i = 0; i < clients; i++)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
            await socket.ConnectAsync(endPoint);
            await Http.SendAsync(socket, request);
            sockets.Add(socket);
        }
        var stopwatch = Stopwatch.StartNew();
        int during = await Http.GetAsync(endPoint, "/plaintext", TimeSpan.FromSeconds(60));
        double duringMs = stopwatch.Elapsed.TotalMilliseconds;
        // The server is done once it has written all it can (the sockets' kernel buffers are full): it goes idle.
        await IdleAsync(child);
        long loaded = await SettledRssAsync(child);
        stopwatch.Restart();
        int after = await Http.GetAsync(endPoint, "/plaintext", TimeSpan.FromSeconds(60));
        double afterMs = stopwatch.Elapsed.TotalMilliseconds;
        Console.WriteLine($"{clients} non-reading clients: server RSS {baseline / 1048576.0:0.0} MiB -> {loaded / 1048576.0:0.0} MiB, " +
            $"{(loaded - baseline) / (double)clients / 1024:0} KiB per client; a normal GET: {during} in {duringMs:0} ms while the answers " +
            $"were being written, {after} in {afterMs:0.0} ms once the server had gone idle");
        foreach (var socket in sockets) socket.Dispose();
        return 0;
    }

    // Waits until the server used under 5% of a core over a second (or 120 s pass).
    private static async Task IdleAsync(Child child)
    {
        for (int i = 0; i < 120; i++)
        {
            long before = child.CpuTicks();
            await Task.Delay(1000);
            if (child.CpuTicks() - before <= 5) return;   // clock ticks are 1/100 s
        }
    }

    // Samples RSS every 250 ms until three samples in a row differ by less than 1 MiB (or 60 s pass).
    private static async Task<long> SettledRssAsync(Child child)
    {
        long previous = child.Rss();
        int stable = 0;
        for (int i = 0; i < 240 && stable < 3; i++)
        {
            await Task.Delay(250);
            long now = child.Rss();
            stable = Math.Abs(now - previous) < 1024 * 1024 ? stable + 1 : 0;
            previous = now;
        }
        return previous;
    }
}

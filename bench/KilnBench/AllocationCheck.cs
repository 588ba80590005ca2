using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Kiln.LoadBench;

/// <summary>
/// Measures bytes allocated per request for a plain GET: an in-process server and an allocation-free client
/// (synchronous socket calls on pre-built bytes), <see cref="GC.GetTotalAllocatedBytes(bool)"/> around
/// 100 000 requests. Not a test: a measurement printed for docs/benchmarks.md.
/// </summary>
public static class AllocationCheck
{
    public static async Task<int> RunAsync(string path, int requests, int depth)
    {
        var options = new ServerOptions();
        options.Listen(IPAddress.Loopback, 0);
        await using var server = new HttpServer(new BenchRouter(), options);
        await server.StartAsync();
        return Measure((IPEndPoint)server.BoundEndPoints[0], path, requests, depth, "no host");
    }

    /// <summary>Connects to <paramref name="endPoint"/>, warms up, and prints the bytes the process allocated over <paramref name="requests"/>.</summary>
    public static int Measure(IPEndPoint endPoint, string path, int requests, int depth, string label)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.Connect(endPoint);

        var one = Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: bench\r\n\r\n");
        var batch = Enumerable.Range(0, depth).SelectMany(_ => one).ToArray();
        var buffer = new byte[1 << 20];
        int responseLength = Exchange(socket, batch, buffer, depth, 0) / depth;

        // Warm up (tiering, pools), then measure.
        for (int i = 0; i < 20_000 / depth; i++) Exchange(socket, batch, buffer, depth, responseLength);
        GC.Collect();
        long before = GC.GetTotalAllocatedBytes(precise: true);
        int gen0 = GC.CollectionCount(0);
        for (int i = 0; i < requests / depth; i++) Exchange(socket, batch, buffer, depth, responseLength);
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        Console.WriteLine($"{label}: {path} depth {depth}: {requests} requests, {allocated} bytes allocated in the process " +
            $"({(double)allocated / requests:0.###} B/request), gen0 collections {GC.CollectionCount(0) - gen0}");
        return 0;
    }

    // Sends a batch and reads until the expected number of response bytes (or, the first time, the answers) arrived.
    private static int Exchange(Socket socket, byte[] batch, byte[] buffer, int depth, int responseLength)
    {
        socket.Send(batch);
        int got = 0;
        if (responseLength > 0)
        {
            while (got < responseLength * depth) got += socket.Receive(buffer.AsSpan(got));
            return got;
        }
        while (CountResponses(buffer.AsSpan(0, got)) < depth) got += socket.Receive(buffer.AsSpan(got));
        return got;
    }

    private static int CountResponses(ReadOnlySpan<byte> data)
    {
        int count = 0, at;
        while ((at = data.IndexOf("HTTP/1.1 "u8)) >= 0) { count++; data = data[(at + 9)..]; }
        return count;
    }
}

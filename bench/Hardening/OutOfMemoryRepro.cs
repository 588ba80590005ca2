using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Kiln.Hardening;

/// <summary>
/// Issue 12's repro: the server in a child process with the GC heap limited as in a 256 MiB container
/// (<c>DOTNET_GCHeapHardLimit=0xC000000</c>, 192 MiB). Phase 1: N connections send only the head of an 8 MiB upload
/// (and wait for <c>100 Continue</c>, so the server is reading the body); then plain GETs. Phase 2: the same
/// connections send their 8 MiB bodies while GETs continue. Prints every status seen.
/// </summary>
public static class OutOfMemoryRepro
{
    private const int BodySize = 8 * 1024 * 1024;

    public static async Task<int> RunAsync(string[] args)
    {
        int connections = args.Length > 0 ? int.Parse(args[0]) : 32;
        // The data-rate limit is off: the uploads wait while the GETs run, and this measures memory, not patience.
        using var child = Child.Start(gcHeapHardLimit: "0xC000000", "--min-body-rate", "0");
        var endPoint = child.EndPoint;
        var timeout = TimeSpan.FromSeconds(30);

        var sockets = new List<Socket>();
        var first = new List<int>();
        for (int i = 0; i < connections; i++)
        {
            var socket = await Http.ConnectAsync(endPoint);
            sockets.Add(socket);
            await Http.SendAsync(socket, $"POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: {BodySize}\r\nExpect: 100-continue\r\n\r\n");
        }
        foreach (var socket in sockets) first.Add(await Http.ReadStatusAsync(socket, timeout));
        Console.WriteLine($"phase 1: {connections} uploads declared 8 MiB and sent nothing -> {Summary(first)} (100: the server is reading the body)");

        var gets = await GetsAsync(endPoint, timeout);
        Console.WriteLine("phase 1: GET /plaintext and GET /alloc x20 each -> " + Summary(gets));

        // Phase 2: every upload sends its body; GETs run alongside.
        var body = new byte[BodySize];
        Array.Fill(body, (byte)'a');
        var stopwatch = Stopwatch.StartNew();
        var uploads = sockets.Where((_, i) => first[i] == 100).Select(async socket =>
        {
            var answer = Http.ReadStatusAsync(socket, timeout);   // read while sending, so an early answer is not lost to a reset
            try { await socket.SendAsync(body, SocketFlags.None); } catch (SocketException) { }
            return await answer;
        }).ToArray();
        var duringGets = new List<int>();
        long peakRss = 0;
        while (!uploads.All(u => u.IsCompleted))
        {
            duringGets.AddRange(await Task.WhenAll(Http.GetAsync(endPoint, "/plaintext", timeout), Http.GetAsync(endPoint, "/alloc", timeout)));
            peakRss = Math.Max(peakRss, child.Rss());
        }
        var uploadStatuses = await Task.WhenAll(uploads);
        Console.WriteLine($"phase 2: uploads -> {Summary(uploadStatuses)} in {stopwatch.Elapsed.TotalSeconds:0.0} s; GETs during -> {Summary(duringGets)}; peak server RSS {peakRss / 1048576} MiB");
        Console.WriteLine("after: GET /plaintext and GET /alloc x20 each -> " + Summary(await GetsAsync(endPoint, timeout)));
        Console.WriteLine("server process: " + child.State);
        foreach (var socket in sockets) socket.Dispose();
        return 0;
    }

    private static Task<int[]> GetsAsync(System.Net.IPEndPoint endPoint, TimeSpan timeout)
        => Task.WhenAll(Enumerable.Range(0, 40).Select(i => Http.GetAsync(endPoint, i % 2 == 0 ? "/plaintext" : "/alloc", timeout)));

    private static string Summary(IEnumerable<int> statuses)
        => string.Join(", ", statuses.GroupBy(s => s).OrderBy(g => g.Key).Select(g => $"{(g.Key == 0 ? "no answer" : g.Key.ToString())} x{g.Count()}"));
}

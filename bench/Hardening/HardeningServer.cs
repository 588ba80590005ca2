using System.Text.Json.Serialization;

namespace Kiln.Hardening;

public sealed record Item(string Name, int Count);

[JsonSerializable(typeof(Item))]
public sealed partial class HardeningJson : JsonSerializerContext;

/// <summary>
/// The server the measurements run against (a child process, so its memory is its own): a few routes that buffer
/// request bodies and send large answers. Prints <c>listening on ADDRESS</c>, then serves until a signal (or, with
/// <c>--stdin</c>, until stdin closes).
/// </summary>
public static class HardeningServer
{
    private static readonly byte[] Big = new byte[4 * 1024 * 1024];
    private static readonly byte[] Medium = new byte[256 * 1024];
    private static readonly Item Sample = new("widget", 3);

    public static ValueTask<HttpResponse> Handle(Request request) => request.Target switch
    {
        "/plaintext" => HttpResponse.Text("Hello, World!"),
        "/json" => HttpResponse.Json(Sample, HardeningJson.Default.Item),
        "/big" => HttpResponse.Bytes(Big),
        "/medium" => HttpResponse.Bytes(Medium),
        "/stats" => HttpResponse.Text(Stats()),
        // A handler that allocates as ordinary handlers do (here 32 KiB of fresh garbage per request).
        "/alloc" => HttpResponse.Bytes(new byte[32 * 1024]),
        "/upload" => UploadAsync(request),
        "/item" => ItemAsync(request),
        _ => HttpResponse.NotFound(),
    };

    // "heap_bytes committed_bytes gen0 gen1 gen2 threads": the managed heap after the last GC, the memory the GC has
    // committed, collections so far, and thread-pool threads.
    private static string Stats()
    {
        var info = GC.GetGCMemoryInfo();
        return string.Join(' ', info.HeapSizeBytes, info.TotalCommittedBytes, GC.CollectionCount(0), GC.CollectionCount(1),
            GC.CollectionCount(2), ThreadPool.ThreadCount);
    }

    private static async ValueTask<HttpResponse> UploadAsync(Request request)
        => HttpResponse.Text((await request.ReadBodyAsBytesAsync()).Length.ToString(System.Globalization.CultureInfo.InvariantCulture));

    private static async ValueTask<HttpResponse> ItemAsync(Request request)
    {
        var item = await request.ReadFromJsonAsync(HardeningJson.Default.Item);
        return HttpResponse.Json(item, HardeningJson.Default.Item);
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var options = ServerOptions.FromArgs(args.Where(a => a != "--stdin").ToArray(), defaultPort: 0);
        int rate = Array.IndexOf(args, "--min-body-rate");
        if (rate >= 0) options.MinRequestBodyDataRate = double.Parse(args[rate + 1], System.Globalization.CultureInfo.InvariantCulture);
        await using var server = new HttpServer(Handle, options) { ErrorLog = null };
        await server.StartAsync();
        Console.WriteLine("listening on " + server.BoundEndPoints[0]);
        Console.Out.Flush();
        // Until SIGINT/SIGTERM, or with --stdin until the parent process closes our stdin.
        using var stop = new CancellationTokenSource();
        if (args.Contains("--stdin")) _ = Task.Run(() => { Console.In.ReadToEnd(); stop.Cancel(); });
        await server.RunAsync(stop.Token);
        return 0;
    }
}

using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Kiln.LoadBench;

/// <summary>
/// What Kiln's telemetry costs per request: the allocation check's in-process server and allocation-free client,
/// in rounds that rotate through four modes — no listener; a <see cref="MeterListener"/> on every Kiln instrument that
/// sums each measurement; an <see cref="ActivityListener"/> that samples every Kiln span; both — so that every mode
/// sees the same neighbours on a shared machine. Per round: wall time, process CPU time
/// (user + system, server and client together) and bytes allocated, per request. Not a test: a measurement printed
/// for docs/benchmarks.md.
/// </summary>
public static class TelemetryCost
{
    private static double s_sum;   // where the listener puts what it is given, so that nothing is optimized away
    private static long s_count;

    public static async Task<int> RunAsync(string path, int requests, int rounds)
    {
        var options = new ServerOptions();
        options.Listen(IPAddress.Loopback, 0);
        await using var server = new HttpServer(new BenchRouter(), options) { ErrorLog = null };
        await server.StartAsync();
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.Connect(server.BoundEndPoints[0]);
        var request = Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: bench\r\n\r\n");
        var buffer = new byte[1 << 16];
        int length = FirstExchange(socket, request, buffer);

        // Warm up every path (tiering, the listeners' first instruments), then rotate.
        string[] modes = ["none", "metrics", "traces", "both"];
        foreach (var mode in modes)
            using (Listen(mode)) Run(socket, request, buffer, length, 20_000);
        var results = new List<(string Mode, double WallUs, double CpuUs, double Bytes)>();
        for (int round = 0; round < rounds; round++)
        {
            for (int m = 0; m < modes.Length; m++)
            {
                string listening = modes[(m + round) % modes.Length];
                using var listener = Listen(listening);
                GC.Collect();
                var process = Process.GetCurrentProcess();
                var cpu = process.TotalProcessorTime;
                long allocated = GC.GetTotalAllocatedBytes(precise: true);
                long start = Stopwatch.GetTimestamp();
                Run(socket, request, buffer, length, requests);
                var wall = Stopwatch.GetElapsedTime(start);
                allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
                process.Refresh();
                var used = process.TotalProcessorTime - cpu;
                var result = (listening, wall.TotalMicroseconds / requests, used.TotalMicroseconds / requests, (double)allocated / requests);
                results.Add(result);
                Console.WriteLine($"round {round + 1} {listening,-7}: {result.Item2:0.00} µs wall, {result.Item3:0.00} µs CPU, {result.Item4:0.#} B per request");
            }
        }
        foreach (var mode in modes)
        {
            var mine = results.Where(r => r.Mode == mode).ToList();
            Console.WriteLine($"{mode,-7} median of {mine.Count}: {Median(mine.Select(r => r.WallUs)):0.00} µs wall, " +
                $"{Median(mine.Select(r => r.CpuUs)):0.00} µs CPU, {Median(mine.Select(r => r.Bytes)):0.#} B per request");
        }
        // Paired: each mode against the "none" run of the same round, which saw about the same neighbours.
        for (int m = 1; m < modes.Length; m++)
        {
            var cpu = new List<double>();
            var wall = new List<double>();
            for (int round = 0; round < rounds; round++)
            {
                var none = results.Skip(round * modes.Length).Take(modes.Length).Single(r => r.Mode == "none");
                var mine = results.Skip(round * modes.Length).Take(modes.Length).Single(r => r.Mode == modes[m]);
                cpu.Add(mine.CpuUs - none.CpuUs);
                wall.Add(mine.WallUs - none.WallUs);
            }
            Console.WriteLine($"{modes[m],-7} minus none, median of {rounds} paired rounds: {Median(cpu):+0.00;-0.00} µs CPU, {Median(wall):+0.00;-0.00} µs wall per request");
        }
        Console.WriteLine($"(the listeners saw {s_count} measurements)");
        return 0;
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>
    /// Listens to every instrument of the <c>Kiln</c> meter (<c>metrics</c>), samples every span of the <c>Kiln</c>
    /// source (<c>traces</c>), both, or nothing (<c>none</c>).
    /// </summary>
    private static IDisposable Listen(string mode)
    {
        var both = new Both();
        if (mode is "metrics" or "both") both.Meters = ListenToMeters();
        if (mode is "traces" or "both") both.Spans = ListenToSpans();
        return both;
    }

    private static MeterListener ListenToMeters()
    {
        var meters = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == KilnTelemetry.MeterName) listener.EnableMeasurementEvents(instrument);
            },
        };
        meters.SetMeasurementEventCallback<double>((_, value, tags, _) => { s_sum += value + tags.Length; s_count++; });
        meters.SetMeasurementEventCallback<long>((_, value, tags, _) => { s_sum += value + tags.Length; s_count++; });
        meters.Start();
        return meters;
    }

    private static ActivityListener ListenToSpans()
    {
        var spans = new ActivityListener
        {
            ShouldListenTo = source => source.Name == KilnTelemetry.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity => { s_sum += activity.Duration.Ticks; s_count++; },
        };
        ActivitySource.AddActivityListener(spans);
        return spans;
    }

    private sealed class Both : IDisposable
    {
        public MeterListener? Meters;
        public ActivityListener? Spans;

        public void Dispose()
        {
            Meters?.Dispose();
            Spans?.Dispose();
        }
    }

    private static int FirstExchange(Socket socket, byte[] request, byte[] buffer)
    {
        socket.Send(request);
        int got = 0;
        while (true)
        {
            got += socket.Receive(buffer.AsSpan(got));
            var data = buffer.AsSpan(0, got);
            int end = data.IndexOf("\r\n\r\n"u8);
            if (end < 0) continue;
            var head = Encoding.ASCII.GetString(data[..end]);
            int at = head.IndexOf("Content-Length: ", StringComparison.OrdinalIgnoreCase);
            int contentLength = int.Parse(head[(at + 16)..].Split('\r')[0]);
            if (got >= end + 4 + contentLength) return end + 4 + contentLength;
        }
    }

    private static void Run(Socket socket, byte[] request, byte[] buffer, int length, int count)
    {
        for (int i = 0; i < count; i++)
        {
            socket.Send(request);
            int got = 0;
            while (got < length) got += socket.Receive(buffer.AsSpan(got));
        }
    }
}

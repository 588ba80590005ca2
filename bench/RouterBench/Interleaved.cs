using System.Diagnostics;

namespace Kiln.Benchmarks;

/// <summary>
/// A cross-check for busy machines (<c>--interleaved</c>): BenchmarkDotNet measures one benchmark after another, so
/// when other processes load the CPU unevenly, the ratio between two rows also measures the load. Here the matchers
/// take turns: each round times one pass of all 203 lookups per matcher (repeated <c>reps</c> times), in a rotating
/// order, and the ratio to ASP.NET is taken within each round. Reported: per-lookup minimum and median over the
/// rounds, the median of the per-round ratios, and bytes allocated per lookup (this thread, all rounds).
/// </summary>
public static class Interleaved
{
    public static void Run(int rounds = 400, int reps = 20)
    {
        var bench = new RouterBenchmarks();
        bench.Setup();
        (string Name, Func<int> Pass)[] matchers =
        [
            ("Kiln: generated Match", bench.Kiln),
            ("Kiln: normalize + Match", bench.KilnWithNormalization),
            ("Kiln: RouteAsync (bind strings, call)", bench.KilnRouteAsync),
            ("ASP.NET Core DfaMatcher", bench.AspNet),
            ("Naive linear", bench.Naive),
        ];
        int aspNet = Array.FindIndex(matchers, m => m.Name.StartsWith("ASP.NET", StringComparison.Ordinal));
        // Warm up: enough calls for tiered compilation to reach tier 1 everywhere.
        for (int w = 0; w < 200; w++) foreach (var m in matchers) m.Pass();
        Thread.Sleep(200);
        for (int w = 0; w < 200; w++) foreach (var m in matchers) m.Pass();

        var times = new double[matchers.Length][];
        var bytes = new long[matchers.Length];
        for (int k = 0; k < matchers.Length; k++) times[k] = new double[rounds];
        int sink = 0;
        for (int r = 0; r < rounds; r++)
        {
            for (int j = 0; j < matchers.Length; j++)
            {
                int k = (j + r) % matchers.Length;
                var pass = matchers[k].Pass;
                long allocated = GC.GetAllocatedBytesForCurrentThread();
                long start = Stopwatch.GetTimestamp();
                for (int i = 0; i < reps; i++) sink += pass();
                long elapsed = Stopwatch.GetTimestamp() - start;
                bytes[k] += GC.GetAllocatedBytesForCurrentThread() - allocated;
                times[k][r] = elapsed * 1e9 / Stopwatch.Frequency / (reps * (double)GitHubRoutes.Count);
            }
        }
        Console.WriteLine($"Interleaved: {rounds} rounds x {reps} passes x {GitHubRoutes.Count} lookups per matcher (sink {sink & 1})");
        Console.WriteLine();
        Console.WriteLine("| Matcher | Min ns/lookup | Median ns/lookup | Median ratio to ASP.NET (per round) | Allocated B/lookup |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        for (int k = 0; k < matchers.Length; k++)
        {
            var ratios = Enumerable.Range(0, rounds).Select(r => times[k][r] / times[aspNet][r]).ToArray();
            Console.WriteLine($"| {matchers[k].Name} | {times[k].Min():F1} | {Median(times[k]):F1} | {Median(ratios):F3} | {bytes[k] / (double)(rounds * reps * GitHubRoutes.Count):F1} |");
        }
    }

    private static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}

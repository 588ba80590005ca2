using BenchmarkDotNet.Running;
using Kiln.Benchmarks;

// --verify: build every matcher and check that each finds every GitHub route, without timing anything.
// --dump-matcher FILE: write the matcher Kiln generates for the GitHub set to FILE (outside the repository: the
//   route set is third-party data and code generated from it is not committed).
// --interleaved [ROUNDS [REPS]]: the router matchers timed in alternating rounds (see Interleaved.cs), a
//   cross-check of BenchmarkDotNet's ratios on a machine that other processes load.
if (args is ["--verify"])
{
    var bench = new RouterBenchmarks();
    bench.Setup();
    Console.WriteLine($"OK: {GitHubRoutes.Count} GitHub routes matched by Kiln, ASP.NET Core DfaMatcher and the naive matcher.");
    var adapters = new AdapterBenchmarks();
    adapters.Setup();
    Console.WriteLine("OK: adapter endpoints answer as expected.");
    return;
}
if (args is ["--interleaved", ..] rest)
{
    Interleaved.Run(rest.Length > 1 ? int.Parse(rest[1]) : 400, rest.Length > 2 ? int.Parse(rest[2]) : 20);
    return;
}
if (args is ["--dump-matcher", var file])
{
    File.WriteAllText(file, KilnGitHubRouter.MatcherSource);
    Console.WriteLine($"Wrote {file}");
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(RouterBenchmarks).Assembly).Run(args);

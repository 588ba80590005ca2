using System.Text;
using BenchmarkDotNet.Attributes;
using Kiln.Routing;
using Microsoft.AspNetCore.Http;

namespace Kiln.Benchmarks;

/// <summary>
/// Looks up every path of the GitHub API route set (203 routes; one path per route, parameters filled in) with
/// Kiln's generated matcher, ASP.NET Core's DfaMatcher and a naive linear matcher. One invocation is all 203
/// lookups; <c>OperationsPerInvoke</c> makes every column (time and allocation) per lookup.
/// </summary>
[Config(typeof(BenchConfig))]
[MemoryDiagnoser]
[MinColumn, MedianColumn]
public class RouterBenchmarks
{
    private const int N = GitHubRoutes.Count;

    private string[] _methods = [];
    private string[] _paths = [];
    private byte[][] _pathBytes = [];
    private RoutePath _route = null!;
    private AspNetGitHubMatcher _aspNet = null!;
    private DefaultHttpContext[] _contexts = [];
    private NaiveMatcher _naive = null!;
    private Router _router = null!;
    private Request _request = null!;
    private byte[][] _methodBytes = [];

    [GlobalSetup]
    public void Setup()
    {
        var routes = GitHubRoutes.All;
        _methods = routes.Select(r => r.Method).ToArray();
        _paths = routes.Select(r => r.Path).ToArray();
        _pathBytes = routes.Select(r => Encoding.UTF8.GetBytes(r.Path)).ToArray();
        _route = Request.Create("GET", "/").Route;
        _aspNet = new AspNetGitHubMatcher(routes);
        _contexts = routes.Select(r => AspNetGitHubMatcher.Context(r.Method, r.Path)).ToArray();
        _naive = new NaiveMatcher(routes);
        _router = KilnGitHubRouter.Router;
        _request = Request.Create("GET", "/");
        _methodBytes = routes.Select(r => Encoding.ASCII.GetBytes(r.Method)).ToArray();
        Verify();
        Warm(() => { Kiln(); KilnWithNormalization(); KilnRouteAsync(); AspNet(); Naive(); });
    }

    /// <summary>
    /// Runs <paramref name="pass"/> enough, with pauses, for tiered compilation to finish tier 1 of everything it
    /// calls. Building the router through Roslyn leaves the background JIT a long queue of methods to re-compile; on
    /// a busy 2-core machine the matcher's own methods otherwise reach tier 1 only after the first benchmark has
    /// been measured at tier 0.
    /// </summary>
    public static void Warm(Action pass)
    {
        for (int round = 0; round < 5; round++)
        {
            for (int i = 0; i < 200; i++) pass();
            Thread.Sleep(200);
        }
    }

    /// <summary>Every matcher must find every route's own row before anything is timed.</summary>
    public void Verify()
    {
        var kilnRoutes = KilnGitHubRouter.Router.Routes;
        var errors = new List<string>();
        for (int i = 0; i < N; i++)
        {
            var expected = "R" + i;
            var kiln = _router.Match(_pathBytes[i], _route, _methods[i]);
            var kilnName = kiln.IsRoute ? kilnRoutes[kiln.Id].Name : "(none)";
            if (!kilnName.EndsWith("." + expected, StringComparison.Ordinal) && kilnName != expected)
                errors.Add($"Kiln: {_methods[i]} {_paths[i]} -> {kilnName}, expected {expected}");

            _route.Reset();
            if (!_route.TryGetInPlace(_pathBytes[i], _pathBytes[i].Length, out var normalized) || !normalized.SequenceEqual(_pathBytes[i]))
                errors.Add($"Kiln: {_paths[i]} does not normalize to itself");

            var context = _contexts[i];
            context.SetEndpoint(null);
            _aspNet.MatchAsync(context).GetAwaiter().GetResult();
            var aspNet = context.GetEndpoint()?.DisplayName ?? "(none)";
            if (aspNet != expected) errors.Add($"ASP.NET: {_methods[i]} {_paths[i]} -> {aspNet}, expected {expected}");

            _request.Begin(_methodBytes[i], _pathBytes[i], HttpProtocolVersion.Http11);
            var response = _router.RouteAsync(_request).Result;
            if (response.TextBody != expected) errors.Add($"Kiln RouteAsync: {_methods[i]} {_paths[i]} -> {response.StatusCode} {response.TextBody}, expected {expected}");

            int naive = _naive.Match(_methods[i], _paths[i]);
            if (naive != i) errors.Add($"Naive: {_methods[i]} {_paths[i]} -> R{naive}, expected {expected}");
        }
        if (errors.Count > 0) throw new InvalidOperationException("Matchers disagree:\n" + string.Join("\n", errors));
        if (_aspNet.MatcherTypeName != "Microsoft.AspNetCore.Routing.Matching.DfaMatcher")
            throw new InvalidOperationException("Expected ASP.NET Core's DfaMatcher, got " + _aspNet.MatcherTypeName);
    }

    /// <summary>
    /// Kiln: the generated <c>Match</c> on the already-normalized path bytes, through <c>Router.Match</c> (internal:
    /// what RouteAsync calls after normalizing — it sets up the path reader and makes one virtual call).
    /// </summary>
    [Benchmark(OperationsPerInvoke = N, Description = "Kiln: generated Match")]
    public int Kiln()
    {
        int sum = 0;
        var paths = _pathBytes;
        var methods = _methods;
        var route = _route;
        var router = _router;
        for (int i = 0; i < paths.Length; i++) sum += router.Match(paths[i], route, methods[i]).Id;
        return sum;
    }

    /// <summary>Kiln: path normalization as <c>RouteAsync</c> does it (<c>RoutePath.TryGetInPlace</c> on the request's target buffer: one scan for '%' and '.', the bytes used in place) plus <c>Match</c>.</summary>
    [Benchmark(OperationsPerInvoke = N, Description = "Kiln: normalize + Match")]
    public int KilnWithNormalization()
    {
        int sum = 0;
        var paths = _pathBytes;
        var methods = _methods;
        var route = _route;
        var router = _router;
        for (int i = 0; i < paths.Length; i++)
        {
            route.Reset();
            route.TryGetInPlace(paths[i], paths[i].Length, out var path);
            sum += router.Match(path, route, methods[i]).Id;
        }
        return sum;
    }

    /// <summary>
    /// Kiln, for information: the whole request through <c>RouteAsync</c> on a reused <see cref="Request"/> (reset with
    /// <c>Request.Begin</c>): normalize, match, bind every route value to the method's <c>string</c> parameter (one
    /// string each — the same strings ASP.NET Core's matcher captures), call it and make the text response.
    /// </summary>
    [Benchmark(OperationsPerInvoke = N, Description = "Kiln: RouteAsync (bind strings, call)")]
    public int KilnRouteAsync()
    {
        int sum = 0;
        var paths = _pathBytes;
        var methods = _methodBytes;
        var request = _request;
        var router = _router;
        for (int i = 0; i < paths.Length; i++)
        {
            request.Begin(methods[i], paths[i], HttpProtocolVersion.Http11);
            sum += router.RouteAsync(request).Result.StatusCode;
        }
        return sum;
    }

    /// <summary>ASP.NET Core: <c>DfaMatcher.MatchAsync</c> on a pre-built context per path (endpoint reset before each call).</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = N, Description = "ASP.NET Core DfaMatcher")]
    public int AspNet()
    {
        int sum = 0;
        var contexts = _contexts;
        var matcher = _aspNet;
        for (int i = 0; i < contexts.Length; i++)
        {
            var context = contexts[i];
            context.SetEndpoint(null);
            if (matcher.MatchAsync(context).IsCompletedSuccessfully) sum++;
        }
        return sum;
    }

    /// <summary>What the ASP.NET Core row spends outside the matcher: the loop and <c>SetEndpoint(null)</c> (for transparency).</summary>
    [Benchmark(OperationsPerInvoke = N, Description = "ASP.NET Core harness only (SetEndpoint(null))")]
    public int AspNetHarness()
    {
        int sum = 0;
        var contexts = _contexts;
        for (int i = 0; i < contexts.Length; i++)
        {
            var context = contexts[i];
            context.SetEndpoint(null);
            sum += context.Request.Path.HasValue ? 1 : 0;
        }
        return sum;
    }

    /// <summary>The naive linear matcher (routes tried in order, segments compared as spans).</summary>
    [Benchmark(OperationsPerInvoke = N, Description = "Naive linear")]
    public int Naive()
    {
        int sum = 0;
        var paths = _paths;
        var methods = _methods;
        var naive = _naive;
        for (int i = 0; i < paths.Length; i++) sum += naive.Match(methods[i], paths[i]);
        return sum;
    }
}

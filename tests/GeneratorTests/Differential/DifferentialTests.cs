using System.Text;
using Kiln.GeneratorTests.Infrastructure;
using Microsoft.CodeAnalysis;

namespace Kiln.GeneratorTests.Differential;

/// <summary>
/// The generated router against <see cref="ReferenceRouter"/>, a plain implementation of the routing rules: every
/// request must get the same status, route (and bound values), Allow and Location from both. Any disagreement fails
/// and prints the table, the request and both answers.
/// </summary>
public class DifferentialTests
{
    /// <summary>Random tables (seeded, reproducible) and the requests sent to each.</summary>
    public const int RandomTableCount = 24;
    public const int RequestsPerTable = 500;
    public const int RoutesPerTable = 20;

    public static IEnumerable<object[]> Seeds => Enumerable.Range(1, RandomTableCount).Select(s => new object[] { s });

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task Random_tables_route_like_the_reference(int seed)
    {
        var random = new RandomTables(seed);
        var all = random.Table(RoutesPerTable);
        var requests = Enumerable.Range(0, RequestsPerTable).Select(_ => random.Request(all)).ToList();

        // Extra check on the whole table: wherever the reference sees two same-method routes tie, the generator
        // must refuse the table with KILN007/KILN008 naming them.
        CheckConflictsAreReported(all, requests, seed);
        // And the converse: every conflict the matcher builder reports has a path on which the reference sees the tie.
        CheckConflictsHaveWitnesses(all, seed);

        var routes = RandomTables.Accepted(all);
        var router = GeneratorHarness.CreateRouter(TableSource.For(routes));
        await CompareAsync(router, routes, requests, "random table, seed " + seed);
    }

    /// <summary>Small tables aimed at one rule each, with the requests that probe it (GET unless the path says "METHOD /path").</summary>
    [Theory]
    [InlineData("GET /<x>.<y:int>; GET /<z>.png; GET /v<n:int>", "/a.5 /a.png /5.png /a.b.png /a.5.png /v5 /v5.png /v.png /.png /a. /a.-7 /v5.5 /v-1 /v")]
    [InlineData("GET /a-<x:int>.png; GET /a-<y:bool>.png; GET /<s>",  "/a-5.png /a-true.png /a-TRUE.png /a-x.png /a-.png /a-5.PNG /a-5.png.png")]
    [InlineData("GET /items/new; GET /items/<id:int>; GET /items/<c:Color>; GET /items/<s>; GET /items/<*rest>",
        "/items/new /items/New /items/42 /items/-0 /items/2147483648 /items/red /items/bob /items /items/ /items/a/b /items/%6Eew /items/ne%77")]
    [InlineData("GET /files/<*p>; GET /files; POST /files/<name>; PURGE /files/<*key>; HEAD /files/x",
        "/files /files/ /files/a/b /files/a%2Fb POST:/files/a POST:/files/a/b PURGE:/files PURGE:/files/a/b HEAD:/files/x HEAD:/files/y OPTIONS:/files/a DELETE:/files/a get:/files")]
    [InlineData("GET /a; GET /a/<x:Guid>/<d:Date>; GET /<b:bool>/<l:long>",
        "/a/ /a// /a/./ /a/b/.. /a/../.. /x/../a /true/9223372036854775807 /TRUE/9223372036854775808 /a/00000000-0000-0000-0000-000000000001/2024-02-29 /a/00000000000000000000000000000001/2023-02-29 /caf%C3%A9 /a%00 /a%2 /a?x=1 /true/5/")]
    public async Task Hand_written_tables_route_like_the_reference(string table, string requests)
    {
        var routes = ConflictTests.Parse(table);
        var router = GeneratorHarness.CreateRouter(TableSource.For(routes));
        var list = requests.Split(' ').Select(r => r.Contains(':') && !r.StartsWith('/') ? (r[..r.IndexOf(':')], r[(r.IndexOf(':') + 1)..]) : ("GET", r)).ToList();
        await CompareAsync(router, routes, list, "table " + table, minimumMatched: 1);
    }

    [Fact]
    public async Task A_disagreement_fails_with_the_table_the_request_and_both_answers()
    {
        var router = GeneratorHarness.CreateRouter(TableSource.For(ConflictTests.Parse("GET /a/<x:int>; GET /a/<y>")));
        var wrong = ConflictTests.Parse("POST /a/<x:int>; GET /a/<y>");   // the reference is told route R0 is POST

        var failure = await Assert.ThrowsAsync<Xunit.Sdk.FailException>(() => CompareAsync(router, wrong, new[] { ("GET", "/a/5") }, "check", minimumMatched: 0));

        Assert.Contains("POST /a/<x> -> R0 (x: Int)", failure.Message, StringComparison.Ordinal);
        Assert.Contains("GET /a/5", failure.Message, StringComparison.Ordinal);
        Assert.Contains("generated: 200 body=R0|x=5", failure.Message, StringComparison.Ordinal);
        Assert.Contains("reference: 200 body=R1|y=5", failure.Message, StringComparison.Ordinal);
    }

    [SharedDataFact("routes/github-api.tsv")]
    public async Task GitHub_api_routes_like_the_reference()
    {
        var routes = File.ReadAllLines(SharedData.Require("routes/github-api.tsv"))
            .Where(l => l.Length > 0)
            .Select((line, i) => line.Split('\t') is var f ? new TestRoute("R" + i, f[0], TableSource.ParsePlain(f[1])) : null!)
            .ToList();
        Assert.Equal(203, routes.Count);
        var router = GeneratorHarness.CreateRouter(TableSource.For(routes));

        var requests = new List<(string, string)>();
        string[] methods = { "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "PURGE" };
        foreach (var route in routes)
        {
            string Fill(Func<string, string> value) => route.Segments.Count == 0 ? "/"
                : "/" + string.Join("/", route.Segments.Select(s => s.IsLiteral ? s.Parts[0].Literal! : value(s.Parts[0].Name!)));
            var paths = new List<string>
            {
                Fill(name => name == "owner" ? "julienschmidt" : name == "repo" ? "httprouter" : "42"),
                Fill(name => "caf%C3%A9-" + name),
                Fill(name => "a%2Fb"),
                Fill(name => ""),                                     // empty parameter: never matches
            };
            var path = paths[0];
            paths.Add(path + "/");                                     // trailing slash
            paths.Add(path + "/extra");                                // one segment too many
            paths.Add(path.Contains('/', StringComparison.Ordinal) && path.LastIndexOf('/') > 0 ? path[..path.LastIndexOf('/')] : path + "x");
            paths.Add(path.ToUpperInvariant());                        // case matters
            paths.Add("/x/.." + path);                                 // dot segments
            paths.Add(path.Replace("s", "%73", StringComparison.Ordinal));   // an encoded literal still matches
            paths.Add(path + "?page=2");
            paths.Add(path.Length > 2 ? path[..^1] : path + "s");      // a literal one byte short
            foreach (var p in paths)
                foreach (var m in methods)
                    requests.Add((m, p));
        }
        await CompareAsync(router, routes, requests, "GitHub API route set");
    }

    /// <summary>Runs every request through both routers; fails with the table and every disagreement.</summary>
    internal static async Task CompareAsync(Router router, IReadOnlyList<TestRoute> routes, IReadOnlyList<(string Method, string Target)> requests, string what, int minimumMatched = -1)
    {
        var reference = new ReferenceRouter(routes);
        var failures = new List<string>();
        int matched = 0;
        foreach (var (method, target) in requests)
        {
            var expected = reference.Route(method, target);
            var actual = await RouteAsync(router, method, target);
            if (expected.Status == 200) matched++;
            if (expected != actual)
                failures.Add($"  {method} {target}\n    generated: {actual}\n    reference: {expected}");
        }
        if (failures.Count > 0)
            Assert.Fail($"{what}: {failures.Count} of {requests.Count} requests disagree.\nTable:\n{TableSource.Describe(routes)}\nDisagreements:\n{string.Join("\n", failures.Take(25))}");
        // The requests must exercise the table, not only miss it.
        Assert.True(matched >= (minimumMatched >= 0 ? minimumMatched : requests.Count / 10), $"{what}: only {matched} of {requests.Count} requests matched a route; the generator of requests is too weak.");
    }

    internal static async Task<Answer> RouteAsync(Router router, string method, string target)
    {
        var response = await router.SendAsync(method, target);
        return new Answer(response.Status, response.Status == 200 ? response.Body : null, response.Header("Allow"), response.Header("Location"));
    }

    /// <summary>Every tie the reference sees on the requests must be reported by the real generator between the tied routes.</summary>
    private static void CheckConflictsAreReported(List<TestRoute> routes, List<(string Method, string Target)> requests, int seed)
    {
        var reference = new ReferenceRouter(routes);
        var ties = requests.SelectMany(r => reference.Ties(r.Target).Select(t => (r.Target, Routes: t))).ToList();
        if (ties.Count == 0) return;
        var source = TableSource.For(routes);
        var diagnostics = GeneratorHarness.GeneratorDiagnostics(source);
        if (diagnostics.Any(d => d.Id == "KILN015")) return;   // too complex to build: conflicts are not computed
        Assert.All(diagnostics, d => Assert.Contains(d.Id, new[] { "KILN007", "KILN008" }));
        var edges = diagnostics.Select(d => (RouteAt(routes, d.Location), RouteAt(routes, d.AdditionalLocations.Single()))).ToList();
        foreach (var (target, tied) in ties)
        {
            // The tied routes must be connected by reported conflicts.
            var reached = new HashSet<TestRoute> { tied[0] };
            for (bool grew = true; grew;)
            {
                grew = false;
                foreach (var (a, b) in edges)
                {
                    if (reached.Contains(a) && tied.Contains(b) && reached.Add(b)) grew = true;
                    if (reached.Contains(b) && tied.Contains(a) && reached.Add(a)) grew = true;
                }
            }
            if (reached.Count != tied.Count)
                Assert.Fail($"seed {seed}: the reference finds {string.Join(" and ", tied.Select(t => t.Describe()))} tied on {target}, "
                    + $"but the generator reports no conflict between them.\nTable:\n{TableSource.Describe(routes)}\nGenerator diagnostics:\n{string.Join("\n", diagnostics)}");
        }
    }

    private static void CheckConflictsHaveWitnesses(List<TestRoute> routes, int seed)
    {
        var (_, conflicts, error) = Kiln.Generator.Routing.MatcherBuilder.Build(RandomTables.Entries(routes));
        if (error is not null) return;
        var reference = new ReferenceRouter(routes);
        var witnesses = new RandomTables(seed * 7919);
        foreach (var conflict in conflicts)
        {
            var (a, b) = (routes[conflict.First], routes[conflict.Second]);
            bool found = false;
            for (int i = 0; i < 300 && !found; i++)
                found = new[] { witnesses.Request(new[] { a }).Target, witnesses.Request(new[] { b }).Target }
                    .Any(t => reference.Ties(t).Any(tie => tie.Contains(a) && tie.Contains(b)));
            Assert.True(found, $"seed {seed}: the generator reports {a.Describe()} and {b.Describe()} as conflicting (e.g. {conflict.ExamplePath}), "
                + $"but no request makes them tie in the reference.\nTable:\n{TableSource.Describe(routes)}");
        }
    }

    private static TestRoute RouteAt(List<TestRoute> routes, Location location)
    {
        int line = location.GetLineSpan().StartLinePosition.Line;
        return routes[line - TableSource.HeaderLines];
    }
}

using System.Text.RegularExpressions;
using Kiln.Generator.Routing;
using Kiln.GeneratorTests.Differential;

namespace Kiln.GeneratorTests;

/// <summary>
/// Conflict detection as data: route tables and the conflicts the matcher builder (a pure function) must return.
/// Routes are written <c>METHOD /template</c> with parameter types inline (<c>&lt;id:int&gt;</c>; untyped means string);
/// a conflict is <c>first ~ second</c> (ambiguous, KILN008) or <c>first == second</c> (duplicate, KILN007), in table order.
/// </summary>
public class ConflictTests
{
    [Theory]
    // Equal precedence on some path: conflicts.
    [InlineData("GET /a/<x>; GET /a/<y>", "GET /a/<x> ~ GET /a/<y>")]
    [InlineData("GET /a; GET /a", "GET /a == GET /a")]
    [InlineData("GET /a/<x:int>; GET /a/<y:long>", "GET /a/<x> ~ GET /a/<y>")]
    [InlineData("GET /a/<x:byte>; GET /a/<y:ulong>", "GET /a/<x> ~ GET /a/<y>")]
    [InlineData("GET /a/<x:bool>; GET /a/<y:Color>", "GET /a/<x> ~ GET /a/<y>")]            // Color has a member named True
    [InlineData("GET /a/<x:Guid>; GET /a/<y:double>", "GET /a/<x> ~ GET /a/<y>")]           // 32 digits: an N-format Guid and a double
    [InlineData("GET /<x>/<*rest>; GET /<y>/<*more>", "GET /<x>/<*rest> ~ GET /<y>/<*more>")]
    [InlineData("GET /img-<x:int>.png; GET /img-<y>.png", "GET /img-<x>.png ~ GET /img-<y>.png")]   // both patterns: equal rank
    [InlineData("GET /img-<x>.png; GET /<y>.png", "GET /img-<x>.png ~ GET /<y>.png")]
    [InlineData("GET /a/<x>/b; GET /<y>/<z>/b", "")]                                         // literal first segment wins
    [InlineData("PURGE /cache/<*key>; PURGE /cache/<*path>", "PURGE /cache/<*key> ~ PURGE /cache/<*path>")]
    [InlineData("GET /a/<x>; GET /a/<y>; GET /a/<z>", "GET /a/<x> ~ GET /a/<y>; GET /a/<x> ~ GET /a/<z>")]
    [InlineData("GET /<*a>; GET /<*b>", "GET /<*a> ~ GET /<*b>")]
    // Precedence decides, or the routes are disjoint: no conflict.
    [InlineData("GET /a/<x:int>; GET /a/<y>", "")]
    [InlineData("GET /a/<x:int>; GET /a/<y:Guid>", "")]
    [InlineData("GET /a/<x:int>; GET /a/<y:Color>", "")]
    [InlineData("GET /a/<x:Date>; GET /a/<y:int>", "")]
    [InlineData("GET /a/<x:bool>; GET /a/<y:int>", "")]
    [InlineData("GET /a/new; GET /a/<c:Color>", "")]                                         // "new" parses as Color.New, but the literal wins
    [InlineData("GET /a/<x>; POST /a/<y>", "")]                                              // different methods
    [InlineData("GET /a/<x>/b; GET /a/b/<y>", "")]                                           // /a/b/b: the literal at segment 2 wins
    [InlineData("GET /a/<*rest>; GET /a", "")]                                               // /a: the exact route beats the empty catch-all
    [InlineData("GET /a/<*rest>; GET /a/<x>", "")]
    [InlineData("GET /img-<x>.png; GET /img-<y>.jpg", "")]                                   // suffixes exclude each other
    [InlineData("GET /img-<x>.png; GET /<y>", "")]                                           // pattern beats string
    [InlineData("GET /a/<x>; GET /b/<y>", "")]
    [InlineData("GET /<x>; HEAD /<y>", "")]
    [InlineData("GET /<x:int>/a; GET /<y:long>/b", "")]                                   // overlap at segment 1, then apart
    // Patterns that can never match the same segment: no conflict (these were once reported as KILN008).
    [InlineData("GET /<x>.<y:int>; GET /<z>.png", "")]                                       // an int never ends in "g"
    [InlineData("GET /v<x:int>; GET /<y>.png", "")]
    [InlineData("GET /v<x:int>; GET /<y>.<z:int>", "")]                                      // an int has no '.'
    [InlineData("GET /v<x:Guid>; GET /<y>_<z:int>", "")]
    [InlineData("GET /v<x>; GET /<y>.<z:int>", "GET /v<x> ~ GET /<y>.<z>")]                    // v1.2 matches both
    [InlineData("GET /a-<x:int>.png; GET /a-<y:bool>.png", "")]                              // same literals, disjoint types
    [InlineData("GET /<x:Date>.txt; GET /img-<y>.txt", "")]                                  // a date never starts with "i"
    [InlineData("GET /a-<x:int>.png; GET /a-<y:long>.png", "GET /a-<x>.png ~ GET /a-<y>.png")]
    [InlineData("GET /<x:Color>.png; GET /r<y>.png", "GET /<x>.png ~ GET /r<y>.png")]          // red.png matches both
    public void Conflicts_are_reported_between_exactly_the_routes_that_tie(string table, string expected)
    {
        var routes = Parse(table);
        var (_, conflicts, error) = MatcherBuilder.Build(RandomTables.Entries(routes));
        Assert.Null(error);
        var actual = conflicts.Select(c => Display(routes[c.First]) + (c.IsDuplicate ? " == " : " ~ ") + Display(routes[c.Second]));
        Assert.Equal(expected.Length == 0 ? Array.Empty<string>() : expected.Split("; "), actual);
    }

    [Theory]
    [InlineData("GET /a/<x>; GET /a/<y>", "/a/zzz")]
    [InlineData("GET /a/<x:int>; GET /a/<y:long>", "/a/5")]
    [InlineData("GET /a/<x:bool>; GET /a/<y:Color>", "/a/true")]
    [InlineData("GET /img-<x>.png; GET /<y>.png", "/img-1.png")]
    [InlineData("GET /<*a>; GET /<*b>", "/")]
    public void The_reference_router_sees_the_same_ties(string table, string path)
    {
        var routes = Parse(table);
        var tie = Assert.Single(new ReferenceRouter(routes).Ties(path));
        Assert.Equal(routes, tie);
    }

    private static string Display(TestRoute route) => route.Method + " " + route.Template;

    private static readonly Regex Parameter = new(@"<(\*?)(\w+)(?::(\w+))?>");

    /// <summary>Parses "GET /a/&lt;x:int&gt;; POST /b" into test routes.</summary>
    internal static List<TestRoute> Parse(string table) => table.Split("; ").Select((row, i) =>
    {
        var (method, template) = (row[..row.IndexOf(' ')], row[(row.IndexOf(' ') + 1)..]);
        var segments = template == "/" ? new List<Seg>() : template[1..].Split('/').Select(ParseSegment).ToList();
        return new TestRoute("R" + i, method, segments);
    }).ToList();

    private static Seg ParseSegment(string text)
    {
        var parts = new List<Part>();
        int at = 0;
        foreach (Match m in Parameter.Matches(text))
        {
            if (m.Groups[1].Value == "*") return Seg.CatchAll(m.Groups[2].Value);
            if (m.Index > at) parts.Add(Part.Lit(text[at..m.Index]));
            parts.Add(Part.Param(m.Groups[2].Value, m.Groups[3].Success ? Enum.Parse<ParamType>(m.Groups[3].Value, ignoreCase: true) : ParamType.String));
            at = m.Index + m.Length;
        }
        if (at < text.Length) parts.Add(Part.Lit(text[at..]));
        return new Seg(parts);
    }
}

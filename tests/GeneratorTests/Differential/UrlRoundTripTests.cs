using System.Globalization;
using System.Reflection;
using System.Text;
using Kiln.GeneratorTests.Infrastructure;

namespace Kiln.GeneratorTests.Differential;

/// <summary>
/// The round-trip property of the typed URL builders: for every route of a table, random typed values (strings with
/// <c>/</c>, <c>%</c>, spaces, non-ASCII, dot segments and empty strings; integers across their range; Guids, dates,
/// doubles, enums) are built into a URL with <c>AppRouter.Urls</c>, the URL is sent through the generated router, and the
/// router must reach the same route and bind the same values (route values and query values). A builder may refuse a
/// value only when no URL can carry it (an empty, <c>.</c> or <c>..</c> segment; a pattern value the router would split
/// elsewhere); a URL may reach another route only when the reference router says that route takes precedence on it.
/// </summary>
public class UrlRoundTripTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const int ValuesPerGitHubRoute = 20;
    private const int RandomTableCount = 8;
    private const int ValuesPerRandomRoute = 40;

    [SharedDataFact("routes/github-api.tsv")]
    public async Task GitHub_api_routes_read_back_what_their_builders_write()
    {
        var routes = File.ReadAllLines(SharedData.Require("routes/github-api.tsv"))
            .Where(l => l.Length > 0)
            .Select((line, i) => line.Split('\t') is var f ? new TestRoute("R" + i, f[0], TableSource.ParsePlain(f[1])) : null!)
            .ToList();
        Assert.Equal(203, routes.Count);
        var stats = await RoundTripAsync(routes, new Random(2026), ValuesPerGitHubRoute, "GitHub API route set");
        output.WriteLine("GitHub API route set: " + stats);
        // Every GitHub template is literals and whole-segment strings: only empty and dot-segment values are refused,
        // and no route shadows another for a value the builder writes.
        Assert.True(stats.RoundTrips >= routes.Count * ValuesPerGitHubRoute * 7 / 10, stats.ToString());
        Assert.True(stats.RoundTrips + stats.Refused + stats.Shadowed == routes.Count * ValuesPerGitHubRoute, stats.ToString());
    }

    public static IEnumerable<object[]> Seeds => Enumerable.Range(1, RandomTableCount).Select(s => new object[] { s });

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task Random_tables_read_back_what_their_builders_write(int seed)
    {
        var tables = new RandomTables(seed);
        var routes = RandomTables.Accepted(tables.Table(DifferentialTests.RoutesPerTable));
        var stats = await RoundTripAsync(routes, new Random(seed), ValuesPerRandomRoute, "random table, seed " + seed);
        output.WriteLine($"random table, seed {seed} ({routes.Count} routes): {stats}");
        Assert.True(stats.RoundTrips >= routes.Count * ValuesPerRandomRoute / 3, stats.ToString());
    }

    internal sealed record Stats(int RoundTrips, int Refused, int Shadowed)
    {
        public override string ToString() => $"{RoundTrips} values round-tripped, {Refused} refused by the builder, {Shadowed} reached a route of higher precedence";
    }

    private static async Task<Stats> RoundTripAsync(IReadOnlyList<TestRoute> routes, Random random, int valuesPerRoute, string what)
    {
        var assembly = GeneratorHarness.Compile(Source(routes));
        var router = GeneratorHarness.CreateRouter(assembly, "Kiln.Generated.AppRouter");
        var urls = assembly.GetType("Kiln.Generated.AppRouter+Urls+Routes", throwOnError: true)!;
        var color = assembly.GetType("App.Color", throwOnError: true)!;
        var reference = new ReferenceRouter(routes);
        var failures = new List<string>();
        int roundTrips = 0, refused = 0, shadowed = 0;
        foreach (var route in routes)
        {
            var builder = urls.GetMethod(route.Name) ?? throw new InvalidOperationException("No builder for " + route.Describe());
            var parts = route.Params.ToList();
            for (int n = 0; n < valuesPerRoute; n++)
            {
                var values = parts.Select(p => RandomValue(random, p.Type, color)).ToList();
                string? text = random.Next(3) == 0 ? null : RandomString(random);
                int[]? numbers = random.Next(3) == 0 ? null : Enumerable.Range(0, random.Next(0, 3)).Select(_ => random.Next(int.MinValue, int.MaxValue)).ToArray();
                string url;
                try
                {
                    url = (string)builder.Invoke(null, values.Append(text).Append(numbers).ToArray())!;
                }
                catch (TargetInvocationException e) when (e.InnerException is ArgumentException refusal)
                {
                    if (!MayRefuse(route, parts, values))
                        failures.Add($"  {route.Describe()} refused {Show(values)}: {refusal.Message}");
                    refused++;
                    continue;
                }
                string expected = Body(route.Name, parts.Select((p, i) => Format(p.Type, values[i])), text, numbers);
                var actual = await router.SendAsync(route.Method, url);
                if (actual.Status == 200 && actual.Body == expected)
                {
                    roundTrips++;
                    continue;
                }
                // Another route may legitimately win on this path (a literal "new" beats <name> = "new").
                string path = url.Split('?')[0];
                var winner = reference.Route(route.Method, path);
                if (winner.Status == 200 && winner.Body?.Split('|')[0] != route.Name && actual.Status == 200 && actual.Body.Split('\u0001')[0] == winner.Body?.Split('|')[0])
                {
                    shadowed++;
                    continue;
                }
                failures.Add($"  {route.Describe()} with {Show(values)}, q={Show(text)}, n=[{string.Join(",", numbers ?? [])}]\n    url: {url}\n"
                    + $"    router: {actual.Status} {actual.Body.Replace('\u0001', '|')}\n    expected: {expected.Replace('\u0001', '|')}");
            }
        }
        if (failures.Count > 0)
            Assert.Fail($"{what}: {failures.Count} values did not round-trip.\nTable:\n{TableSource.Describe(routes)}\n{string.Join("\n", failures.Take(20))}");
        return new Stats(roundTrips, refused, shadowed);
    }

    /// <summary>Whether no URL can carry these values: an empty or dot segment, or any value of a pattern segment (the router splits those from the right).</summary>
    private static bool MayRefuse(TestRoute route, List<Part> parts, List<object?> values)
    {
        for (int i = 0; i < parts.Count; i++)
        {
            var segment = route.Segments.First(s => s.Parts.Contains(parts[i]));
            if (!segment.IsLoneParam && !segment.IsCatchAll) return true;
            if (values[i] is string s && (s == "." || s == ".." || (s.Length == 0 && !segment.IsCatchAll))) return true;
        }
        return false;
    }

    // ---- the compiled table: every route returns its name and what it bound, length-prefixed ----

    private static string Source(IReadOnlyList<TestRoute> routes)
    {
        var sb = new StringBuilder();
        sb.Append("using System.Globalization;\nnamespace App;\n");
        sb.Append("public enum Color { " + string.Join(", ", TableSource.ColorNames) + " }\n");
        sb.Append("public static class Routes\n{\n");
        sb.Append("    private static string V(string? v) => v is null ? \"null\" : v.Length + \":\" + v;\n");
        foreach (var route in routes)
        {
            var parameters = route.Params.Select(p => TableSource.CSharpType(p.Type) + " " + Id(p.Name!))
                .Append("[Query(\"q x&=\")] string? qs = null").Append("[Query(\"n\")] int[]? qn = null");
            var values = route.Params.Select(p => "V(" + FormatCode(p) + ")")
                .Append("V(qs)").Append("V(qn is null ? null : string.Join(\",\", qn))");
            sb.Append("    [Route(" + Literal(route.Method) + ", " + Literal(route.Template) + ")] public static string " + route.Name
                + "(" + string.Join(", ", parameters) + ") => \"" + route.Name + "\" + \"\\u0001\" + string.Join(\"\\u0001\", new[] { " + string.Join(", ", values) + " });\n");
        }
        sb.Append("}\n");
        return sb.ToString();
    }

    private static string Body(string name, IEnumerable<string> values, string? text, int[]? numbers) =>
        name + "\u0001" + string.Join("\u0001", values.Select(V).Append(V(text))
            .Append(V(string.Join(",", (numbers ?? []).Select(x => x.ToString(CultureInfo.InvariantCulture))))));   // absent: an empty array

    private static string V(string? v) => v is null ? "null" : v.Length + ":" + v;

    private static string FormatCode(Part p)
    {
        string n = Id(p.Name!);
        return p.Type switch
        {
            ParamType.String => n,
            ParamType.Guid => n + ".ToString(\"N\")",
            ParamType.Bool => "(" + n + " ? \"true\" : \"false\")",
            ParamType.Color => n + ".ToString()",
            ParamType.Date => n + ".ToString(\"yyyy-MM-dd\", CultureInfo.InvariantCulture)",
            ParamType.Double => n + ".ToString(\"R\", CultureInfo.InvariantCulture)",
            _ => n + ".ToString(CultureInfo.InvariantCulture)",
        };
    }

    /// <summary>The same formatting as <see cref="FormatCode"/>, on the test's side.</summary>
    private static string Format(ParamType type, object? value) => type switch
    {
        ParamType.String => (string)value!,
        ParamType.Guid => ((Guid)value!).ToString("N"),
        ParamType.Bool => (bool)value! ? "true" : "false",
        ParamType.Color => value!.ToString()!,
        ParamType.Date => ((DateOnly)value!).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        ParamType.Double => ((double)value!).ToString("R", CultureInfo.InvariantCulture),
        _ => ((IFormattable)value!).ToString(null, CultureInfo.InvariantCulture),
    };

    private static string Id(string name) =>
        Microsoft.CodeAnalysis.CSharp.SyntaxFacts.GetKeywordKind(name) != Microsoft.CodeAnalysis.CSharp.SyntaxKind.None ? "@" + name : name;

    private static string Literal(string s) => Microsoft.CodeAnalysis.CSharp.SymbolDisplay.FormatLiteral(s, quote: true);

    // ---- random values ----

    private static readonly string[] Pieces =
    {
        "a", "Z", "0", "42", "/", "%", "%2F", "%25", " ", "+", "&", "=", "?", "#", ".", "..", "-", "_", "~", ":", "@", ";", "!", "'",
        "é", "日本", "😀", "\u00A0", "\t", "new", "users", "true", "Red", "img-", ".png", ".txt", "v", "%C3%A9", "\\", "\"",
    };

    private static string RandomString(Random random)
    {
        int roll = random.Next(20);
        if (roll == 0) return "";
        if (roll == 1) return ".";
        if (roll == 2) return "..";
        var sb = new StringBuilder();
        int count = random.Next(1, 6);
        for (int i = 0; i < count; i++) sb.Append(Pieces[random.Next(Pieces.Length)]);
        return sb.ToString();
    }

    private static object? RandomValue(Random random, ParamType type, System.Type color) => type switch
    {
        ParamType.String => RandomString(random),
        ParamType.Int => random.Next(4) == 0 ? (random.Next(2) == 0 ? int.MinValue : int.MaxValue) : random.Next(int.MinValue, int.MaxValue),
        ParamType.Long => random.NextInt64(long.MinValue, long.MaxValue),
        ParamType.Byte => (byte)random.Next(256),
        ParamType.ULong => (ulong)random.NextInt64(long.MinValue, long.MaxValue),
        ParamType.Guid => RandomGuid(random),
        ParamType.Bool => random.Next(2) == 0,
        ParamType.Color => Enum.Parse(color, TableSource.ColorNames[random.Next(TableSource.ColorNames.Length)]),
        ParamType.Date => DateOnly.FromDayNumber(random.Next(DateOnly.MaxValue.DayNumber + 1)),
        ParamType.Double => RandomDouble(random),
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    private static Guid RandomGuid(Random random)
    {
        var bytes = new byte[16];
        random.NextBytes(bytes);
        return new Guid(bytes);
    }

    private static double RandomDouble(Random random)
    {
        switch (random.Next(4))
        {
            case 0: return random.Next(-1000, 1000);
            case 1: return (random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-30, 30));
            case 2: return random.Next(2) == 0 ? 0.0 : -0.0;
            default:
                double d;
                do d = BitConverter.Int64BitsToDouble(random.NextInt64(long.MinValue, long.MaxValue)); while (!double.IsFinite(d));
                return d;
        }
    }

    private static string Show(object? value) => value switch
    {
        null => "null",
        string s => "\"" + s.Replace("\t", "\\t") + "\"",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture)!,
    };

    private static string Show(List<object?> values) => "(" + string.Join(", ", values.Select(Show)) + ")";
}

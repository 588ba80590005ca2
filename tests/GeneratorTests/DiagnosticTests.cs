using Kiln.GeneratorTests.Infrastructure;
using Microsoft.CodeAnalysis;

namespace Kiln.GeneratorTests;

/// <summary>
/// One test per diagnostic: its ID, its exact location (file, line, column, end — template errors point inside the
/// string literal) and its message. <c>[|…|]</c> marks where the diagnostic must point, <c>{|…|}</c> its additional
/// location (the other route of a conflict).
/// </summary>
public partial class DiagnosticTests
{
    /// <summary>Runs the generator on <paramref name="marked"/> and asserts it reports exactly one diagnostic, as given.</summary>
    private static Diagnostic AssertSingle(string marked, string id, string message, DiagnosticSeverity severity = DiagnosticSeverity.Error)
    {
        var source = new MarkedSource(marked);
        var diagnostics = GeneratorHarness.GeneratorDiagnostics(source.Text);
        var d = Assert.Single(diagnostics);
        Assert.Equal(id, d.Id);
        Assert.Equal(severity, d.Severity);
        Assert.Equal(message, d.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(MarkedSource.Describe("Routes.cs", source.Primary!.Value), MarkedSource.Describe(d.Location));
        if (source.Additional is { } additional)
            Assert.Equal(MarkedSource.Describe("Routes.cs", additional), MarkedSource.Describe(Assert.Single(d.AdditionalLocations)));
        else
            Assert.Empty(d.AdditionalLocations);
        Assert.Equal("docs/diagnostics/" + id + ".md", d.Descriptor.HelpLinkUri);
        return d;
    }

    private static string Route(string template, string parameters = "") => $$"""
        namespace App;

        public static class Things
        {
            [Get("{{template}}")]
            public static string Get({{parameters}}) => "";
        }
        """;

    // ---- KILN001: malformed template ----

    [Theory]
    [InlineData("/a/[|<x|]", "Unbalanced '<': close the parameter with '>' (for example <id>).")]
    [InlineData("/a/x[|>|]", "Unbalanced '>': open the parameter with '<'.")]
    [InlineData("/a/[|<>|]", "A parameter needs a name: write <id>, not <>.")]
    [InlineData("/a/[|<1x>|]", "'1x' is not a valid parameter name; use a C# identifier matching the method parameter (letters, digits, '_').")]
    [InlineData("/a/[|<x-y>|]", "'x-y' is not a valid parameter name; use a C# identifier matching the method parameter (letters, digits, '_').")]
    [InlineData("/a[| |]b", "' ' is not allowed in a template literal; use unreserved characters, or write the decoded character (templates match the percent-decoded path).")]
    [InlineData("/a[|?|]b", "'?' starts a query string, and a template matches only the path; bind query values with method parameters (for example [Query] int page).")]
    [InlineData("/a[|%|]20", "'%' is not allowed in a template literal; use unreserved characters, or write the decoded character (templates match the percent-decoded path).")]
    [InlineData("/a/[|<*rest>|]/b", "The catch-all <*rest> must be the last segment; move it to the end or make it a one-segment <rest>.")]
    [InlineData("/a/img-[|<*rest>|]", "A catch-all <*rest> must be a whole segment, without a prefix or suffix.")]
    [InlineData("/a[|/|]", "A template must not end with '/'; remove the trailing slash (requests with one are redirected, see docs/routing.md).")]
    [InlineData("/a[|//|]b", "Empty segment ('//'); remove the extra '/'.")]
    [InlineData("/a/<x>[|<y>|]", "Two parameters need literal text between them (for example <name>.<ext>).")]
    [InlineData("[|a|]/b", "A template must start with '/'; write \"/a/b\".")]
    [InlineData("/a/[|..|]", "'.' and '..' segments never match: paths are normalized before matching.")]
    public void KILN001_malformed_template(string markedTemplate, string reason)
    {
        string template = markedTemplate.Replace("[|", "").Replace("|]", "");
        AssertSingle(Route(markedTemplate), "KILN001", $"Route template \"{template}\" is malformed: {reason}");
    }

    [Fact]
    public void KILN001_points_at_the_attribute_when_the_literal_has_escapes()
    {
        // "\u0041" is not 1:1 with the template's characters, so the diagnostic covers the whole argument.
        AssertSingle("""
            namespace App;

            public static class Things
            {
                [Get([|"/a\u0041 b"|])]
                public static string Get() => "";
            }
            """, "KILN001", "Route template \"/aA b\" is malformed: ' ' is not allowed in a template literal; use unreserved characters, or write the decoded character (templates match the percent-decoded path).");
    }

    // ---- KILN002 .. KILN006: templates against methods ----

    [Fact]
    public void KILN002_duplicate_template_parameter() => AssertSingle(Route("/a/<x>/[|<x>|]", "string x"), "KILN002",
        "Route template \"/a/<x>/<x>\": The parameter <x> appears twice; give each parameter its own name.");

    [Fact]
    public void KILN003_template_parameter_without_method_parameter() => AssertSingle(Route("/a/[|<id>|]", "string name"), "KILN003",
        "Route template \"/a/<id>\" declares <id>, but Things.Get has no parameter named 'id'; add a parameter 'id' or rename the template parameter");

    [Fact]
    public void KILN004_route_parameter_missing_from_another_template() => AssertSingle("""
        namespace App;

        public static class Things
        {
            [Get("/things/<id>")]
            [Get("[|/things|]")]
            public static string Get(int id) => "";
        }
        """, "KILN004",
        "Parameter 'id' of Things.Get is bound from the route in \"/things/<id>\" but \"/things\" has no <id>; add <id> to \"/things\", or move that route to its own method");

    [Fact]
    public void KILN005_route_parameter_type_cannot_be_parsed() => AssertSingle("""
        namespace App;

        public static class Things
        {
            [Get("/things/<id>")]
            public static string Get(object [|id|]) => "";
        }
        """, "KILN005",
        "Parameter 'id' has type object, which cannot be parsed from a path segment; use string, an integer type, Guid, bool, an enum, DateOnly, decimal, double, float, or a type implementing ISpanParsable<T>");

    [Fact]
    public void KILN005_nullable_route_parameter() => AssertSingle("""
        namespace App;

        public static class Things
        {
            [Get("/things/<id>")]
            public static string Get(int? [|id|]) => "";
        }
        """, "KILN005",
        "Parameter 'id' has type int?, which cannot be parsed from a path segment; use string, an integer type, Guid, bool, an enum, DateOnly, decimal, double, float, or a type implementing ISpanParsable<T>");

    [Fact]
    public void KILN006_invalid_method_token() => AssertSingle("""
        namespace App;

        public static class Things
        {
            [[|Route("GE T", "/things")|]]
            public static string Get() => "";
        }
        """, "KILN006",
        "\"GE T\" is not a valid HTTP method token; use letters such as GET, POST or PURGE (RFC 9110 token characters, no spaces)");

    // ---- KILN007, KILN008: conflicts ----

    [Fact]
    public void KILN007_duplicate_route() => AssertSingle("""
        namespace App;

        public static class Things
        {
            [Get("[|/things|]")]
            public static string List() => "";

            [Get("{|/things|}")]
            public static string All() => "";
        }
        """, "KILN007",
        // Routes are ordered by template, method, then method name, so All is "first" and the error sits on List.
        "Route GET /things is declared twice: here and by Things.All at Routes.cs:8; remove one of them");

    [Fact]
    public void KILN008_two_string_parameters_at_one_position_name_both_routes_and_both_locations()
    {
        var d = AssertSingle("""
            namespace App;

            public static class A
            {
                [Get("{|/a/<x>|}")]
                public static string X(string x) => x;

                [Get("[|/a/<y>|]")]
                public static string Y(string y) => y;
            }
            """, "KILN008",
            "Routes GET /a/<y> (here) and GET /a/<x> (at Routes.cs:5) both match paths such as /a/<string> with equal precedence; make one more specific (a literal segment, or a typed parameter) or merge them");
        Assert.Contains("/a/<x>", d.GetMessage());
        Assert.Contains("/a/<y>", d.GetMessage());
    }

    [Fact]
    public void KILN008_across_files_names_the_other_file()
    {
        var first = new MarkedSource("""
            namespace App;

            public static class A
            {
                [Get("/a/<x>")]
                public static string X(int x) => "";
            }
            """);
        var second = new MarkedSource("""
            namespace App;

            public static class B
            {
                [Get("[|/a/<y>|]")]
                public static string Y(long y) => "";
            }
            """);
        var d = Assert.Single(GeneratorHarness.GeneratorDiagnostics(first.Text, second.Text));
        Assert.Equal("KILN008", d.Id);
        Assert.Equal(MarkedSource.Describe("Routes1.cs", second.Primary!.Value), MarkedSource.Describe(d.Location));
        Assert.Equal("Routes.cs(5,11)-(5,17)", MarkedSource.Describe(Assert.Single(d.AdditionalLocations)));
        Assert.Equal("Routes GET /a/<y> (here) and GET /a/<x> (at Routes.cs:5) both match paths such as /a/<int> with equal precedence; make one more specific (a literal segment, or a typed parameter) or merge them", d.GetMessage());
    }

    // ---- KILN009 .. KILN017: methods, parameters, results, declarations ----

    [Fact]
    public void KILN009_unsupported_parameter() => AssertSingle("""
        namespace App;

        public static class Things
        {
            [Get("/things")]
            public static string Get(ref int [|count|]) => "";
        }
        """, "KILN009",
        "Parameter 'count' of Things.Get cannot be bound: ref, out and in parameters cannot be bound; take the value as a plain parameter");

    [Fact]
    public void KILN010_unsupported_return_type() => AssertSingle("""
        namespace App;

        public static class Things
        {
            [Get("/things")]
            public static object [|Get|]() => "";
        }
        """, "KILN010",
        "Things.Get returns object, which Kiln cannot turn into a response: object cannot be serialized without reflection; declare the concrete result type");

    [Fact]
    public void KILN011_inaccessible_method() => AssertSingle("""
        namespace App;

        public static class Things
        {
            [Get("/things")]
            private static string [|Get|]() => "";
        }
        """, "KILN011",
        "Things.Get cannot be a route: it is private or protected (or inside such a type); make it internal or public so the generated router can call it");

    [Fact]
    public void KILN012_json_type_without_a_context() => AssertSingle("""
        namespace App;

        public sealed record Thing(int Id);

        public static class Things
        {
            [[|Get("/things")|]]
            public static Thing Get() => new(1);
        }
        """, "KILN012",
        "Things.Get (Thing) is sent or received as JSON but no JsonSerializerContext in this project declares it; add [JsonSerializable(typeof(App.Thing))] to a partial class deriving from JsonSerializerContext");

    [Fact]
    public void KILN013_parameter_with_two_sources() => AssertSingle("""
        namespace App;

        public static class Things
        {
            [Get("/things")]
            public static string Get([Query][Header("X-Id")] string [|id|]) => id;
        }
        """, "KILN013",
        "Parameter 'id' of Things.Get could come from [Query] and [Header]; keep exactly one source attribute");

    [Fact]
    public void KILN013_route_value_with_an_attribute() => AssertSingle("""
        namespace App;

        public static class Things
        {
            [Get("/things/<id>")]
            public static string Get([Query] string [|id|]) => id;
        }
        """, "KILN013",
        "Parameter 'id' of Things.Get could come from the route template (<id>) and [Query]; keep exactly one source attribute");

    [Fact]
    public void KILN026_service_parameter_of_a_value_type() => AssertSingle("""
        namespace App;

        public static class Quotas
        {
            [Get("/quota")]
            public static string Quota([Service] int [|limit|]) => limit.ToString();
        }
        """, "KILN026",
        "Parameter 'limit' of Quotas.Quota is [Service] but its type int is a value type; services are objects registered by type (AddSingleton/AddScoped take classes): inject a class or interface that holds the value, or bind it from the route, query or a header");

    [Fact]
    public void KILN013_service_parameter_with_another_source() => AssertSingle("""
        namespace App;

        public sealed class Clock;

        public static class Times
        {
            [Get("/time")]
            public static string Time([Service, Query] Clock [|clock|]) => "";
        }
        """, "KILN013",
        "Parameter 'clock' of Times.Time could come from [Service] and [Query]; keep exactly one source attribute");

    [Fact]
    public void KILN014_use_of_a_middleware_the_router_cannot_name() => AssertSingle("""
        namespace App;

        public static class Things
        {
            private sealed class Audit : IMiddleware
            {
                public ValueTask<HttpResponse> InvokeAsync(Request request, Handler next) => next(request);
            }

            [Get("/things")]
            [[|Use<Audit>|]]
            public static string Get() => "";
        }
        """, "KILN014",
        "[Use<Audit>] cannot be wired: it is not accessible to generated code (private or protected, or nested in such a type); make it internal or public");

    [Fact]
    public void Use_of_a_type_that_is_not_middleware_is_a_compiler_error_at_the_attribute()
    {
        var source = new MarkedSource("""
            namespace App;

            public sealed class Audit { }

            public static class Things
            {
                [Get("/things")]
                [Use<[|Audit|]>]
                public static string Get() => "";
            }
            """);
        var (result, output) = GeneratorHarness.Run(source.Text);
        Assert.Empty(result.Diagnostics);
        var error = Assert.Single(output.GetDiagnostics(), d => d.Severity == DiagnosticSeverity.Error);
        Assert.Equal("CS0311", error.Id);
        Assert.Equal(MarkedSource.Describe("Routes.cs", source.Primary!.Value), MarkedSource.Describe(error.Location));
    }

    [Fact]
    public void KILN015_route_table_too_complex() => AssertSingle("""
        namespace App;

        public enum Kind { A }

        public static class Things
        {
            [[|Get("/<v>")|]] public static string V1(int v) => "";
            [Get("/<v>")] public static string V2(long v) => "";
            [Get("/<v>")] public static string V3(byte v) => "";
            [Get("/<v>")] public static string V4(Guid v) => "";
            [Get("/<v>")] public static string V5(bool v) => "";
            [Get("/<v>")] public static string V6(DateOnly v) => "";
            [Get("/<v>")] public static string V7(double v) => "";
            [Get("/<v>")] public static string V8(Kind v) => "";
            [Get("/<v>")] public static string V9(sbyte v) => "";
        }
        """, "KILN015",
        "More than 8 differently typed parameters compete at segment 1 of /...; give some of them a literal prefix or move them to other positions.");

    [Fact]
    public void KILN016_invalid_router_declaration() => AssertSingle("""
        namespace App;

        [Router]
        public class [|MyRouter|] { }

        public static class Things
        {
            [Get("/things")]
            public static string Get() => "";
        }
        """, "KILN016",
        "[Router] class MyRouter is invalid: it must be declared partial.");

    [Fact]
    public void KILN017_two_body_parameters() => AssertSingle("""
        namespace App;

        public static class Things
        {
            [Post("/things")]
            public static string Create([Body] string text, [Body] byte[] [|bytes|]) => text;
        }
        """, "KILN017",
        "Things.Create binds both 'text' and 'bytes' from the request body; a request has one body, so keep one [Body] parameter (wrap several values in one JSON type)");

    [Fact]
    public void Every_descriptor_has_a_test_and_a_documentation_page()
    {
        var ids = typeof(DiagnosticTests).GetMethods().Select(m => m.Name).Where(n => n.StartsWith("KILN", StringComparison.Ordinal)).Select(n => n[..7]).ToHashSet();
        var descriptors = typeof(Kiln.Generator.RouterGenerator).Assembly.GetType("Kiln.Generator.Diagnostics")!
            .GetField("All")!.GetValue(null) as DiagnosticDescriptor[];
        var root = SharedData.RepositoryRoot()!;
        Assert.All(descriptors!, d =>
        {
            Assert.Contains(d.Id, ids);
            Assert.True(File.Exists(Path.Combine(root, d.HelpLinkUri)), "missing " + d.HelpLinkUri);
        });
    }
}

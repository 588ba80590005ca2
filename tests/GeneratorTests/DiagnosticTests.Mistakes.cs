using Kiln.GeneratorTests.Infrastructure;
using Microsoft.CodeAnalysis;

namespace Kiln.GeneratorTests;

/// <summary>
/// Mistakes that used to compile and misbehave at run time: each is now a diagnostic with its ID, exact location
/// and fix-it message (a warning where the code is legitimate but almost certainly unintended).
/// </summary>
public partial class DiagnosticTests
{
    private static string Things(string members) => $$"""
        namespace App;

        public static class Things
        {
        {{members}}
        }
        """;

    // ---- KILN011: instance route methods on a struct ----

    [Fact]
    public void KILN011_instance_method_of_a_struct() => AssertSingle("""
        namespace App;

        public struct Things
        {
            [Get("/things")]
            public string [|Get|]() => "";
        }
        """, "KILN011",
        "Things.Get cannot be a route: instance methods of a struct cannot be routes: the router would call them on its own copy of the struct; make the method static or declare Things as a class");

    [Fact]
    public void KILN011_instance_method_of_a_record_struct() => AssertSingle("""
        namespace App;

        public readonly record struct Things(int Count)
        {
            [Get("/things")]
            public int [|Get|]() => Count;
        }
        """, "KILN011",
        "Things.Get cannot be a route: instance methods of a struct cannot be routes: the router would call them on its own copy of the struct; make the method static or declare Things as a class");

    // ---- KILN018: route attributes the generator used to skip silently ----

    [Fact]
    public void KILN018_route_on_a_local_function() => AssertSingle(Things("""
            public static void Setup()
            {
                [[|Get("/things")|]]
                static string Local() => "";
            }
        """), "KILN018",
        "The local function 'Local' cannot be a route: only methods declared in a class or struct can be; move the code into such a method (static, or an instance method of a class) and put the route attribute there");

    [Fact]
    public void KILN018_route_on_a_lambda() => AssertSingle(Things("""
            public static readonly Func<string> Handler = [[|Get("/things")|]] () => "";
        """), "KILN018",
        "A lambda cannot be a route: only methods declared in a class or struct can be; move the code into such a method (static, or an instance method of a class) and put the route attribute there");

    [Fact]
    public void KILN018_route_on_a_property_accessor() => AssertSingle(Things("""
            public static string Name { [[|Get("/name")|]] get => ""; }
        """), "KILN018",
        "The accessor Things.Name.get cannot be a route: only methods declared in a class or struct can be; move the code into such a method (static, or an instance method of a class) and put the route attribute there");

    // ---- KILN019, KILN020: a body parameter where requests carry none ----

    [Theory]
    [InlineData("Get(\"/things\")", "GET", "/things")]
    [InlineData("Route(\"HEAD\", \"/things\")", "HEAD", "/things")]
    [InlineData("Route(\"TRACE\", \"/things\")", "TRACE", "/things")]
    [InlineData("Post(\"/things\"), Get(\"/things/all\")", "GET", "/things/all")]
    public void KILN019_body_on_a_route_without_a_body(string attributes, string method, string template) => AssertSingle(Things($$"""
            [{{attributes}}]
            public static string Read([Body] string [|text|]) => text;
        """), "KILN019",
        $"Parameter 'text' of Things.Read is read from the request body, but the method is routed for {method} (\"{template}\") and {method} requests carry no body; bind it from the route, the query or a header, or route the method with POST, PUT or PATCH");

    [Fact]
    public void KILN020_body_on_a_delete_route_is_a_warning() => AssertSingle(Things("""
            [Delete("/things/<id>")]
            public static string Remove(int id, [Body] string [|reason|]) => reason;
        """), "KILN020",
        "Parameter 'reason' of Things.Remove is read from the request body of a DELETE request (\"/things/<id>\"); DELETE content has no defined meaning and clients and proxies may drop it; prefer route, query or header values, or suppress KILN020 when your clients do send one",
        DiagnosticSeverity.Warning);

    [Fact]
    public void A_warning_is_silenced_in_source_by_pragma_warning_disable_and_by_SuppressMessage_and_nowhere_else()
    {
        var source = """
            namespace App;

            public static class Things
            {
            #pragma warning disable KILN020 // our clients send a reason
                [Delete("/things/<id>")]
                public static string Remove(int id, [Body] string reason) => reason;
            #pragma warning restore KILN020

                [Delete("/others/<id>")]
                public static string RemoveOther(int id, [Body] string reason) => reason;

                [System.Diagnostics.CodeAnalysis.SuppressMessage("Kiln", "KILN020", Justification = "our clients send one")]
                [Delete("/more/<id>")]
                public static string RemoveMore(int id, [Body] string reason) => reason;
            }
            """;
        var diagnostics = GeneratorHarness.GeneratorDiagnostics(source).Where(d => d.Id == "KILN020")
            .OrderBy(d => d.Location.SourceSpan.Start).ToList();

        Assert.Equal(3, diagnostics.Count);
        // Located in the source tree itself (not by file name alone), so the compiler checks the file's pragmas.
        Assert.All(diagnostics, d => Assert.Equal(LocationKind.SourceFile, d.Location.Kind));
        Assert.Equal([6, 10, 14], diagnostics.Select(d => d.Location.GetLineSpan().StartLinePosition.Line));
        Assert.Equal([true, false, true], diagnostics.Select(d => d.IsSuppressed));
    }

    // ---- KILN010: results that would be sent as JSON by mistake ----

    [Theory]
    [InlineData("Task<Task<string>>", "Task.FromResult(Task.FromResult(\"\"))", "Task<T>")]
    [InlineData("ValueTask<Task<int>>", "new(Task.FromResult(1))", "ValueTask<T>")]
    [InlineData("Task<ValueTask>", "Task.FromResult(ValueTask.CompletedTask)", "Task<T>")]
    public void KILN010_task_of_a_task(string type, string body, string fix) => AssertSingle(Things($$"""
            [Get("/things")]
            public static {{type}} [|Get|]() => {{body}};
        """), "KILN010",
        $"Things.Get returns {type}, which Kiln cannot turn into a response: a task of a task is never awaited to its value (the inner task would be sent as JSON); await the inner task and return {fix}");

    [Fact]
    public void KILN010_nullable_HttpResponse() => AssertSingle(Things("""
            [Get("/things")]
            public static HttpResponse? [|Get|]() => null;
        """), "KILN010",
        "Things.Get returns HttpResponse?, which Kiln cannot turn into a response: HttpResponse? would be sent as JSON; return HttpResponse and answer a missing value with HttpResponse.NotFound() or HttpResponse.NoContent()");

    [Fact]
    public void KILN010_stream_result() => AssertSingle(Things("""
            [Get("/things")]
            public static Task<MemoryStream> [|Get|]() => Task.FromResult(new MemoryStream());
        """), "KILN010",
        "Things.Get returns Task<MemoryStream>, which Kiln cannot turn into a response: a Stream would be sent as JSON; return HttpResponse.Stream((body, ct) => source.CopyToAsync(body, ct), contentType) or a BodyWriter");

    // ---- KILN009: parameters that could never be bound ----

    [Theory]
    [InlineData("[Header(\"X Name\")]", "\"X Name\" is not a header field name a request can carry (' ' is not allowed); use letters, digits and '-', for example [Header(\"X-Request-Id\")]")]
    [InlineData("[Header(\"X-Name:\")]", "\"X-Name:\" is not a header field name a request can carry (':' is not allowed); use letters, digits and '-', for example [Header(\"X-Request-Id\")]")]
    [InlineData("[Header(\"\")]", "[Header(\"\")] names no header; give the field name, for example [Header(\"X-Request-Id\")]")]
    [InlineData("[Query(\"\")]", "[Query(\"\")] names no query key; give the key, or write [Query] to use the parameter's name")]
    public void KILN009_header_or_query_key_no_request_can_carry(string attribute, string why) => AssertSingle(Things($$"""
            [Get("/things")]
            public static string Get({{attribute}} string? [|value|]) => "";
        """), "KILN009", "Parameter 'value' of Things.Get cannot be bound: " + why);

    [Fact]
    public void KILN009_stream_subclass_body() => AssertSingle(Things("""
            [Post("/things")]
            public static string Upload(MemoryStream [|data|]) => "";
        """), "KILN009", "Parameter 'data' of Things.Upload cannot be bound: the body is read as a Stream, not a MemoryStream; declare the parameter as Stream");

    // ---- KILN021: a method token in a case no client sends ----

    [Theory]
    [InlineData("get", "GET")]
    [InlineData("Post", "POST")]
    [InlineData("purge", "PURGE")]
    [InlineData("propfind", "PROPFIND")]
    public void KILN021_method_token_in_the_wrong_case(string token, string upper) => AssertSingle(Things($$"""
            [Route([|"{{token}}"|], "/things")]
            public static string Get() => "";
        """), "KILN021", $"\"{token}\" never matches: HTTP methods are case-sensitive and clients send {upper} in upper case; write \"{upper}\"");

    [Fact]
    public void A_lowercase_extension_method_token_is_left_alone() =>
        Assert.Empty(GeneratorHarness.GeneratorDiagnostics(Things("""
            [Route("frobnicate", "/things")]
            public static string Get() => "";
        """)));

    // ---- KILN025: methods whose requests never carry a path ----

    [Theory]
    [InlineData("CONNECT", "a CONNECT request names a host and port (authority-form), never a path, and the server answers it 400 before routing; Kiln is not a tunnelling proxy")]
    [InlineData("PRI", "PRI is the HTTP/2 connection preface (PRI * HTTP/2.0), which the HTTP/1.1 server rejects before routing")]
    public void KILN025_route_for_a_method_that_never_reaches_the_router(string method, string why) => AssertSingle(Things($$"""
            [Route([|"{{method}}"|], "/tunnel")]
            public static string Tunnel() => "";
        """), "KILN025", $"{method} routes never match: {why}; remove the route");

    // ---- KILN031: [Use<T>] or [RateLimit] where there is no route for them to wrap ----

    [Fact]
    public void KILN031_Use_on_a_method_without_a_route() => AssertSingle("""
        namespace App;

        public sealed class Audit : IMiddleware
        {
            public ValueTask<HttpResponse> InvokeAsync(Request request, Handler next) => next(request);
        }

        public static class Admin
        {
            [Get("/admin")]
            public static string Index() => "";

            [[|Use<Audit>|]]
            public static string Stats() => "";
        }
        """, "KILN031",
        "[Use<Audit>] on Admin.Stats does nothing: Admin.Stats has no route attribute ([Get], [Post], [Route]…), so the router never calls it and nothing applies [Use<Audit>]; add a route attribute to Admin.Stats, or move [Use<Audit>] to a route method or its class",
        DiagnosticSeverity.Warning);

    [Fact]
    public void KILN031_RateLimit_on_a_method_without_a_route() => AssertSingle(Things("""
            [Get("/things")]
            public static string List() => "";

            [[|RateLimit(1, 2)|]]
            public static string Helper() => "";
        """), "KILN031",
        "[RateLimit] on Things.Helper does nothing: Things.Helper has no route attribute ([Get], [Post], [Route]…), so the router never calls it and nothing applies [RateLimit]; add a route attribute to Things.Helper, or move [RateLimit] to a route method or its class",
        DiagnosticSeverity.Warning);

    [Fact]
    public void KILN031_is_not_reported_for_route_methods_or_classes()
    {
        var diagnostics = GeneratorHarness.GeneratorDiagnostics("""
            namespace App;

            public sealed class Audit : IMiddleware
            {
                public ValueTask<HttpResponse> InvokeAsync(Request request, Handler next) => next(request);
            }

            [Use<Audit>, RateLimit(5, 10)]
            public abstract class AdminBase;

            public sealed class Admin : AdminBase
            {
                [Get("/admin"), Use<Audit>, RateLimit(1, 2)]
                public string Index() => "";
            }
            """);

        Assert.Empty(diagnostics);
    }

    // ---- KILN001, KILN022: another framework's template syntax ----

    [Theory]
    [InlineData("/todos/[|{id}|]", "'{id}' is another framework's route syntax; Kiln writes parameters as <id>.")]
    [InlineData("/todos/[|{id:int}|]", "'{id:int}' is another framework's route syntax; Kiln writes parameters as <id> (the method parameter's type is the constraint).")]
    [InlineData("/files/[|{*path}|]", "'{*path}' is another framework's route syntax; Kiln writes parameters as <*path>.")]
    [InlineData("/files/[|{**path}|]", "'{**path}' is another framework's route syntax; Kiln writes parameters as <*path>.")]
    [InlineData("/todos/[|<id:int>|]", "'id:int' is not a valid parameter name: a template does not name types; write <id> and declare the method parameter as int id.")]
    [InlineData("/todos/[|<id?>|]", "'id?' is not a valid parameter name: a segment cannot be optional; write <id> and serve the path without it from another method.")]
    [InlineData("/search[|?|]q=<q>", "'?' starts a query string, and a template matches only the path; bind query values with method parameters (for example [Query] int page).")]
    public void KILN001_other_frameworks_syntax_says_how_Kiln_writes_it(string markedTemplate, string reason)
    {
        string template = markedTemplate.Replace("[|", "").Replace("|]", "");
        AssertSingle(Route(markedTemplate, "int id"), "KILN001", $"Route template \"{template}\" is malformed: {reason}");
    }

    [Theory]
    [InlineData("/todos/[|:id|]", ":id", "route parameters", "<id>")]
    [InlineData("/files/[|*|]", "*", "the rest of the path", "<*rest>")]
    [InlineData("/files/[|**|]", "**", "the rest of the path", "<*rest>")]
    [InlineData("/files/[|*path|]", "*path", "the rest of the path", "<*path>")]
    public void KILN022_colon_and_star_segments_are_literal(string markedTemplate, string segment, string what, string fix)
    {
        string template = markedTemplate.Replace("[|", "").Replace("|]", "");
        AssertSingle(Route(markedTemplate, "int id = 0"), "KILN022",
            $"Route template \"{template}\": the segment '{segment}' matches only that literal text; Kiln writes {what} as {fix}", DiagnosticSeverity.Warning);
    }

    [Fact]
    public void A_colon_inside_a_segment_is_an_ordinary_literal() =>
        Assert.Empty(GeneratorHarness.GeneratorDiagnostics(Route("/v1/jobs/<id>:cancel", "int id")));

    // ---- KILN023: a default value a route parameter never uses ----

    [Fact]
    public void KILN023_route_parameter_default_never_applies() => AssertSingle(Route("/things/<id>", "int id [|= 5|]"), "KILN023",
        "The default value of 'id' never applies: Things.Get binds 'id' from the path in every route (\"/things/<id>\"), so a request without it does not reach the method; remove the default, or serve the shorter path from another method",
        DiagnosticSeverity.Warning);

    [Fact]
    public void KILN023_catch_all_default_never_applies() => AssertSingle(Route("/files/<*path>", "string path [|= \"index.html\"|]"), "KILN023",
        "The default value of 'path' never applies: Things.Get binds 'path' from the path in every route (\"/files/<*path>\"), so a request without it does not reach the method; remove the default, or serve the shorter path from another method",
        DiagnosticSeverity.Warning);

    // ---- KILN024: [RateLimit] values the limiter rejects when the router is created ----

    [Theory]
    [InlineData("0, 5", "0", "5", "perSecond must be a positive, finite number of requests per second (0.5 is one every two seconds)")]
    [InlineData("-1, 5", "-1", "5", "perSecond must be a positive, finite number of requests per second (0.5 is one every two seconds)")]
    [InlineData("double.PositiveInfinity, 5", "Infinity", "5", "perSecond must be a positive, finite number of requests per second (0.5 is one every two seconds)")]
    [InlineData("2, 0", "2", "0", "burst must be at least 1 (the number of requests a client may make at once)")]
    public void KILN024_rate_limit_values_the_limiter_rejects(string arguments, string perSecond, string burst, string why) => AssertSingle(Things($$"""
            [Get("/things"), [|RateLimit({{arguments}})|]]
            public static string Get() => "";
        """), "KILN024", $"[RateLimit({perSecond}, {burst})] would throw when the router is created: {why}");

    // ---- KILN012: the type's name in the message ----

    [Fact]
    public void KILN012_names_generic_types_whole() => AssertSingle("""
        namespace App;

        public sealed record Thing(int Id);

        public static class Things
        {
            [[|Get("/things")|]]
            public static List<Thing> Get() => new();
        }
        """, "KILN012",
        "Things.Get (List<Thing>) is sent or received as JSON but no JsonSerializerContext in this project declares it; add [JsonSerializable(typeof(System.Collections.Generic.List<App.Thing>))] to a partial class deriving from JsonSerializerContext");

    // ---- Arguments that are not constants: the compiler's error stands alone ----

    [Fact]
    public void A_non_constant_template_leaves_the_compilers_CS0182_alone()
    {
        var source = new MarkedSource(Things("""
            public static string Path = "/things";

            [Get([|Path|])]
            public static string Get() => "";
        """));
        var (result, output) = GeneratorHarness.Run(source.Text);
        Assert.Empty(result.Diagnostics);
        var error = Assert.Single(output.GetDiagnostics(), d => d.Severity == DiagnosticSeverity.Error);
        Assert.Equal("CS0182", error.Id);
        Assert.Equal(MarkedSource.Describe("Routes.cs", source.Primary!.Value), MarkedSource.Describe(error.Location));
    }

    [Fact]
    public void KILN001_null_template() => AssertSingle(Things("""
            [Get([|null!|])]
            public static string Get() => "";
        """), "KILN001", "Route template \"null\" is malformed: the template is null; write a path such as \"/things\".");

    [Fact]
    public void KILN008_DateOnly_and_DateTime_at_one_position_both_match_a_date() => AssertSingle("""
        namespace App;

        public static class Days
        {
            [Get("[|/days/<day>|]")]
            public static string Day(DateOnly day) => "";

            [Get("{|/days/<at>|}")]
            public static string At(DateTime at) => "";
        }
        """, "KILN008",
        "Routes GET /days/<day> (here) and GET /days/<at> (at Routes.cs:8) both match paths such as /days/<DateTime> with equal precedence; make one more specific (a literal segment, or a typed parameter) or merge them");
}

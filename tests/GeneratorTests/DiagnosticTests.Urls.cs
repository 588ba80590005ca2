using System.Reflection;
using Kiln.GeneratorTests.Infrastructure;
using Microsoft.CodeAnalysis;

namespace Kiln.GeneratorTests;

public partial class DiagnosticTests
{
    // ---- KILN040: routes of one method without distinct names (their URL builders cannot be named) ----

    [Theory]
    [InlineData("[Get(\"/users/<id>\", Name = \"ById\")] [[|Get(\"/u/<id>\")|]]", "the route GET /u/<id> has no Name")]
    [InlineData("[Get(\"/users/<id>\", Name = \"ById\")] [[|Get(\"/u/<id>\", Name = \"ById\")|]]", "the Name \"ById\" is used by two of its routes")]
    [InlineData("[[|Get(\"/users/<id>\", Name = \"Users.ById\")|]] [Get(\"/u/<id>\", Name = \"Short\")]", "the Name \"Users.ById\" of GET /users/<id> is not a C# identifier")]
    [InlineData("[[|Get(\"/users/<id>\", Name = \"Get\")|]] [Get(\"/u/<id>\", Name = \"Short\")]", "the Name \"Get\" of GET /users/<id> is the method's own name")]
    public void KILN040_routes_of_one_method_need_distinct_names(string markedAttributes, string reason)
    {
        AssertSingle($$"""
            namespace App;

            public static class Users
            {
                {{markedAttributes}}
                public static string Get(int id) => "";
            }
            """, "KILN040",
            "Users.Get has 2 routes, so its URL builders are named by each route's Name (Urls.Users.Get.<Name>(...)), but " + reason
            + "; give every route of the method a distinct Name that is a C# identifier (for example Name = \"ByLogin\"); until then Urls.Users.Get has no URL builders",
            DiagnosticSeverity.Warning);
    }
}

public partial class DiagnosticTests
{
    // ---- KILN041: two URL builders with one name and the same parameter types ----

    [Fact]
    public async Task KILN041_overloads_whose_builders_have_the_same_parameter_types()
    {
        var assembly = AssertUrlWarnings("""
            namespace App;

            public static class Users
            {
                [Get("/users/<id>")]
                public static string [|Get|](int id) => "get " + id;

                [Post("/users/<id>")]
                public static string {|Get|}(int id, [Body] string name) => "post " + id + " " + name;

                [Get("/users")]
                public static string List() => "list";
            }
            """, "KILN041",
            "Urls.Users.Get(int) would be declared twice, for GET /users/<id> (Users.Get(int)) and for POST /users/<id> (Users.Get(int, string)), which C# does not allow; "
            + "rename one of the methods (a method with one route gets a URL builder named after it); until then neither is generated (the routes are still served)",
            "Urls.Users.Get(int) would be declared twice, for POST /users/<id> (Users.Get(int, string)) and for GET /users/<id> (Users.Get(int)), which C# does not allow; "
            + "rename one of the methods (a method with one route gets a URL builder named after it); until then neither is generated (the routes are still served)");

        // The other builders of the class are still there; the colliding ones are left out; both routes are served.
        Assert.Equal("/users", UrlBuilder(assembly, "Users", "List").Invoke(null, null));
        Assert.Null(UrlBuilderType(assembly, "Users")!.GetMethod("Get"));
        var router = GeneratorHarness.CreateRouter(assembly, "Kiln.Generated.AppRouter");
        Assert.Equal("get 7", (await router.SendAsync("GET", "/users/7")).Body);
        Assert.Equal("post 7 ann", (await router.SendAsync("POST", "/users/7", "ann")).Body);
    }

    /// <summary>What counts as the same signature is what C# overload resolution compares: the builder's parameter
    /// types. Names, defaults, nullable annotations on reference types and parameters that are not in a URL do not count.</summary>
    [Theory]
    [InlineData("int id", "int id, [Body] string name")]                                       // a body is not an argument
    [InlineData("int id, [Header(\"X-A\")] string? a = null", "int id")]                          // nor a header
    [InlineData("int id, [Query] string? q = null", "int id, [Body] string b, [Query] string text = \"x\"")]   // names and defaults do not count
    [InlineData("int id, [Query] int? page = null", "int id, [Query] int size = 10")]            // both int? = null
    [InlineData("int id, [Query] string? q", "int id, [Query] string q, [Body] string b")]      // string? is string
    [InlineData("int id, [Query] int[]? ids = null", "int id, [Query] List<int> all")]            // both IEnumerable<int>?
    public void KILN041_what_counts_as_the_same_signature(string first, string second)
    {
        var (result, _) = AssertUrlWarningsCompile($$"""
            namespace App;

            public static class Things
            {
                [Get("/things/<id>")]
                public static string [|Get|]({{first}}) => "";

                [Post("/things/<id>")]
                public static string {|Get|}({{second}}) => "";
            }
            """, "KILN041", 2);
        Assert.All(result.Diagnostics, d => Assert.StartsWith("Urls.Things.Get(int", d.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("int id", "long id")]
    [InlineData("int id", "int id, [Query] int page")]            // a required query value is a required argument
    [InlineData("int id, [Query] int? page = null", "int id, [Query] int page")]   // int? and int differ
    [InlineData("int id", "int id, [Query] bool? all = null")]    // an optional argument makes another signature (C# allows both)
    public void Overloads_whose_builders_differ_both_get_builders(string first, string second)
    {
        var assembly = GeneratorHarness.Compile($$"""
            namespace App;

            public static class Things
            {
                [Get("/things/<id>")]
                public static string Get({{first}}) => "";

                [Post("/things/<id>")]
                public static string Get({{second}}) => "";
            }
            """);
        Assert.Equal(2, UrlBuilderType(assembly, "Things")!.GetMethods().Count(m => m.Name == "Get"));
    }

    [Fact]
    public async Task KILN041_two_named_routes_of_overloads_with_the_same_Name_and_parameter_types()
    {
        var assembly = AssertUrlWarnings("""
            namespace App;

            public static class Users
            {
                [[|Get("/users/<login>", Name = "ByLogin")|]]
                [Get("/u/<login>", Name = "Short")]
                public static string Get(string login) => "get " + login;

                [{|Post("/users/<login>", Name = "ByLogin")|}]
                [Post("/u/<login>", Name = "Post")]
                public static string Get(string login, [Body] string text) => "post " + login + " " + text;
            }
            """, "KILN041",
            "Urls.Users.Get.ByLogin(string) would be declared twice, for GET /users/<login> (Users.Get(string)) and for POST /users/<login> (Users.Get(string, string)), which C# does not allow; "
            + "give one of the two routes another Name; until then neither is generated (the routes are still served)",
            "Urls.Users.Get.ByLogin(string) would be declared twice, for POST /users/<login> (Users.Get(string, string)) and for GET /users/<login> (Users.Get(string)), which C# does not allow; "
            + "give one of the two routes another Name; until then neither is generated (the routes are still served)");

        // Overloads with several routes share one class of named builders.
        Assert.Equal("/u/ann", UrlBuilder(assembly, "Users+Get", "Short").Invoke(null, new object[] { "ann" }));
        Assert.Equal("/u/bob", UrlBuilder(assembly, "Users+Get", "Post").Invoke(null, new object[] { "bob" }));
        Assert.Null(UrlBuilderType(assembly, "Users+Get")!.GetMethod("ByLogin"));
        var router = GeneratorHarness.CreateRouter(assembly, "Kiln.Generated.AppRouter");
        Assert.Equal("get ann", (await router.SendAsync("GET", "/users/ann")).Body);
        Assert.Equal("post ann hi", (await router.SendAsync("POST", "/users/ann", "hi")).Body);
    }

    [Fact]
    public async Task KILN041_a_builder_named_like_the_class_of_an_overloads_named_builders()
    {
        var assembly = AssertUrlWarnings("""
            namespace App;

            public static class Users
            {
                [Get("/users/<login>", Name = "ByLogin")]
                [Get("/u/<login>", Name = "Short")]
                public static string [|Get|](string login) => "login " + login;

                [Get("/ids/<id>")]
                public static string {|Get|}(int id) => "id " + id;

                [Get("/users")]
                public static string List() => "list";
            }
            """, "KILN041",
            "Urls.Users.Get would be declared twice, as the class of the named URL builders of Users.Get(string) and as the URL builder of GET /ids/<id> (Users.Get(int)), which C# does not allow; "
            + "rename one of the methods; until then neither is generated (the routes are still served)",
            "Urls.Users.Get would be declared twice, as the URL builder of GET /ids/<id> (Users.Get(int)) and as the class of the named URL builders of Users.Get(string), which C# does not allow; "
            + "rename one of the methods; until then neither is generated (the routes are still served)");

        Assert.Equal("/users", UrlBuilder(assembly, "Users", "List").Invoke(null, null));
        Assert.Null(UrlBuilderType(assembly, "Users+Get"));
        Assert.Null(UrlBuilderType(assembly, "Users")!.GetMethod("Get"));
        var router = GeneratorHarness.CreateRouter(assembly, "Kiln.Generated.AppRouter");
        Assert.Equal("id 7", (await router.SendAsync("GET", "/ids/7")).Body);
        Assert.Equal("login ann", (await router.SendAsync("GET", "/u/ann")).Body);
    }

    // ---- KILN042: a route class without a Urls.<Type> of its own ----

    [Fact]
    public async Task KILN042_two_route_classes_with_one_simple_name()
    {
        var assembly = AssertUrlWarnings("""
            namespace Admin
            {
                public static class Users
                {
                    [Get("/admin/users/<id>")]
                    public static string [|Get|](int id) => "admin " + id;
                }
            }

            namespace Api
            {
                public static class Users
                {
                    [Get("/api/users/<id>")]
                    public static string {|Get|}(long id) => "api " + id;
                }

                public static class Teams
                {
                    [Get("/api/teams")]
                    public static string List() => "teams";
                }
            }
            """, "KILN042",
            "Admin.Users.Get gets no URL builder: Urls.Users would hold the URL builders of Admin.Users and Api.Users (classes with one simple name share it), and a call could reach the other class's route by its argument types; "
            + "rename the class; until then Urls.Users is not generated for it (the route is still served)",
            "Api.Users.Get gets no URL builder: Urls.Users would hold the URL builders of Admin.Users and Api.Users (classes with one simple name share it), and a call could reach the other class's route by its argument types; "
            + "rename the class; until then Urls.Users is not generated for it (the route is still served)");

        Assert.Null(UrlBuilderType(assembly, "Users"));
        Assert.Equal("/api/teams", UrlBuilder(assembly, "Teams", "List").Invoke(null, null));
        var router = GeneratorHarness.CreateRouter(assembly, "Kiln.Generated.AppRouter");
        Assert.Equal("admin 1", (await router.SendAsync("GET", "/admin/users/1")).Body);
        Assert.Equal("api 2", (await router.SendAsync("GET", "/api/users/2")).Body);
    }

    [Fact]
    public async Task KILN042_a_route_class_named_Urls()
    {
        var assembly = AssertUrlWarnings("""
            namespace App;

            public static class Urls
            {
                [Get("/links")]
                public static string [|All|]() => "links";
            }

            public static class Pages
            {
                [Get("/")]
                public static string Home() => "home";
            }
            """, "KILN042",
            "App.Urls.All gets no URL builder: a class nested in Urls cannot be named Urls (a C# class cannot contain a member with its own name); "
            + "rename the class; until then Urls.Urls is not generated for it (the route is still served)");

        Assert.Equal("/", UrlBuilder(assembly, "Pages", "Home").Invoke(null, null));
        Assert.Null(UrlBuilderType(assembly, "Urls"));
        var router = GeneratorHarness.CreateRouter(assembly, "Kiln.Generated.AppRouter");
        Assert.Equal("links", (await router.SendAsync("GET", "/links")).Body);
    }

    [Fact]
    public void A_route_class_may_have_the_name_of_a_generated_helper()
    {
        // The enum formatters sit beside Urls and are called by their full name, so no route class name can hide them.
        var assembly = GeneratorHarness.Compile("""
            namespace App;

            public enum Color { Red, Green }

            public static class FormatEnum0
            {
                [Get("/colors/<color>")]
                public static string Get(Color color, [Query] Color? other = null) => color + "|" + other;
            }

            public static class AppRouter
            {
                [Get("/app/<color>")]
                public static string Get(Color color) => color.ToString();
            }
            """);
        var colorType = assembly.GetType("App.Color")!;
        Assert.Equal("/colors/Green?other=Red", UrlBuilder(assembly, "FormatEnum0", "Get").Invoke(null, new[] { Enum.Parse(colorType, "Green"), Enum.Parse(colorType, "Red") }));
        Assert.Equal("/app/Red", UrlBuilder(assembly, "AppRouter", "Get").Invoke(null, new[] { Enum.Parse(colorType, "Red") }));
    }

    [Theory]
    [InlineData("Urls")]
    [InlineData("Routes")]
    [InlineData("OpenApiJson")]
    [InlineData("Match")]
    public void KILN016_a_router_class_named_like_one_of_its_generated_members(string name) => AssertSingle($$"""
        namespace App;

        [Router]
        public partial class [|{{name}}|] { }

        public static class Things
        {
            [Get("/things")]
            public static string Get() => "";
        }
        """, "KILN016",
        "[Router] class " + name + " is invalid: it must not be named " + name + ", which is the name of one of its generated members (Urls, Routes, OpenApiJson, Match).");

    [Fact]
    public void Route_and_query_values_may_have_the_names_of_the_builders_locals()
    {
        var assembly = GeneratorHarness.Compile("""
            namespace App;

            public static class Things
            {
                [Get("/things/<__url>")]
                public static string Get(string __url, [Query] int[]? __item = null, [Query] string? __url_ = null) => __url;
            }
            """);
        Assert.Equal("/things/a?__item=1&__item=2&__url_=b", UrlBuilder(assembly, "Things", "Get").Invoke(null, new object?[] { "a", new[] { 1, 2 }, "b" }));
    }

    // ---- helpers ----

    /// <summary>
    /// Runs the generator on <paramref name="marked"/> and asserts it reports <paramref name="messages"/> as warnings
    /// <paramref name="id"/>, in source order: the first at <c>[|…|]</c>, the second at <c>{|…|}</c>. Then compiles and
    /// loads everything: a URL warning leaves builders out and never leaves code that does not compile.
    /// </summary>
    private static Assembly AssertUrlWarnings(string marked, string id, params string[] messages)
    {
        var (result, assembly) = AssertUrlWarningsCompile(marked, id, messages.Length);
        var diagnostics = result.Diagnostics.OrderBy(d => d.Location.SourceSpan.Start).ToList();
        for (int i = 0; i < messages.Length; i++)
            Assert.Equal(messages[i], diagnostics[i].GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        return assembly;
    }

    private static (GeneratorRunResult Result, Assembly Assembly) AssertUrlWarningsCompile(string marked, string id, int count)
    {
        var source = new MarkedSource(marked);
        var (run, output) = GeneratorHarness.Run(source.Text);
        var result = run.Results.Single();
        var diagnostics = result.Diagnostics.OrderBy(d => d.Location.SourceSpan.Start).ToList();
        Assert.Equal(Enumerable.Repeat(id, count), diagnostics.Select(d => d.Id));
        Assert.All(diagnostics, d => Assert.Equal(DiagnosticSeverity.Warning, d.Severity));
        Assert.All(diagnostics, d => Assert.Equal("docs/diagnostics/" + id + ".md", d.Descriptor.HelpLinkUri));
        var expected = new[] { source.Primary, source.Additional }.Take(count).Select(s => MarkedSource.Describe("Routes.cs", s!.Value));
        Assert.Equal(expected, diagnostics.Select(d => MarkedSource.Describe(d.Location)));

        return (result, CompileDespiteWarnings(output));
    }

    /// <summary>Compiles the generator's output (which may come with generator warnings) and loads it: zero errors, and
    /// no compiler warning in generated code.</summary>
    private static Assembly CompileDespiteWarnings(Compilation output)
    {
        using var stream = new MemoryStream();
        var emit = output.Emit(stream);
        Assert.True(emit.Success, "Compilation failed:\n" + string.Join("\n", emit.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
        Assert.DoesNotContain(emit.Diagnostics, d => d.Severity == DiagnosticSeverity.Warning && d.Location.SourceTree?.FilePath.Contains("Kiln.Generator", StringComparison.Ordinal) == true);
        stream.Position = 0;
        var context = new System.Runtime.Loader.AssemblyLoadContext("kiln-test-" + Guid.NewGuid().ToString("N"), isCollectible: true);
        return context.LoadFromStream(stream);
    }

    /// <summary><c>AppRouter.Urls.&lt;path&gt;</c> (nested types separated by <c>+</c>), or null.</summary>
    private static Type? UrlBuilderType(Assembly assembly, string path) => assembly.GetType("Kiln.Generated.AppRouter+Urls+" + path);

    private static MethodInfo UrlBuilder(Assembly assembly, string path, string name) =>
        UrlBuilderType(assembly, path)?.GetMethod(name, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
        ?? throw new InvalidOperationException("No builder Urls." + path + "." + name);
}

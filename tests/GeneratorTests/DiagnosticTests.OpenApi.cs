using System.Reflection;
using System.Text.Json;
using Kiln.GeneratorTests.Infrastructure;
using Microsoft.CodeAnalysis;

namespace Kiln.GeneratorTests;

public partial class DiagnosticTests
{
    // ---- KILN043: two templates of one OpenAPI path that name their parameters differently ----

    [Fact]
    public async Task KILN043_templates_that_differ_only_in_parameter_names()
    {
        const string marked = """
            namespace App;

            public static class Things
            {
                /// <param name="x">The thing.</param>
                [Get("{|/a/<x>|}")]
                public static string Get(int x) => "get " + x;

                /// <param name="y">The other thing.</param>
                [Post("[|/a/<y>|]")]
                public static string Post(int y) => "post " + y;
            }
            """;
        AssertSingle(marked, "KILN043",
            "POST /a/<y> and GET /a/<x> (at Routes.cs:6) have one OpenAPI path, /a/{x}, since OpenAPI paths that differ only in parameter names are identical; "
            + "the document lists POST /a/<y> there, with <y> named x; use the same parameter names in both templates",
            DiagnosticSeverity.Warning);

        // The document stays valid: one path item, whose operations name the path parameter as the path does.
        var assembly = CompileDespiteWarnings(GeneratorHarness.Run(new MarkedSource(marked).Text).Output);
        var paths = OpenApiPaths(assembly);
        Assert.Equal(new[] { "/a/{x}" }, paths.EnumerateObject().Select(p => p.Name));
        Assert.Equal(new[] { "get", "post" }, paths.GetProperty("/a/{x}").EnumerateObject().Select(p => p.Name));
        var post = paths.GetProperty("/a/{x}").GetProperty("post").GetProperty("parameters").EnumerateArray().Single();
        Assert.Equal("x", post.GetProperty("name").GetString());
        Assert.Equal("The other thing.", post.GetProperty("description").GetString());
        Assert.Equal("integer", post.GetProperty("schema").GetProperty("type").GetString());
        var router = GeneratorHarness.CreateRouter(assembly, "Kiln.Generated.AppRouter");
        Assert.Equal("post 5", (await router.SendAsync("POST", "/a/5")).Body);
        Assert.Equal("get 6", (await router.SendAsync("GET", "/a/6")).Body);
    }

    [Fact]
    public async Task Two_routes_told_apart_by_type_document_the_first_without_a_warning()
    {
        // Typed alternatives are a routing feature, not a mistake; OpenAPI has one GET per path, so it shows the first.
        var assembly = GeneratorHarness.Compile("""
            namespace App;

            public static class Things
            {
                [Get("/items/<id>")]
                public static string ById(int id) => "id " + id;

                [Get("/items/<slug>")]
                public static string BySlug(string slug) => "slug " + slug;

                [Delete("/items/<id>")]
                public static string Delete(int id) => "deleted " + id;
            }
            """);
        var paths = OpenApiPaths(assembly);
        Assert.Equal(new[] { "/items/{id}" }, paths.EnumerateObject().Select(p => p.Name));
        Assert.Equal(new[] { "get", "delete" }, paths.GetProperty("/items/{id}").EnumerateObject().Select(p => p.Name));
        Assert.Equal("Things_ById", paths.GetProperty("/items/{id}").GetProperty("get").GetProperty("operationId").GetString());
        var router = GeneratorHarness.CreateRouter(assembly, "Kiln.Generated.AppRouter");
        Assert.Equal("id 5", (await router.SendAsync("GET", "/items/5")).Body);
        Assert.Equal("slug five", (await router.SendAsync("GET", "/items/five")).Body);
    }

    [Theory]
    [InlineData("[Post(\"/a/<x>\")] public static string Two(int x)")]              // the same names: one path item
    [InlineData("[Route(\"PURGE\", \"/a/<y>\")] public static string Two(int y)")]  // PURGE is not in the document
    [InlineData("[Get(\"/a/<x>/b\")] public static string Two(int x)")]             // another path
    [InlineData("[Post(\"/a/<slug>\")] public static string Two(string slug)")]     // another value (a string, not an int): its own name
    [InlineData("[Post(\"/a/<*rest>\")] public static string Two(string rest)")]    // a catch-all is another value too
    public void Routes_with_their_own_OpenAPI_paths_or_other_values_get_no_KILN043(string second)
    {
        var assembly = GeneratorHarness.Compile($$"""
            namespace App;

            public static class Things
            {
                [Get("/a/<x>")] public static string One(int x) => "";
                {{second}} => "";
            }
            """);
        Assert.DoesNotContain(OpenApiPaths(assembly).EnumerateObject(), p => p.Name == "/a/{y}" || p.Name == "/a/{slug}" || p.Name == "/a/{rest}");
    }

    private static JsonElement OpenApiPaths(Assembly assembly)
    {
        var json = (string)assembly.GetType("Kiln.Generated.AppRouter")!.GetField("OpenApiJson", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;
        return JsonDocument.Parse(json).RootElement.GetProperty("paths").Clone();
    }
}

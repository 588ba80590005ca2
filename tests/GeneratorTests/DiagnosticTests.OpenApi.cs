using System.Reflection;
using System.Text.Json;
using Kiln.GeneratorTests.Infrastructure;
using Microsoft.CodeAnalysis;

namespace Kiln.GeneratorTests;

public partial class DiagnosticTests
{
    // ---- KILN043, KILN044: two routes with one OpenAPI path ----

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
    public async Task KILN044_two_routes_for_one_HTTP_method_and_one_OpenAPI_path()
    {
        const string marked = """
            namespace App;

            public static class Things
            {
                [Get("{|/items/<id>|}")]
                public static string ById(int id) => "id " + id;

                [Get("[|/items/<slug>|]")]
                public static string BySlug(string slug) => "slug " + slug;
            }
            """;
        AssertSingle(marked, "KILN044",
            "GET /items/<slug> and GET /items/<id> (at Routes.cs:5) have one OpenAPI path, /items/{id}, which holds one GET operation; "
            + "the document leaves GET /items/<slug> out (the router still serves it); make the paths differ by a literal segment, or suppress KILN044 when the document may show only GET /items/<id>",
            DiagnosticSeverity.Warning);

        var assembly = CompileDespiteWarnings(GeneratorHarness.Run(new MarkedSource(marked).Text).Output);
        var paths = OpenApiPaths(assembly);
        Assert.Equal(new[] { "/items/{id}" }, paths.EnumerateObject().Select(p => p.Name));
        Assert.Equal("Things_ById", paths.GetProperty("/items/{id}").GetProperty("get").GetProperty("operationId").GetString());
        var router = GeneratorHarness.CreateRouter(assembly, "Kiln.Generated.AppRouter");
        Assert.Equal("id 5", (await router.SendAsync("GET", "/items/5")).Body);
        Assert.Equal("slug five", (await router.SendAsync("GET", "/items/five")).Body);
    }

    [Theory]
    [InlineData("[Get(\"/a/<x>\")]", "[Post(\"/a/<x>\")]")]           // the same names: one path item, no warning
    [InlineData("[Get(\"/a/<x>\")]", "[Route(\"PURGE\", \"/a/<y>\")]")] // PURGE is not in the document
    [InlineData("[Get(\"/a/<x>\")]", "[Get(\"/a/<x>/b\")]")]
    public void Routes_with_their_own_OpenAPI_paths_get_no_KILN043_or_KILN044(string first, string second)
    {
        GeneratorHarness.Compile($$"""
            namespace App;

            public static class Things
            {
                {{first}} public static string One(int x) => "";
                {{second}} public static string Two(int {{(second.Contains("<y>", StringComparison.Ordinal) ? "y" : "x")}}) => "";
            }
            """);
    }

    private static JsonElement OpenApiPaths(Assembly assembly)
    {
        var json = (string)assembly.GetType("Kiln.Generated.AppRouter")!.GetField("OpenApiJson", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;
        return JsonDocument.Parse(json).RootElement.GetProperty("paths").Clone();
    }
}

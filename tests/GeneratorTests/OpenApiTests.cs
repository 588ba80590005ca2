using System.Reflection;
using System.Text.Json;
using Kiln.GeneratorTests.Infrastructure;

namespace Kiln.GeneratorTests;

/// <summary>The build-time OpenAPI 3.1 document (<c>AppRouter.OpenApiJson</c>): what it says about paths, parameters, bodies and responses.</summary>
public class OpenApiTests
{
    private const string Api = """
        using System.Text.Json;
        using System.Text.Json.Serialization;
        namespace Shop;

        public enum Color { Red, Green }
        public enum Size { Small, Large }

        /// <summary>An item for sale.</summary>
        /// <param name="ItemId">The item's number.</param>
        public sealed record Item(int ItemId, string DisplayName, Size Size, Guid? BatchId, DateOnly Added, List<string> Tags)
        {
            /// <summary>Where it is stored.</summary>
            [JsonPropertyName("shelf")] public string? Location { get; init; }
            [JsonIgnore] public string Secret { get; init; } = "";
            public required decimal Price { get; init; }
            public Item? Replacement { get; init; }
        }

        public sealed record NewItem(string DisplayName, Dictionary<string, int> Stock);

        [JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, UseStringEnumConverter = true)]
        [JsonSerializable(typeof(Item))]
        [JsonSerializable(typeof(NewItem))]
        [JsonSerializable(typeof(List<Item>))]
        internal partial class ShopJson : JsonSerializerContext;

        public static class Items
        {
            /// <summary>Lists items.</summary>
            /// <remarks>Sorted by <c>id</c>; see <see cref="Get"/>.</remarks>
            /// <param name="limit">How many to return.</param>
            [Get("/items")]
            public static List<Item> List([Query] int limit = 50, [Query] Color? color = null, [Query("tag")] string[]? tags = null, [Header("X-Trace")] string? trace = null) => new();

            [Get("/items/<id>")]
            public static Item? Get(Guid id) => null;

            [Post("/items")]
            [Produces(201, typeof(Item), Description = "Created.")]
            [Produces(409)]
            public static HttpResponse Create(NewItem item) => HttpResponse.Status(201);

            [Get("/items/<id>/img-<n>.png")]
            public static byte[] Image(Guid id, long n) => Array.Empty<byte>();

            [Get("/files/<*path>")]
            public static string File(string path) => path;

            [Delete("/items/<id>")]
            public static void Delete(Guid id) { }

            [Get("/days/<day>")]
            public static string Day(DateOnly day, [Query] bool verbose) => "";

            [Route("PURGE", "/cache")]
            public static void Purge() { }

            [Get("/raw")]
            public static HttpResponse Raw() => HttpResponse.Ok();
        }
        """;

    private static readonly Lazy<JsonElement> s_document = new(() =>
    {
        var assembly = GeneratorHarness.Compile(Api);
        var json = (string)assembly.GetType("Kiln.Generated.AppRouter")!.GetField("OpenApiJson", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;
        return JsonDocument.Parse(json).RootElement;
    });

    private static JsonElement Doc => s_document.Value;

    private static JsonElement Op(string path, string method) => Doc.GetProperty("paths").GetProperty(path).GetProperty(method);

    private static JsonElement Param(string path, string method, string name) =>
        Op(path, method).GetProperty("parameters").EnumerateArray().Single(p => p.GetProperty("name").GetString() == name);

    private static string Json(JsonElement e) => JsonSerializer.Serialize(e);

    [Fact]
    public void Snapshot_of_the_generated_document()
    {
        var (result, _) = GeneratorHarness.Run(Api);
        Assert.Empty(result.Diagnostics);
        Snapshot.Verify(GeneratorHarness.Generated(result, "AppRouter.OpenApi.g.cs"), "Api.OpenApi");
    }

    [Fact]
    public void It_is_OpenAPI_3_1_with_every_documentable_route_under_its_OpenAPI_path()
    {
        Assert.Equal("3.1.0", Doc.GetProperty("openapi").GetString());
        Assert.Equal("AppRouter", Doc.GetProperty("info").GetProperty("title").GetString());
        var paths = Doc.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Equal(new[] { "/days/{day}", "/files/{path}", "/items", "/items/{id}", "/items/{id}/img-{n}.png", "/raw" }, paths);   // PURGE has no OpenAPI 3.1 field
        Assert.Equal(new[] { "get", "delete" }, Doc.GetProperty("paths").GetProperty("/items/{id}").EnumerateObject().Select(p => p.Name));
        Assert.Equal("Items_List", Op("/items", "get").GetProperty("operationId").GetString());
        Assert.Equal("[\"Items\"]", Json(Op("/items", "get").GetProperty("tags")));
    }

    [Fact]
    public void Parameters_come_by_source_with_schemas_from_their_types()
    {
        Assert.Equal("""{"name":"id","in":"path","required":true,"schema":{"type":"string","format":"uuid"}}""", Json(Param("/items/{id}", "get", "id")));
        Assert.Equal("""{"name":"n","in":"path","required":true,"schema":{"type":"integer","format":"int64"}}""", Json(Param("/items/{id}/img-{n}.png", "get", "n")));
        Assert.Equal("""{"type":"string","format":"date"}""", Json(Param("/days/{day}", "get", "day").GetProperty("schema")));
        Assert.Contains("catch-all", Param("/files/{path}", "get", "path").GetProperty("description").GetString(), StringComparison.Ordinal);

        Assert.Equal("""{"name":"limit","in":"query","description":"How many to return.","required":false,"schema":{"type":"integer","format":"int32","default":50}}""", Json(Param("/items", "get", "limit")));
        Assert.Equal("""{"type":"string","enum":["Red","Green"]}""", Json(Param("/items", "get", "color").GetProperty("schema")));
        Assert.Equal("""{"name":"tag","in":"query","required":false,"schema":{"type":"array","items":{"type":"string"}}}""", Json(Param("/items", "get", "tag")));
        Assert.Equal("""{"name":"X-Trace","in":"header","required":false,"schema":{"type":"string"}}""", Json(Param("/items", "get", "X-Trace")));
        Assert.True(Param("/days/{day}", "get", "verbose").GetProperty("required").GetBoolean());   // not nullable, no default
    }

    [Fact]
    public void Summaries_and_descriptions_come_from_doc_comments()
    {
        Assert.Equal("Lists items.", Op("/items", "get").GetProperty("summary").GetString());
        Assert.Equal("Sorted by `id`; see Get.", Op("/items", "get").GetProperty("description").GetString());
        Assert.False(Op("/raw", "get").TryGetProperty("summary", out _));
    }

    [Fact]
    public void Bodies_and_responses_come_from_the_json_types_under_the_contexts_naming_policy()
    {
        Assert.Equal("""{"required":true,"content":{"application/json":{"schema":{"$ref":"#/components/schemas/NewItem"}}}}""", Json(Op("/items", "post").GetProperty("requestBody")));
        Assert.Equal("""{"type":"array","items":{"$ref":"#/components/schemas/Item"}}""",
            Json(Op("/items", "get").GetProperty("responses").GetProperty("200").GetProperty("content").GetProperty("application/json").GetProperty("schema")));

        var item = Doc.GetProperty("components").GetProperty("schemas").GetProperty("Item");
        var properties = item.GetProperty("properties");
        // snake_case_lower from [JsonSourceGenerationOptions]; [JsonPropertyName] wins; [JsonIgnore] is left out.
        Assert.Equal(new[] { "item_id", "display_name", "size", "batch_id", "added", "tags", "shelf", "price", "replacement" }, properties.EnumerateObject().Select(p => p.Name));
        Assert.Equal("""{"type":"integer","format":"int32","description":"The item\u0027s number."}""", Json(properties.GetProperty("item_id")));
        Assert.Equal("""{"type":"string","enum":["Small","Large"]}""", Json(properties.GetProperty("size")));                 // UseStringEnumConverter
        Assert.Equal("""{"type":["string","null"],"format":"uuid"}""", Json(properties.GetProperty("batch_id")));
        Assert.Equal("""{"type":["string","null"],"description":"Where it is stored."}""", Json(properties.GetProperty("shelf")));
        Assert.Equal("""{"oneOf":[{"$ref":"#/components/schemas/Item"},{"type":"null"}]}""", Json(properties.GetProperty("replacement")));
        Assert.Equal("""["price"]""", Json(item.GetProperty("required")));
        Assert.Equal("An item for sale.", item.GetProperty("description").GetString());
        Assert.Equal("""{"type":"object","additionalProperties":{"type":"integer","format":"int32"}}""",
            Json(Doc.GetProperty("components").GetProperty("schemas").GetProperty("NewItem").GetProperty("properties").GetProperty("stock")));
    }

    [Fact]
    public void Responses_are_inferred_from_results_or_declared_with_Produces()
    {
        var create = Op("/items", "post").GetProperty("responses");
        Assert.Equal(new[] { "201", "400", "409" }, create.EnumerateObject().Select(p => p.Name));
        Assert.Equal("""{"description":"Created.","content":{"application/json":{"schema":{"$ref":"#/components/schemas/Item"}}}}""", Json(create.GetProperty("201")));
        Assert.Equal("""{"description":"Conflict"}""", Json(create.GetProperty("409")));
        Assert.Equal(new[] { "204" }, Op("/items/{id}", "delete").GetProperty("responses").EnumerateObject().Select(p => p.Name));
        Assert.Equal("application/octet-stream", Op("/items/{id}/img-{n}.png", "get").GetProperty("responses").GetProperty("200").GetProperty("content").EnumerateObject().Single().Name);
        Assert.Equal("text/plain", Op("/files/{path}", "get").GetProperty("responses").GetProperty("200").GetProperty("content").EnumerateObject().Single().Name);
        Assert.Contains("[Produces", Op("/raw", "get").GetProperty("responses").GetProperty("default").GetProperty("description").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_document_is_a_constant_nothing_reads_unless_asked()
    {
        var field = GeneratorHarness.Compile(Api).GetType("Kiln.Generated.AppRouter")!.GetField("OpenApiJson")!;
        Assert.True(field.IsLiteral);   // a const: inlined where used, absent from an app that never uses it
    }
}

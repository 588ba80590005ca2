using System.Reflection;
using Kiln.GeneratorTests.Infrastructure;
using Microsoft.CodeAnalysis;

namespace Kiln.GeneratorTests;

/// <summary>The typed URL builders (<c>AppRouter.Urls.Type.Method</c>): what they emit, what they return, and that the router reads their URLs back.</summary>
public class UrlBuilderTests
{
    internal const string Api = """
        namespace Shop;

        public enum Color { Red, Green, Blue }

        public static class Items
        {
            [Get("/items/new")] public static string New() => "new";
            [Get("/items/<id>")] public static string ById(int id, [Query] int limit = 10, [Query("sort by")] string? sort = null, [Query] Color? color = null) => $"id={id} limit={limit} sort={sort} color={color}";
            [Get("/items/<id>/<day>")] public static string ByDay(long id, DateOnly day, [Query] double at) => $"{id} {day:yyyy-MM-dd} {at}";
            [Get("/tags/<tag>")] public static string Tag(string tag, [Query] int[]? ids = null) => tag + "|" + string.Join(",", ids ?? Array.Empty<int>());
            [Get("/images/img-<id>.png")] public static string Image(Guid id) => id.ToString("N");
            [Get("/files/<*path>")] public static string File(string path) => path;
            [Get("/docs/<name>.<ext>")] public static string Doc(string name, string ext) => name + "|" + ext;
            [Get("/caf\u00e9/<color>")] public static string ByColor(Color color) => color.ToString();
        }

        public sealed class Users
        {
            [Get("/users/<login>", Name = "ByLogin")]
            [Get("/u/<login>", Name = "Short")]
            public string Get(string login, [Query] bool? verbose = null) => login + "|" + verbose;

            [Post("/users")]
            internal string Create([Body] string body) => body;
        }
        """;

    [Fact]
    public void Builders_snapshot()
    {
        var (result, _) = GeneratorHarness.Run(Api);
        Assert.Empty(result.Diagnostics);
        Snapshot.Verify(GeneratorHarness.Generated(result, "AppRouter.Urls.g.cs"), "Api.Urls");
    }

    [Theory]
    [InlineData("Items", "New", "/items/new")]
    [InlineData("Items", "ById", "/items/42", 42, null, null, null)]
    [InlineData("Items", "ById", "/items/-7?limit=3&sort%20by=a%26b%3Dc%2Bd&color=Blue", -7, 3, "a&b=c+d", "Blue")]
    [InlineData("Items", "ByDay", "/items/9000000000/2024-02-29?at=1E%2B20", 9000000000L, "2024-02-29", 1e20)]
    [InlineData("Items", "Tag", "/tags/a%2Fb%20c%25?ids=1&ids=2", "a/b c%", new[] { 1, 2 })]
    [InlineData("Items", "Tag", "/tags/caf%C3%A9%F0%9F%98%80", "café😀", null)]
    [InlineData("Items", "Image", "/images/img-00000000-0000-0000-0000-00000000002a.png", "00000000-0000-0000-0000-00000000002a")]
    [InlineData("Items", "File", "/files/a/b%20c/d.txt", "a/b c/d.txt")]
    [InlineData("Items", "File", "/files/", "")]
    [InlineData("Items", "File", "/files/a%2F..%2Fb", "a/../b")]
    [InlineData("Items", "Doc", "/docs/a.b.c", "a.b", "c")]
    [InlineData("Items", "ByColor", "/caf%C3%A9/Green", "Green")]
    [InlineData("Users", "Get.ByLogin", "/users/bob?verbose=true", "bob", true)]
    [InlineData("Users", "Get.Short", "/u/~bob%3F%23", "~bob?#", null)]
    public void Builders_return_the_encoded_path_and_query(string type, string method, string expected, params object?[] arguments)
    {
        Assert.Equal(expected, Build(type, method, arguments));
    }

    [Theory]
    [InlineData("/items/42?limit=3&sort%20by=a%26b%3Dc%2Bd&color=Blue", "id=42 limit=3 sort=a&b=c+d color=Blue")]
    [InlineData("/items/9000000000/2024-02-29?at=1E%2B20", "9000000000 2024-02-29 1E+20")]
    [InlineData("/tags/a%2Fb%20c%25?ids=1&ids=2", "a/b c%|1,2")]
    [InlineData("/tags/caf%C3%A9%F0%9F%98%80", "café😀|")]
    [InlineData("/files/a/b%20c/d.txt", "a/b c/d.txt")]
    [InlineData("/files/", "")]
    [InlineData("/files/a%2F..%2Fb", "a/../b")]
    [InlineData("/docs/a.b.c", "a.b|c")]
    [InlineData("/caf%C3%A9/Green", "Green")]
    [InlineData("/u/~bob%3F%23", "~bob?#|")]
    public async Task The_router_reads_built_urls_back(string url, string body)
    {
        var response = await Router.SendAsync("GET", url);
        Assert.Equal(200, response.Status);
        Assert.Equal(body, response.Body);
    }

    [Theory]
    [InlineData("Items", "Tag", "", "cannot be empty")]
    [InlineData("Items", "Tag", ".", "dot segments")]
    [InlineData("Items", "Tag", "..", "dot segments")]
    [InlineData("Items", "Tag", "a\0b", "NUL")]
    [InlineData("Items", "File", "..", "dot segments")]
    [InlineData("Items", "Doc", "a", "b.c", "splits them back")]
    [InlineData("Items", "Doc", "", "c", "cannot be empty")]
    public void Values_no_url_can_carry_throw(string type, string method, params object?[] argumentsAndMessage)
    {
        var arguments = argumentsAndMessage[..^1];
        var ex = Assert.ThrowsAny<ArgumentException>(() => Build(type, method, arguments.Concat(new object?[] { null }).Take(Parameters(type, method).Length).ToArray()));
        Assert.Contains((string)argumentsAndMessage[^1]!, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_lone_surrogate_throws_in_the_path_and_in_the_query()
    {
        string lone = new string(new[] { 'a', (char)0xD800 });
        Assert.Contains("lone surrogate", Assert.ThrowsAny<ArgumentException>(() => Build("Items", "Tag", lone, null)).Message, StringComparison.Ordinal);
        Assert.Contains("lone surrogate", Assert.ThrowsAny<ArgumentException>(() => Build("Items", "ById", 1, null, lone, null)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Non_finite_numbers_and_unnamed_enum_values_throw()
    {
        Assert.ThrowsAny<ArgumentOutOfRangeException>(() => Build("Items", "ByDay", 1L, new DateOnly(2024, 1, 1), double.NaN));
        Assert.ThrowsAny<ArgumentOutOfRangeException>(() => Build("Items", "ById", 1, null, null, 7));
    }

    [Fact]
    public void Signatures_follow_the_method_route_values_in_template_order_then_query_values()
    {
        var byDay = Parameters("Items", "ByDay");
        Assert.Equal(new[] { "id", "day", "at" }, byDay.Select(p => p.Name));
        Assert.Equal(new[] { typeof(long), typeof(DateOnly), typeof(double) }, byDay.Select(p => p.ParameterType));
        Assert.All(byDay, p => Assert.False(p.IsOptional));      // a required query value is a required argument

        var byId = Parameters("Items", "ById");
        Assert.Equal(new[] { "id", "limit", "sort", "color" }, byId.Select(p => p.Name));
        Assert.Equal(typeof(int?), byId[1].ParameterType);        // optional query values are nullable, default null: left out
        Assert.True(byId[1].IsOptional && byId[1].DefaultValue is null);
        Assert.Equal(typeof(IEnumerable<int>), Parameters("Items", "Tag")[1].ParameterType);

        // The internal method gets an internal builder; a public method a public one.
        Assert.True(Method("Users", "Get.ByLogin").IsPublic);
        Assert.True(Method("Users", "Create").IsAssembly);
    }

    [Fact]
    public void A_method_with_several_unnamed_routes_gets_KILN040_and_no_builders()
    {
        const string source = """
            namespace App;
            public static class Users
            {
                [Get("/users/<id>", Name = "ById")]
                [Get("/u/<id>")]
                public static string Get(int id) => "";

                [Get("/a", Name = "Same")]
                [Get("/b", Name = "Same")]
                public static string Twice() => "";

                [Get("/c", Name = "C d")]
                [Get("/d", Name = "D")]
                public static string Spaces() => "";

                [Get("/e")] public static string Single() => "";
            }
            """;
        var (result, output) = GeneratorHarness.Run(source);
        var diagnostics = result.Diagnostics.OrderBy(d => d.Location.SourceSpan.Start).ToList();
        Assert.Equal(new[] { "KILN040", "KILN040", "KILN040" }, diagnostics.Select(d => d.Id));
        Assert.All(diagnostics, d => Assert.Equal(DiagnosticSeverity.Warning, d.Severity));
        Assert.Contains("the route GET /u/<id> has no Name", diagnostics[0].GetMessage(), StringComparison.Ordinal);
        Assert.Contains("Urls.Users.Get", diagnostics[0].GetMessage(), StringComparison.Ordinal);
        Assert.Contains("the Name \"Same\" is used by two of its routes", diagnostics[1].GetMessage(), StringComparison.Ordinal);
        Assert.Contains("is not a C# identifier", diagnostics[2].GetMessage(), StringComparison.Ordinal);
        Assert.Equal(4, diagnostics[0].Location.GetLineSpan().StartLinePosition.Line);     // at the unnamed route's attribute
        Assert.EndsWith("docs/diagnostics/KILN040.md", diagnostics[0].Descriptor.HelpLinkUri, StringComparison.Ordinal);

        var urls = GeneratorHarness.Generated(result, "AppRouter.Urls.g.cs");
        Assert.Contains("Single()", urls, StringComparison.Ordinal);
        Assert.DoesNotContain("ById", urls, StringComparison.Ordinal);
        Assert.DoesNotContain(output.GetDiagnostics(), d => d.Severity == DiagnosticSeverity.Error);
    }

    // ---- helpers ----

    private static readonly Lazy<Assembly> s_assembly = new(() => GeneratorHarness.Compile(Api));

    private static Router Router => GeneratorHarness.CreateRouter(s_assembly.Value, "Kiln.Generated.AppRouter", GeneratorHarness.New(s_assembly.Value, "Shop.Users"));

    private static MethodInfo Method(string type, string method)
    {
        var path = method.Split('.');
        var owner = s_assembly.Value.GetType("Kiln.Generated.AppRouter+Urls+" + type + (path.Length == 2 ? "+" + path[0] : ""), throwOnError: true)!;
        return owner.GetMethod(path[^1], BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
            ?? throw new InvalidOperationException("No builder " + type + "." + method);
    }

    private static ParameterInfo[] Parameters(string type, string method) => Method(type, method).GetParameters();

    /// <summary>Calls a builder, converting test-data arguments (strings for Guid, DateOnly and enums) to the parameter types.</summary>
    private static string Build(string type, string method, params object?[] arguments)
    {
        var info = Method(type, method);
        var parameters = info.GetParameters();
        var values = new object?[parameters.Length];
        for (int i = 0; i < parameters.Length; i++)
        {
            object? a = i < arguments.Length ? arguments[i] : null;
            var target = Nullable.GetUnderlyingType(parameters[i].ParameterType) ?? parameters[i].ParameterType;
            values[i] = a switch
            {
                null => null,
                string s when target == typeof(Guid) => Guid.Parse(s),
                string s when target == typeof(DateOnly) => DateOnly.Parse(s, System.Globalization.CultureInfo.InvariantCulture),
                string s when target.IsEnum => Enum.Parse(target, s),
                int n when target.IsEnum => Enum.ToObject(target, n),
                _ => a,
            };
        }
        try
        {
            return (string)info.Invoke(null, values)!;
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException);
            throw;
        }
    }
}

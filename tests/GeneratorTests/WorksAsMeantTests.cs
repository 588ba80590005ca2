using Kiln.GeneratorTests.Infrastructure;

namespace Kiln.GeneratorTests;

/// <summary>
/// Code that used to compile and then misbehave, and now does what it says: compiled through the real generator
/// and called. (The mistakes that became diagnostics are in <c>DiagnosticTests.Mistakes.cs</c>.)
/// </summary>
public class WorksAsMeantTests
{
    private const string Source = """
        namespace Api;

        public struct Clock
        {
            [Get("/struct/<n>")]
            public static string Static(int n) => "struct " + n;
        }

        public readonly record struct Version
        {
            [Get("/record-struct")]
            public static string Get() => "record struct";
        }

        public static class Times
        {
            [Get("/at/<when>")]
            public static string At(DateTime when) => when.ToString("O") + "|" + when.Kind;

            [Get("/since")]
            public static string Since(DateTimeOffset since, DateTime? until = null) => since.ToString("O") + "|" + (until?.ToString("O") ?? "-");

            [Get("/day/<day>")]
            public static DateOnly Day(DateOnly day) => day.AddDays(1);

            [Get("/stamp")]
            public static DateTime Stamp() => new(2024, 5, 1, 8, 30, 0, DateTimeKind.Utc);

            [Get("/offset")]
            public static DateTimeOffset Offset() => new(2024, 5, 1, 10, 30, 0, TimeSpan.FromHours(2));
        }

        public static class Raw
        {
            [Get("/memory")]
            public static Memory<byte> Get() => new byte[] { 65, 66, 67 };

            [Post("/memory")]
            public static int Post(Memory<byte> data) => data.Length;
        }

        public sealed class Tag<T> : IMiddleware
        {
            public async ValueTask<HttpResponse> InvokeAsync(Request request, Handler next) => (await next(request)).WithHeader("X-Tag", typeof(T).Name);
        }

        public sealed class Marker;

        public static class Wrapped
        {
            [Get("/wrapped"), Use<Tag<Marker>>]
            public static string Get() => "wrapped";
        }
        """;

    private static readonly Lazy<System.Reflection.Assembly> s_assembly = new(() => GeneratorHarness.Compile(Source));

    private static Router CreateRouter()
    {
        var assembly = s_assembly.Value;
        var tag = assembly.GetType("Api.Tag`1")!.MakeGenericType(assembly.GetType("Api.Marker")!);
        return GeneratorHarness.CreateRouter(assembly, "Kiln.Generated.AppRouter", Activator.CreateInstance(tag)!);
    }

    [Theory]
    [InlineData("/struct/7", "struct 7")]
    [InlineData("/record-struct", "record struct")]
    public async Task Static_route_methods_on_structs_are_routed(string target, string body)
    {
        var response = await CreateRouter().SendAsync("GET", target);
        Assert.Equal((200, body), (response.Status, response.Body));
    }

    [Theory]
    // An offset (or Z) means an instant: it binds as UTC, whatever the server's time zone.
    [InlineData("/at/2024-05-01T10:30:00+02:00", 200, "2024-05-01T08:30:00.0000000Z|Utc")]
    [InlineData("/at/2024-05-01T10:30:00.25-05:30", 200, "2024-05-01T16:00:00.2500000Z|Utc")]
    [InlineData("/at/2024-05-01T08:30Z", 200, "2024-05-01T08:30:00.0000000Z|Utc")]
    [InlineData("/at/2024-05-01t08:30:00z", 200, "2024-05-01T08:30:00.0000000Z|Utc")]
    // No offset: the time as written, never converted to or from the server's local time.
    [InlineData("/at/2024-05-01T10:30:00", 200, "2024-05-01T10:30:00.0000000|Unspecified")]
    [InlineData("/at/2024-05-01", 200, "2024-05-01T00:00:00.0000000|Unspecified")]
    // Not ISO 8601: the typed segment does not match.
    [InlineData("/at/05-01-2024", 404, "Not Found")]
    [InlineData("/at/2024-05-01%2010:30", 404, "Not Found")]
    [InlineData("/at/2024-02-30", 404, "Not Found")]
    [InlineData("/at/2024-05-01T24:00", 404, "Not Found")]
    [InlineData("/at/2024-05-01T10:30+15:00", 404, "Not Found")]
    public async Task DateTime_route_values_bind_as_ISO_8601_and_UTC(string target, int status, string body)
    {
        var response = await CreateRouter().SendAsync("GET", target);
        Assert.Equal((status, body), (response.Status, response.Body));
    }

    [Theory]
    [InlineData("/since?since=2024-05-01T10:30:00%2B02:00", 200, "2024-05-01T10:30:00.0000000+02:00|-")]
    [InlineData("/since?since=2024-05-01T10:30:00", 200, "2024-05-01T10:30:00.0000000+00:00|-")]
    [InlineData("/since?since=2024-05-01&until=2024-05-02T00:00:00Z", 200, "2024-05-01T00:00:00.0000000+00:00|2024-05-02T00:00:00.0000000Z")]
    [InlineData("/since?since=2024-05-01T10:30:00+02:00", 400, "The query parameter 'since' is not a valid DateTimeOffset.")]
    [InlineData("/since?since=May+1", 400, "The query parameter 'since' is not a valid DateTimeOffset.")]
    public async Task DateTimeOffset_query_values_keep_their_offset(string target, int status, string body)
    {
        // An unescaped '+' in a query string is a space (form encoding), so "+02:00" must be sent as "%2B02:00".
        var response = await CreateRouter().SendAsync("GET", target);
        Assert.Equal((status, body), (response.Status, response.Body));
    }

    [Theory]
    [InlineData("/day/2024-02-28", "2024-02-29")]
    [InlineData("/stamp", "2024-05-01T08:30:00.0000000Z")]
    [InlineData("/offset", "2024-05-01T10:30:00.0000000+02:00")]
    public async Task Date_results_are_written_in_the_form_routes_accept(string target, string body)
    {
        var response = await CreateRouter().SendAsync("GET", target);
        Assert.Equal((200, body, "text/plain; charset=utf-8"), (response.Status, response.Body, response.ContentType));
    }

    [Fact]
    public async Task Memory_of_bytes_is_sent_and_received_as_raw_bytes_not_base64_JSON()
    {
        var router = CreateRouter();
        var sent = await router.SendAsync("GET", "/memory");
        Assert.Equal((200, "ABC", "application/octet-stream"), (sent.Status, sent.Body, sent.ContentType));
        var received = await router.SendAsync("POST", "/memory", "12345");
        Assert.Equal((200, "5"), (received.Status, received.Body));
    }

    [Fact]
    public async Task A_generic_middleware_type_is_wired()
    {
        var response = await CreateRouter().SendAsync("GET", "/wrapped");
        Assert.Equal((200, "wrapped", "Marker"), (response.Status, response.Body, response.Header("X-Tag")));
    }

    [Theory]
    [InlineData("2024-05-01", true)]
    [InlineData("2024-05-01T10:30", true)]
    [InlineData("2024-05-01T10:30:59.1234567+14:00", true)]
    [InlineData("2024-05-01T10:30:59.12345678Z", false)]   // more than 7 fraction digits
    [InlineData("2024-05-01T10:30:59.Z", false)]
    [InlineData("2024-05-01T10:30:60", false)]
    [InlineData("2024-05-01T10", false)]
    [InlineData("2024-05-01T", false)]
    [InlineData("2024-05-01Z", false)]                       // an offset needs a time
    [InlineData("2024-05-01T10:30+0200", false)]
    [InlineData("2024-05-01T10:30+14:01", false)]
    [InlineData("0001-01-01T00:00+00:01", false)]            // before DateTime.MinValue in UTC
    [InlineData("9999-12-31T23:59:59.9999999-00:01", false)] // after DateTime.MaxValue in UTC
    [InlineData("0000-01-01", false)]
    [InlineData("2023-02-29", false)]
    [InlineData(" 2024-05-01", false)]
    [InlineData("２０２４-05-01", false)]                     // fullwidth digits
    public void Build_time_and_run_time_agree_on_date_times(string text, bool valid)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(text);
        Assert.Equal(valid, Kiln.Binding.ValueParser.TryParse(bytes, out DateTime _));
        Assert.Equal(valid, Kiln.Binding.ValueParser.TryParse(bytes, out DateTimeOffset _));
        foreach (var kind in new[] { Kiln.Generator.Routing.ValueKind.DateTime, Kiln.Generator.Routing.ValueKind.DateTimeOffset })
        {
            var type = Kiln.Generator.Routing.ValueType.Of(kind, "global::System." + kind, kind.ToString());
            Assert.Equal(valid ? Kiln.Generator.Routing.Acceptance.Yes : Kiln.Generator.Routing.Acceptance.No, Kiln.Generator.Routing.ValueOracle.Accepts(type, text));
        }
    }

    [Fact]
    public async Task Methods_with_only_warnings_are_still_routed()
    {
        var (result, output) = GeneratorHarness.Run("""
            namespace Api;

            public static class Warned
            {
                [Delete("/things/<id>")]
                public static string Remove(int id, [Body] string reason) => id + ":" + reason;   // KILN020

                [Get("/files/*")]
                public static string Star() => "star";                                             // KILN022

                [Get("/pages/<n>")]
                public static string Page(int n = 1) => "page " + n;                               // KILN023
            }
            """);
        Assert.Equal(new[] { "KILN020", "KILN022", "KILN023" }, result.Diagnostics.Select(d => d.Id).Order());
        Assert.All(result.Diagnostics, d => Assert.Equal(Microsoft.CodeAnalysis.DiagnosticSeverity.Warning, d.Severity));
        using var stream = new MemoryStream();
        Assert.True(output.Emit(stream).Success);
        var context = new System.Runtime.Loader.AssemblyLoadContext("kiln-warned", isCollectible: true);
        var router = GeneratorHarness.CreateRouter(context.LoadFromStream(new MemoryStream(stream.ToArray())), "Kiln.Generated.AppRouter");
        Assert.Equal((200, "7:gone"), await Answer(router.SendAsync("DELETE", "/things/7", "gone")));
        Assert.Equal((200, "star"), await Answer(router.SendAsync("GET", "/files/*")));
        Assert.Equal((200, "page 3"), await Answer(router.SendAsync("GET", "/pages/3")));
    }

    private static async Task<(int, string)> Answer(Task<TestResponse> response) => ((await response).Status, (await response).Body);

    [Fact]
    public async Task Class_level_Use_and_RateLimit_reach_derived_and_nested_classes()
    {
        var assembly = GeneratorHarness.Compile("""
            namespace Guard;

            public sealed class Auth : IMiddleware
            {
                public ValueTask<HttpResponse> InvokeAsync(Request request, Handler next) =>
                    request.Headers["X-Key"] is "k" ? next(request) : HttpResponse.Text("Unauthorized", 401);
            }

            [Use<Auth>]
            public abstract class AdminBase;

            public sealed class Admin : AdminBase
            {
                [Get("/admin/stats")] public string Stats() => "stats";
            }

            [Use<Auth>]
            public static class Api
            {
                public static class Users
                {
                    [Get("/api/users")] public static string List() => "users";
                }
            }

            [RateLimit(1, 1)]
            public abstract class LimitedBase;

            public sealed class Limited : LimitedBase
            {
                [Get("/limited")] public string Get() => "ok";
            }

            public static class Open
            {
                [Get("/open")] public static string Get() => "open";
            }
            """);
        var router = GeneratorHarness.CreateRouter(assembly, "Kiln.Generated.AppRouter",
            GeneratorHarness.New(assembly, "Guard.Admin"), GeneratorHarness.New(assembly, "Guard.Limited"), GeneratorHarness.New(assembly, "Guard.Auth"));
        Assert.Equal((401, "Unauthorized"), await Answer(router.SendAsync("GET", "/admin/stats")));
        Assert.Equal((200, "stats"), await Answer(router.SendAsync("GET", "/admin/stats", null, ("X-Key", "k"))));
        Assert.Equal((401, "Unauthorized"), await Answer(router.SendAsync("GET", "/api/users")));
        Assert.Equal((200, "users"), await Answer(router.SendAsync("GET", "/api/users", null, ("X-Key", "k"))));
        Assert.Equal((200, "open"), await Answer(router.SendAsync("GET", "/open")));
        Assert.Equal(200, (await router.SendAsync("GET", "/limited")).Status);
        Assert.Equal(429, (await router.SendAsync("GET", "/limited")).Status);
    }

    [Fact]
    public async Task Internal_route_classes_and_middleware_get_an_internal_constructor()
    {
        var assembly = GeneratorHarness.Compile("""
            namespace Inside;

            internal sealed class Things
            {
                [Get("/things"), Use<Audit>] public string Get() => "things";
            }

            internal sealed class Audit : IMiddleware
            {
                public async ValueTask<HttpResponse> InvokeAsync(Request request, Handler next) => (await next(request)).WithHeader("X-Audit", "yes");
            }
            """);
        var type = assembly.GetType("Kiln.Generated.AppRouter")!;
        Assert.True(type.IsPublic);
        var constructors = type.GetConstructors(System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic);
        var constructor = Assert.Single(constructors, c => c.GetParameters() is not [{ ParameterType: var p }] || p != typeof(IServiceProvider));
        Assert.True(constructor.IsAssembly, "the constructor takes internal types, so it is internal");
        Assert.True(Assert.Single(constructors, c => c != constructor).IsPublic, "the IServiceProvider constructor names no internal type, so it stays public");
        var router = (Router)constructor.Invoke(new[] { GeneratorHarness.New(assembly, "Inside.Things"), GeneratorHarness.New(assembly, "Inside.Audit") });
        var response = await router.SendAsync("GET", "/things");
        Assert.Equal((200, "things", "yes"), (response.Status, response.Body, response.Header("X-Audit")));
    }

    [Fact]
    public void Public_route_classes_keep_a_public_constructor()
    {
        var type = s_assembly.Value.GetType("Kiln.Generated.AppRouter")!;
        var constructors = type.GetConstructors();
        Assert.Equal(2, constructors.Length);   // the route classes and middleware, and IServiceProvider
        Assert.All(constructors, c => Assert.True(c.IsPublic));
    }
}

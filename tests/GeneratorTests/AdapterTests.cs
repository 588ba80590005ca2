using System.Net;
using Kiln.GeneratorTests.Infrastructure;

namespace Kiln.GeneratorTests;

/// <summary>Every parameter source and result kind, compiled through the real generator and called.</summary>
public class AdapterTests
{
    private const string Source = """
        using System.Net;
        using System.Text.Json.Serialization;
        namespace Api;

        public enum Tier { Free, Pro }
        public sealed record Point(int X, int Y);
        public sealed record Account(int Id, string Owner);
        public readonly record struct Money(decimal Amount);
        public sealed record Slug(string Value) : ISpanParsable<Slug>
        {
            public static Slug Parse(ReadOnlySpan<char> s, IFormatProvider? p) => TryParse(s, p, out var r) ? r : throw new FormatException();
            public static Slug Parse(string s, IFormatProvider? p) => Parse(s.AsSpan(), p);
            public static bool TryParse(ReadOnlySpan<char> s, IFormatProvider? p, out Slug result)
            {
                result = new Slug(s.ToString());
                return s.Length > 0 && !s.Contains('_');
            }
            public static bool TryParse(string? s, IFormatProvider? p, out Slug result) => TryParse(s.AsSpan(), p, out result!);
        }

        [JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web)]
        [JsonSerializable(typeof(Point))]
        [JsonSerializable(typeof(Account))]
        [JsonSerializable(typeof(Money))]
        [JsonSerializable(typeof(List<Account>))]
        internal partial class ApiJson : JsonSerializerContext;

        public static class Values
        {
            [Get("/route/<a>/<b>/<c>/<d>/<e>/<f>")]
            public static string Route(long a, Guid b, bool c, Tier d, DateOnly e, double f) => $"{a}|{b:N}|{c}|{d}|{e:yyyy-MM-dd}|{f}";

            [Get("/parsable/<slug>")]
            public static string Parsable(Slug slug) => slug.Value;

            [Get("/rest/<*path>")]
            public static string Rest(string path) => "[" + path + "]";

            [Get("/img/img-<id>.png")]
            public static string Image(int id) => "image " + id;

            [Get("/doc/<name>.<ext>")]
            public static string Doc(string name, string ext) => name + " / " + ext;

            [Get("/query")]
            public static string Query(int page, [Query("q")] string? search, [Query] int size = 20, int? maybe = null, Tier tier = Tier.Free) => $"{page}|{search ?? "-"}|{size}|{maybe?.ToString() ?? "-"}|{tier}";

            [Get("/query/many")]
            public static string Many(int[] id, List<string> tag) => string.Join(",", id) + ";" + string.Join(",", tag);

            [Get("/header")]
            public static string Header([Header("X-Count")] int count, [Header("X-Name")] string? name) => count + ":" + (name ?? "-");

            [Get("/special")]
            public static string Special(Request request, CancellationToken aborted, IPEndPoint? remote) => request.Method + "|" + aborted.CanBeCanceled + "|" + (remote is null ? "none" : "set");
        }

        public static class Bodies
        {
            [Post("/json")]
            public static Point Json(Point point) => point with { X = point.X + 1 };

            [Put("/text")]
            public static string Text([Body] string text) => text.ToUpperInvariant();

            [Post("/bytes")]
            public static int Bytes(byte[] data) => data.Length;

            [Post("/memory")]
            public static ReadOnlyMemory<byte> Memory(ReadOnlyMemory<byte> data) => data;

            [Post("/stream")]
            public static async Task<string> Stream(Stream body) => await new StreamReader(body).ReadToEndAsync();

            [Post("/money")]
            public static Money Money(Money money) => new(money.Amount * 2);

            [Patch("/optional")]
            public static string Optional([Body] Point? point) => point is null ? "none" : "some";
        }

        public static class Results
        {
            [Get("/void")] public static void Void() { }
            [Get("/task")] public static Task Task() => System.Threading.Tasks.Task.CompletedTask;
            [Get("/valuetask")] public static ValueTask ValueTask() => default;
            [Get("/bytes")] public static byte[] Bytes() => new byte[] { 65, 66 };
            [Get("/response")] public static HttpResponse Response() => HttpResponse.Text("teapot", 418).WithHeader("X-Kind", "custom");
            [Get("/json-list")] public static async ValueTask<List<Account>> List() { await System.Threading.Tasks.Task.Yield(); return new() { new(1, "ada") }; }
            [Get("/null")] public static Account? Null() => null;
            [Get("/stream")] public static BodyWriter Stream() => async (body, ct) => { await body.WriteAsync("chunk1,"u8.ToArray(), ct); await body.WriteAsync("chunk2"u8.ToArray(), ct); };
            [Get("/throws")] public static string Throws() => throw new InvalidOperationException("secret");
        }

        public sealed class Counter
        {
            private int _count;
            [Post("/count")] public int Next() => ++_count;

            // Instance method, body, awaited result: the continuation reaches the router's field through its state.
            [Post("/count/by")] public async ValueTask<int> Add([Body] string by) { await Task.Yield(); return _count += int.Parse(by); }
        }

        // Adapters that continue after a body or an awaited result (no async state machine in generated code).
        public static class Continued
        {
            [Post("/continued/<id>/<name>.<ext>")]
            public static async Task<string> Mixed(int id, [Body] string text, [Query] int times, string name, string ext, CancellationToken aborted)
            {
                await Task.Yield();
                return id + ":" + text + ":" + times + ":" + name + "." + ext + ":" + aborted.IsCancellationRequested;
            }

            [Put("/continued/response")]
            public static Task<HttpResponse> Response([Body] byte[] data) => Task.FromResult(HttpResponse.Text("got " + data.Length, 201));

            [Post("/continued/json")]
            public static async Task Json(Point point) { await Task.Yield(); if (point.X < 0) throw new ArgumentOutOfRangeException(nameof(point)); }

            [Get("/continued/fails")]
            public static async Task<string> Fails() { await Task.Yield(); throw new InvalidOperationException("late"); }
        }

        public sealed class Tagger(string tag) : IMiddleware
        {
            public async ValueTask<HttpResponse> InvokeAsync(Request request, Handler next) => (await next(request)).WithHeader("X-Tag", tag);
        }

        public sealed class Outer : IMiddleware
        {
            public async ValueTask<HttpResponse> InvokeAsync(Request request, Handler next)
            {
                request.Items["order"] = "outer";
                return await next(request);
            }
        }

        [Use<Outer>]
        public static class Guarded
        {
            [Get("/guarded"), Use<Tagger>]
            public static string Get(Request request) => (string)request.Items["order"]! + ">method";

            [Get("/limited"), RateLimit(1, 2)]
            public static string Limited() => "ok";
        }
        """;

    private static readonly Lazy<System.Reflection.Assembly> s_assembly = new(() => GeneratorHarness.Compile(Source));

    private static Router CreateRouter()
    {
        var assembly = s_assembly.Value;
        // Constructor order: instance route classes, then middleware types, each by full name.
        return GeneratorHarness.CreateRouter(assembly, "Kiln.Generated.AppRouter",
            GeneratorHarness.New(assembly, "Api.Counter"),
            GeneratorHarness.New(assembly, "Api.Outer"),
            GeneratorHarness.New(assembly, "Api.Tagger", "t1"));
    }

    [Theory]
    [InlineData("/route/-5/0f8fad5bcd9f4b0d9c2d8c8e8a6b3c1d/TRUE/pro/2024-02-29/1.5e2", 200, "-5|0f8fad5bcd9f4b0d9c2d8c8e8a6b3c1d|True|Pro|2024-02-29|150")]
    [InlineData("/route/1/0f8fad5b-cd9f-4b0d-9c2d-8c8e8a6b3c1d/false/Free/2024-01-01/0", 200, "1|0f8fad5bcd9f4b0d9c2d8c8e8a6b3c1d|False|Free|2024-01-01|0")]
    [InlineData("/route/1/not-a-guid/false/Free/2024-01-01/0", 404, "Not Found")]
    [InlineData("/route/1/0f8fad5bcd9f4b0d9c2d8c8e8a6b3c1d/yes/Free/2024-01-01/0", 404, "Not Found")]
    [InlineData("/route/1/0f8fad5bcd9f4b0d9c2d8c8e8a6b3c1d/true/Gold/2024-01-01/0", 404, "Not Found")]
    [InlineData("/route/1/0f8fad5bcd9f4b0d9c2d8c8e8a6b3c1d/true/Free/2024-02-30/0", 404, "Not Found")]
    [InlineData("/route/99999999999999999999/0f8fad5bcd9f4b0d9c2d8c8e8a6b3c1d/true/Free/2024-01-01/0", 404, "Not Found")]
    [InlineData("/parsable/hello", 200, "hello")]
    [InlineData("/parsable/no_underscores", 404, "Not Found")]
    [InlineData("/rest/a/b%2Fc/d", 200, "[a/b/c/d]")]
    [InlineData("/rest", 200, "[]")]
    [InlineData("/img/img-7.png", 200, "image 7")]
    [InlineData("/img/img-x.png", 404, "Not Found")]
    [InlineData("/doc/a.b.c", 200, "a.b / c")]
    [InlineData("/doc/caf%C3%A9.txt", 200, "café / txt")]
    public async Task Binds_route_values_by_type(string target, int status, string body)
    {
        var response = await CreateRouter().SendAsync("GET", target);
        Assert.Equal((status, body), (response.Status, response.Body));
    }

    [Theory]
    [InlineData("/query?page=2", 200, "2|-|20|-|Free")]
    [InlineData("/query?page=3&q=hello+world%21&size=5&maybe=7&tier=PRO", 200, "3|hello world!|5|7|Pro")]
    [InlineData("/query?page=%32&size=1%30&q=a+b", 200, "2|a b|10|-|Free")]
    [InlineData("/query?size=3&page=4&page=5", 200, "4|-|3|-|Free")]
    [InlineData("/query", 400, "Missing required query parameter 'page'.")]
    [InlineData("/query?page=two", 400, "The query parameter 'page' is not a valid int.")]
    [InlineData("/query?page=1&maybe=x", 400, "The query parameter 'maybe' is not a valid int.")]
    [InlineData("/query?page=99999999999", 400, "The query parameter 'page' is not a valid int.")]
    [InlineData("/query/many?id=1&tag=a&id=2&tag=b%20c", 200, "1,2;a,b c")]
    [InlineData("/query/many", 200, ";")]
    [InlineData("/query/many?id=1&id=x", 400, "The query parameter 'id' is not a valid int.")]
    public async Task Binds_query_values(string target, int status, string body)
    {
        var response = await CreateRouter().SendAsync("GET", target);
        Assert.Equal((status, body), (response.Status, response.Body));
    }

    [Fact]
    public async Task Binds_typed_and_optional_headers()
    {
        var router = CreateRouter();
        Assert.Equal("3:bob", (await router.SendAsync("GET", "/header", null, ("X-Count", "3"), ("x-name", "bob"))).Body);
        Assert.Equal("3:-", (await router.SendAsync("GET", "/header", null, ("X-Count", "3"))).Body);
        var missing = await router.SendAsync("GET", "/header");
        Assert.Equal((400, "Missing required header 'X-Count'."), (missing.Status, missing.Body));
        var invalid = await router.SendAsync("GET", "/header", null, ("X-Count", "many"));
        Assert.Equal((400, "The header 'X-Count' is not a valid int."), (invalid.Status, invalid.Body));
    }

    [Fact]
    public async Task Binds_the_request_the_abort_token_and_endpoints()
    {
        var response = await CreateRouter().SendAsync("GET", "/special");
        Assert.Equal("GET|False|none", response.Body);
    }

    [Theory]
    [InlineData("POST", "/json", "{\"x\":1,\"y\":2}", "application/json", 200, "{\"x\":2,\"y\":2}")]
    [InlineData("POST", "/json", "{\"x\":1,\"y\":2}", "text/plain", 415, "Expected a JSON body (Content-Type: application/json).")]
    [InlineData("POST", "/json", "{\"x\":", "application/json", 400, null)]
    [InlineData("POST", "/json", null, "application/json", 400, "The request body ('point') is required.")]
    [InlineData("POST", "/json", "null", "application/json", 400, "The request body ('point') is required.")]
    [InlineData("PUT", "/text", "shout", "text/plain", 200, "SHOUT")]
    [InlineData("POST", "/bytes", "12345", "application/octet-stream", 200, "5")]
    [InlineData("POST", "/memory", "echo", "application/octet-stream", 200, "echo")]
    [InlineData("POST", "/stream", "streamed", "text/plain", 200, "streamed")]
    [InlineData("POST", "/money", "{\"amount\":2.5}", "application/json; charset=utf-8", 200, "{\"amount\":5.0}")]
    [InlineData("PATCH", "/optional", null, "application/json", 200, "none")]
    [InlineData("PATCH", "/optional", "{\"x\":1,\"y\":1}", "application/json", 200, "some")]
    public async Task Binds_bodies(string method, string target, string? body, string contentType, int status, string? expected)
    {
        var response = await CreateRouter().SendAsync(method, target, body, ("Content-Type", contentType));
        Assert.Equal(status, response.Status);
        if (expected is not null) Assert.Equal(expected, response.Body);
        else Assert.StartsWith("The request body is not valid JSON", response.Body);
    }

    [Theory]
    [InlineData("/void", 204, "", null)]
    [InlineData("/task", 204, "", null)]
    [InlineData("/valuetask", 204, "", null)]
    [InlineData("/bytes", 200, "AB", "application/octet-stream")]
    [InlineData("/response", 418, "teapot", "text/plain; charset=utf-8")]
    [InlineData("/json-list", 200, "[{\"id\":1,\"owner\":\"ada\"}]", "application/json; charset=utf-8")]
    [InlineData("/null", 204, "", null)]
    [InlineData("/stream", 200, "chunk1,chunk2", "application/octet-stream")]
    public async Task Turns_results_into_responses(string target, int status, string body, string? contentType)
    {
        var response = await CreateRouter().SendAsync("GET", target);
        Assert.Equal((status, body, contentType), (response.Status, response.Body, response.ContentType));
    }

    [Fact]
    public async Task Lets_exceptions_from_user_code_reach_the_server()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => CreateRouter().SendAsync("GET", "/throws"));
        Assert.Equal("secret", error.Message);
    }

    [Fact]
    public async Task Calls_instance_methods_on_the_constructor_argument()
    {
        var router = CreateRouter();
        Assert.Equal("1", (await router.SendAsync("POST", "/count")).Body);
        Assert.Equal("2", (await router.SendAsync("POST", "/count")).Body);
    }

    [Fact]
    public async Task Runs_class_middleware_before_method_middleware()
    {
        var response = await CreateRouter().SendAsync("GET", "/guarded");
        Assert.Equal("outer>method", response.Body);
        Assert.Equal("t1", response.Header("X-Tag"));
    }

    [Fact]
    public async Task Rate_limits_a_route_with_RateLimit()
    {
        var router = CreateRouter();
        var statuses = new List<int>();
        for (int i = 0; i < 3; i++) statuses.Add((await router.SendAsync("GET", "/limited")).Status);
        Assert.Equal([200, 200, 429], statuses);
    }

    [Theory]
    [InlineData("POST", "/continued/7/report.pdf?times=3", "body", 200, "7:body:3:report.pdf:False")]
    [InlineData("POST", "/continued/7/report.pdf", "body", 400, "Missing required query parameter 'times'.")]
    [InlineData("POST", "/continued/7/report.pdf?times=x", "body", 400, "The query parameter 'times' is not a valid int.")]
    [InlineData("PUT", "/continued/response", "12345", 201, "got 5")]
    [InlineData("POST", "/continued/json", "{\"x\":1,\"y\":2}", 204, "")]
    [InlineData("POST", "/continued/json", null, 400, "The request body ('point') is required.")]
    public async Task Continues_after_a_body_and_an_awaited_result(string method, string target, string? body, int status, string expected)
    {
        var response = await CreateRouter().SendAsync(method, target, body, ("Content-Type", "application/json"));
        Assert.Equal((status, expected), (response.Status, response.Body));
    }

    [Fact]
    public async Task Continues_an_instance_method_after_its_body()
    {
        var router = CreateRouter();
        Assert.Equal("5", (await router.SendAsync("POST", "/count/by", "5")).Body);
        Assert.Equal("6", (await router.SendAsync("POST", "/count")).Body);
        Assert.Equal("8", (await router.SendAsync("POST", "/count/by", "2")).Body);
    }

    [Fact]
    public async Task Exceptions_after_an_await_reach_the_server()
    {
        var late = await Assert.ThrowsAsync<InvalidOperationException>(() => CreateRouter().SendAsync("GET", "/continued/fails"));
        Assert.Equal("late", late.Message);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => CreateRouter().SendAsync("POST", "/continued/json", "{\"x\":-1,\"y\":0}", ("Content-Type", "application/json")));
    }

    [Fact]
    public void Route_table_names_default_to_type_and_method()
    {
        var names = CreateRouter().Routes.Select(r => r.Name).ToList();
        Assert.Contains("Values.Route", names);
        Assert.Contains("Counter.Next", names);
    }
}

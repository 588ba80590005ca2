using BenchmarkDotNet.Attributes;
using Kiln.Benchmarks.Adapters;

namespace Kiln.Benchmarks;

/// <summary>
/// One request through the generated router's <c>RouteAsync</c>, as the server makes it: a reused
/// <see cref="Request"/> reset with <c>Request.Begin(method, target, version)</c> (what the connection does per
/// request line), then normalization, matching, binding, the user method and the <see cref="HttpResponse"/>.
/// Writing the response (status line, headers, JSON serialization) is the server's and is not included.
/// </summary>
[Config(typeof(BenchConfig))]
[MemoryDiagnoser]
[MinColumn, MedianColumn]
public class AdapterBenchmarks
{
    private Router _router = null!;
    private Request _request = null!;

    [GlobalSetup]
    public void Setup()
    {
        _router = new Kiln.Generated.AppRouter();
        _request = Request.Create("GET", "/");
        Check(Plaintext(), "Hello, World!");
        Check(JsonRecord(), null);
        if (JsonRecord().JsonValue is not Account { Id: 42 }) throw new InvalidOperationException("/accounts/42 did not bind id = 42");
        Check(QueryInt(), "items");
        Check(HeaderInt(), "limited");
        _request.Begin("GET"u8, "/items?limit=x"u8, HttpProtocolVersion.Http11);
        if (_router.RouteAsync(_request).Result.StatusCode != 400) throw new InvalidOperationException("/items?limit=x did not answer 400");
        RouterBenchmarks.Warm(() => { BeginOnly(); Plaintext(); JsonRecord(); QueryInt(); HeaderInt(); });
    }

    private static void Check(HttpResponse response, string? text)
    {
        if (response.StatusCode != 200 || (text is not null && response.TextBody != text))
            throw new InvalidOperationException($"Unexpected response {response.StatusCode} {response.TextBody}");
    }

    /// <summary>What every request pays before routing: resetting the reused request (for reference).</summary>
    [Benchmark(Description = "Request.Begin only")]
    public int BeginOnly()
    {
        _request.Begin("GET"u8, "/plaintext"u8, HttpProtocolVersion.Http11);
        return _request.RawPath.Length;
    }

    /// <summary>(a) GET /plaintext → string constant.</summary>
    [Benchmark(Description = "GET /plaintext (string)")]
    public HttpResponse Plaintext()
    {
        _request.Begin("GET"u8, "/plaintext"u8, HttpProtocolVersion.Http11);
        return _router.RouteAsync(_request).Result;
    }

    /// <summary>(b) GET /accounts/42 → <c>new Account(id, "x", 1m)</c> as JSON.</summary>
    [Benchmark(Description = "GET /accounts/42 (int route value → JSON record)")]
    public HttpResponse JsonRecord()
    {
        _request.Begin("GET"u8, "/accounts/42"u8, HttpProtocolVersion.Http11);
        return _router.RouteAsync(_request).Result;
    }

    /// <summary>(c) GET /items?limit=5 → <c>[Query] int limit</c> bound, string constant.</summary>
    [Benchmark(Description = "GET /items?limit=5 ([Query] int)")]
    public HttpResponse QueryInt()
    {
        _request.Begin("GET"u8, "/items?limit=5"u8, HttpProtocolVersion.Http11);
        return _router.RouteAsync(_request).Result;
    }

    /// <summary>(d) GET /limited with <c>X-Limit: 5</c> → <c>[Header("X-Limit")] int limit</c> bound, string constant.</summary>
    [Benchmark(Description = "GET /limited, X-Limit: 5 ([Header] int)")]
    public HttpResponse HeaderInt()
    {
        _request.Begin("GET"u8, "/limited"u8, HttpProtocolVersion.Http11);
        _request.Headers.Add("X-Limit"u8, "5"u8);
        return _router.RouteAsync(_request).Result;
    }
}

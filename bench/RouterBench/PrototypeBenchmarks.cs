using System.Text;
using BenchmarkDotNet.Attributes;
using Kiln.Binding;
using Kiln.Routing;

namespace Kiln.Benchmarks;

/// <summary>
/// Measurements behind the performance notes in docs/benchmarks.md: each group times the code before a change, the
/// code now (where main has made the change) and the small prototype that measured the suggestion, so gains are
/// measured rather than guessed. The prototypes live here only; nothing in src/ is changed.
/// </summary>
[Config(typeof(BenchConfig))]
[MemoryDiagnoser]
[MinColumn, MedianColumn]
public class PrototypeBenchmarks
{
    private const int N = GitHubRoutes.Count;

    private Request _request = null!;
    private byte[][] _paths = [];
    private string[] _methods = [];
    private RoutePath _route = null!;
    private byte[] _scratch = new byte[256];

    [GlobalSetup]
    public void Setup()
    {
        _request = Request.Create("GET", "/items?limit=5");
        var routes = GitHubRoutes.All;
        _paths = routes.Select(r => Encoding.UTF8.GetBytes(r.Path)).ToArray();
        _methods = routes.Select(r => r.Method).ToArray();
        _route = Request.Create("GET", "/").Route;
        if (QueryToday() != 5 || QueryNow() != 5 || QueryPrototype() != 5) throw new InvalidOperationException("query variants disagree");
        RouterBenchmarks.Warm(() => { QueryToday(); QueryNow(); QueryPrototype(); NormalizeToday(); NormalizeNow(); NormalizePrototype(); MethodSwitchToday(); MethodReferenceEquals(); });
    }

    /// <summary>The adapter code for <c>[Query] int limit</c> before main's 5d749a5: <c>Query["limit"]</c> (a string; its list of pairs is gone on main), then back to UTF-8 and parsed.</summary>
    [Benchmark(Baseline = true, Description = "query int: Query[\"limit\"] + Utf8 + TryParse (string path)")]
    public int QueryToday()
    {
        var raw = _request.Query["limit"];
        if (raw is null) return 10;
        return ValueParser.TryParse(Utf8(raw), out int limit) ? limit : -1;
    }

    /// <summary>The string → UTF-8 step that adapters took then (it was <c>ValueParser.Utf8</c>, a thread-static buffer).</summary>
    private static ReadOnlySpan<byte> Utf8(string text)
    {
        int max = Encoding.UTF8.GetMaxByteCount(text.Length);
        var buffer = t_buffer is { } b && b.Length >= max ? b : t_buffer = new byte[Math.Max(max, 64)];
        return buffer.AsSpan(0, Encoding.UTF8.GetBytes(text, buffer));
    }

    [ThreadStatic] private static byte[]? t_buffer;

    /// <summary>The adapter code since main's 5d749a5: <c>Query.TryGetUtf8</c> and the value bytes parsed.</summary>
    [Benchmark(Description = "query int: Query.TryGetUtf8 + TryParse (now)")]
    public int QueryNow()
    {
        if (!_request.Query.TryGetUtf8("limit", out var value)) return 10;
        return ValueParser.TryParse(value, out int limit) ? limit : -1;
    }

    /// <summary>The prototype that motivated it: find the key in the raw query bytes and parse the value bytes.</summary>
    [Benchmark(Description = "query int: span scan + TryParse (prototype)")]
    public int QueryPrototype()
    {
        var value = FindQueryValue(_request.Query.Raw, "limit"u8);
        if (value.IsEmpty) return 10;
        return ValueParser.TryParse(value, out int limit) ? limit : -1;
    }

    /// <summary>The first value of <paramref name="key"/> in a raw query (keys without '%'/'+'; a real version decodes into a stack buffer when needed).</summary>
    private static ReadOnlySpan<byte> FindQueryValue(ReadOnlySpan<byte> query, ReadOnlySpan<byte> key)
    {
        while (!query.IsEmpty)
        {
            int amp = query.IndexOf((byte)'&');
            var pair = amp < 0 ? query : query[..amp];
            if (pair.Length > key.Length && pair[key.Length] == '=' && pair.StartsWith(key)) return pair[(key.Length + 1)..];
            query = amp < 0 ? default : query[(amp + 1)..];
        }
        return default;
    }

    /// <summary>The normalization fast path before main's 5d749a5 used <c>RoutePath.TryGet</c> (scan, then a copy; main's NeedsWork now scans once).</summary>
    [Benchmark(OperationsPerInvoke = N, Description = "normalize: RoutePath.TryGet, copies (before)")]
    public int NormalizeToday()
    {
        int sum = 0;
        var route = _route;
        foreach (var raw in _paths)
        {
            route.Reset();
            route.TryGet(raw, out var path);
            sum += path.Length;
        }
        return sum;
    }

    /// <summary>What RouteAsync does since main's 5d749a5: <c>RoutePath.TryGetInPlace</c> on the request's target buffer.</summary>
    [Benchmark(OperationsPerInvoke = N, Description = "normalize: RoutePath.TryGetInPlace (now)")]
    public int NormalizeNow()
    {
        int sum = 0;
        var route = _route;
        foreach (var raw in _paths)
        {
            route.Reset();
            route.TryGetInPlace(raw, raw.Length, out var path);
            sum += path.Length;
        }
        return sum;
    }

    /// <summary>The prototype that motivated it: one scan for '%' or '.'; when neither occurs the raw bytes are the path (no copy).</summary>
    [Benchmark(OperationsPerInvoke = N, Description = "normalize: one IndexOfAny, no copy (prototype)")]
    public int NormalizePrototype()
    {
        int sum = 0;
        foreach (var raw in _paths)
        {
            ReadOnlySpan<byte> path = raw;
            if (path.IsEmpty || path[0] != '/' || path.IndexOfAny((byte)'%', (byte)'.') >= 0)
            {
                // The slow path (today's NeedsWork + Normalize) would run here; none of the GitHub paths needs it
                // except those with a '.' inside a segment, which today's second scan also looks at.
                path.CopyTo(_scratch);
                path = _scratch.AsSpan(0, path.Length);
            }
            sum += path.Length;
        }
        return sum;
    }

    /// <summary>The generated matcher's method dispatch as emitted today: a C# <c>switch</c> on the method string.</summary>
    [Benchmark(OperationsPerInvoke = N, Description = "method dispatch: switch on string (today)")]
    public int MethodSwitchToday()
    {
        int sum = 0;
        foreach (var method in _methods) sum += SwitchOnString(method);
        return sum;
    }

    /// <summary>Prototype: reference comparisons with the interned method constants, as Router.NoRoute already does.</summary>
    [Benchmark(OperationsPerInvoke = N, Description = "method dispatch: ReferenceEquals (prototype)")]
    public int MethodReferenceEquals()
    {
        int sum = 0;
        foreach (var method in _methods) sum += SwitchOnReference(method);
        return sum;
    }

    // The shape of a generated leaf with four methods (the GitHub set's most common case is one to three).
    private static int SwitchOnString(string method)
    {
        switch (method)
        {
            case "GET":
            case "HEAD":
                return 1;
            case "POST":
                return 2;
            case "PUT":
                return 3;
            case "DELETE":
                return 4;
            default:
                return -2;
        }
    }

    private static int SwitchOnReference(string method)
    {
        if (ReferenceEquals(method, HttpMethods.Get) || ReferenceEquals(method, HttpMethods.Head)) return 1;
        if (ReferenceEquals(method, HttpMethods.Post)) return 2;
        if (ReferenceEquals(method, HttpMethods.Put)) return 3;
        if (ReferenceEquals(method, HttpMethods.Delete)) return 4;
        return -2;   // a custom (non-interned) method would fall back to a string switch here
    }
}

using System.Text.Json.Serialization;

namespace Kiln.Benchmarks;

public sealed record Message(string message);
public sealed record HistoryEntry(int Account, decimal Amount, string Kind);

// camelCase, as ASP.NET Core's web defaults write it, so both servers send identical bytes.
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(Message))]
[JsonSerializable(typeof(HistoryEntry[]))]
public sealed partial class BenchJson : JsonSerializerContext;

/// <summary>
/// A hand-written router with the benchmark's routes, matching raw path bytes the way the generated trie does
/// (no strings, no allocation). It stands in for the generated router until the bench switches to it.
/// </summary>
public sealed class BenchRouter : Router
{
    private static readonly Message Hello = new("Hello, World!");

    public override IReadOnlyList<Endpoint> Routes { get; } = [];

    public override ValueTask<HttpResponse> RouteAsync(Request request)
    {
        var path = request.RawPath;
        bool get = ReferenceEquals(request.Method, HttpMethods.Get) || ReferenceEquals(request.Method, HttpMethods.Head);
        if (path.SequenceEqual("/plaintext"u8))
            return get ? HttpResponse.Text("Hello, World!", 200, "text/plain") : NotAllowed(request, "GET, HEAD");
        if (path.SequenceEqual("/json"u8))
            return get ? HttpResponse.Json(Hello, BenchJson.Default.Message) : NotAllowed(request, "GET, HEAD");
        // /accounts/{id:int}/history
        if (path.StartsWith("/accounts/"u8) && path.EndsWith("/history"u8) && path.Length > "/accounts//history".Length
            && int.TryParse(path["/accounts/".Length..^"/history".Length], out int id))
            return get ? HttpResponse.Json(new[] { new HistoryEntry(id, 10.5m, "deposit"), new HistoryEntry(id, -3m, "fee") }, BenchJson.Default.HistoryEntryArray)
                : NotAllowed(request, "GET, HEAD");
        return NotFound();
    }
}

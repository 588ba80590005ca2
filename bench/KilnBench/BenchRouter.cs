using System.Text.Json.Serialization;

namespace Kiln.LoadBench;

public sealed record Message(string message);
public sealed record HistoryEntry(int Account, decimal Amount, string Kind);

// camelCase, as ASP.NET Core's web defaults write it, so both servers send identical bytes.
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(Message))]
[JsonSerializable(typeof(HistoryEntry[]))]
public sealed partial class BenchJson : JsonSerializerContext;

/// <summary>The benchmark's routes as ordinary Kiln route methods; the generator emits <c>BenchRouter</c>.</summary>
public static class BenchRoutes
{
    private static readonly Message Hello = new("Hello, World!");

    [Get("/plaintext")]
    public static HttpResponse Plaintext() => HttpResponse.Text("Hello, World!", "text/plain");

    [Get("/json")]
    public static Message Json() => Hello;

    [Get("/accounts/<id>/history")]
    public static HistoryEntry[] History(int id) => [new HistoryEntry(id, 10.5m, "deposit"), new HistoryEntry(id, -3m, "fee")];
}

/// <summary>The generated router for <see cref="BenchRoutes"/>.</summary>
[Router]
public sealed partial class BenchRouter;

using System.Text.Json.Serialization;

namespace Kiln.Benchmarks.Adapters;

/// <summary>A small JSON result.</summary>
public sealed record Account(int Id, string Name, decimal Balance);

/// <summary>The serialization metadata the generated adapter uses (source-generated, no reflection).</summary>
[JsonSerializable(typeof(Account))]
internal sealed partial class AdapterJson : JsonSerializerContext;

/// <summary>
/// The endpoints of the adapter benchmark. Kiln's generator runs on this project at build time (it is referenced
/// as an analyzer), so <c>Kiln.Generated.AppRouter</c> in this assembly is exactly what a user's build produces.
/// </summary>
public static class AdapterEndpoints
{
    /// <summary>(a) Plaintext: a string constant.</summary>
    [Get("/plaintext")]
    public static string Plaintext() => "Hello, World!";

    /// <summary>(b) An <c>int</c> route value and a small JSON record.</summary>
    [Get("/accounts/<id>")]
    public static Account GetAccount(int id) => new(id, "x", 1m);

    /// <summary>(c) A query-bound <c>int</c> with a default, and a string constant.</summary>
    [Get("/items")]
    public static string Items([Query] int limit = 10) => "items";

    /// <summary>(d) A header-bound <c>int</c>, and a string constant.</summary>
    [Get("/limited")]
    public static string Limited([Header("X-Limit")] int limit) => "limited";
}

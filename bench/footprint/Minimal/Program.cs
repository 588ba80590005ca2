// The minimal Kiln app of the footprint benchmark: GET /plaintext and GET /json, nothing else.
using System.Text.Json.Serialization;
using Kiln;
using Kiln.Generated;

await using var server = new HttpServer(new AppRouter(), ServerOptions.FromArgs(args));
await server.RunAsync();

/// <summary>The two routes; the same bytes as the ASP.NET Core app next door.</summary>
public static class Routes
{
    private static readonly Message Hello = new("Hello, World!");

    [Get("/plaintext")]
    public static string Plaintext() => "Hello, World!";

    [Get("/json")]
    public static Message Json() => Hello;
}

/// <summary>The JSON body.</summary>
public sealed record Message(string message);

[JsonSerializable(typeof(Message))]
internal sealed partial class AppJson : JsonSerializerContext;

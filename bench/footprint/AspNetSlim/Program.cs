// The ASP.NET Core baseline of the footprint benchmark: CreateSlimBuilder, GET /plaintext and GET /json.
using System.Text.Json.Serialization;

var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, AppJson.Default));
var app = builder.Build();

var hello = new Message("Hello, World!");
app.MapGet("/plaintext", () => "Hello, World!");
app.MapGet("/json", () => hello);

app.Run();

public sealed record Message(string message);

[JsonSerializable(typeof(Message))]
internal sealed partial class AppJson : JsonSerializerContext;

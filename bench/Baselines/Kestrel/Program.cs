// Kestrel minimal-API baseline for bench/load/run.sh: the same three routes as bench/KilnBench.
using System.Text.Json.Serialization;

var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, BenchJson.Default));
var app = builder.Build();

app.MapGet("/plaintext", () => Results.Text("Hello, World!", "text/plain"));
app.MapGet("/json", () => new Message("Hello, World!"));
app.MapGet("/accounts/{id:int}/history", (int id) => new[] { new HistoryEntry(id, 10.5m, "deposit"), new HistoryEntry(id, -3m, "fee") });

app.Run();

public sealed record Message(string message);
public sealed record HistoryEntry(int Account, decimal Amount, string Kind);

[JsonSerializable(typeof(Message))]
[JsonSerializable(typeof(HistoryEntry[]))]
public sealed partial class BenchJson : JsonSerializerContext;

using System.Text.Json;
using System.Text.Json.Serialization;

namespace KilnApi._1;

/// <summary>
/// JSON metadata, generated at build time, for every type the API reads or writes (web defaults: camelCase).
/// Kiln serializes through it: no reflection, so the app publishes with NativeAOT. A route that returns or reads
/// a type missing here is a build error (KILN012).
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(Todo))]
[JsonSerializable(typeof(List<Todo>))]
[JsonSerializable(typeof(NewTodo))]
public sealed partial class AppJson : JsonSerializerContext;

using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Kiln.Http;

/// <summary>
/// Deserializes a buffered JSON request body, and turns a failure into a 400 that says what went wrong: not JSON
/// at all, or JSON of the wrong shape for the expected type — keeping the serializer's whole message (the type it
/// could not convert to, the JSON path, line and byte position).
/// </summary>
internal static class JsonBody
{
    public static T? Deserialize<T>(in ReadOnlySequence<byte> json, JsonTypeInfo<T> typeInfo)
    {
        var options = ReaderOptions(typeInfo.Options);
        try
        {
            var reader = new Utf8JsonReader(json, options);
            var value = JsonSerializer.Deserialize(ref reader, typeInfo);
            // Deserialize stops after one value; anything but whitespace after it makes the body invalid JSON.
            reader.Read();
            return value;
        }
        catch (JsonException e)
        {
            throw IsWellFormed(json, options)
                ? new BadHttpRequestException($"The request body is JSON, but not a valid {typeInfo.Type.Name}: {e.Message}")
                : new BadHttpRequestException($"The request body is not valid JSON: {e.Message}");
        }
    }

    /// <summary>Whether <paramref name="json"/> is one syntactically valid JSON value (what the type wanted aside).</summary>
    private static bool IsWellFormed(in ReadOnlySequence<byte> json, JsonReaderOptions options)
    {
        try
        {
            var reader = new Utf8JsonReader(json, options);
            if (!reader.Read()) return false;
            reader.Skip();
            return !reader.Read();
        }
        catch (JsonException)
        {
            return false;
        }
    }

    // The reader settings the serializer would use for these options.
    private static JsonReaderOptions ReaderOptions(JsonSerializerOptions options) => new()
    {
        AllowTrailingCommas = options.AllowTrailingCommas,
        CommentHandling = options.ReadCommentHandling,
        MaxDepth = options.MaxDepth,
    };
}

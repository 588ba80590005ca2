using Kiln.Routing;

namespace Kiln.Binding;

/// <summary>Helpers generated adapters call: pattern splitting and the 400 answers for values that fail to bind.</summary>
public static class Bind
{
    /// <summary>400: a required value is missing.</summary>
    /// <param name="source">"query parameter", "header", "body".</param>
    /// <param name="name">The key or header name.</param>
    /// <returns>The response.</returns>
    public static HttpResponse Missing(string source, string name) => HttpResponse.BadRequest($"Missing required {source} '{name}'.");

    /// <summary>400: a value does not parse as its type.</summary>
    /// <param name="source">"query parameter", "header", "route value".</param>
    /// <param name="name">The key or header name.</param>
    /// <param name="type">The expected type, for the message.</param>
    /// <returns>The response.</returns>
    public static HttpResponse Invalid(string source, string name, string type) => HttpResponse.BadRequest($"The {source} '{name}' is not a valid {type}.");

    /// <summary>400: a required body is missing.</summary>
    /// <param name="name">The parameter name.</param>
    /// <returns>The response.</returns>
    public static HttpResponse MissingBody(string name) => HttpResponse.BadRequest($"The request body ('{name}') is required.");

    /// <summary>
    /// Peels the rightmost parameter off a pattern segment: finds the last <paramref name="separator"/> in
    /// <c>segment[start..end]</c> that leaves both sides non-empty; the text after it is the value.
    /// </summary>
    /// <param name="segment">The segment.</param>
    /// <param name="start">Where the pattern's parameters start (after the prefix).</param>
    /// <param name="end">Where the current parameter ends; on success, where the separator starts.</param>
    /// <param name="separator">The literal between this parameter and the previous one.</param>
    /// <param name="value">The parameter's range.</param>
    /// <returns>Whether a separator was found.</returns>
    public static bool PeelRight(ReadOnlySpan<byte> segment, int start, ref int end, ReadOnlySpan<byte> separator, out Range value)
    {
        value = default;
        int from = start + 1, to = end - 1;        // leave at least one byte on each side
        if (to - from < separator.Length) return false;
        int found = segment[from..to].LastIndexOf(separator);
        if (found < 0) return false;
        found += from;
        value = (found + separator.Length)..end;
        end = found;
        return true;
    }

    /// <summary>Decodes a route value to a string (<c>%2F</c> and <c>%25</c> back to <c>/</c> and <c>%</c>).</summary>
    /// <param name="value">The value bytes.</param>
    /// <returns>The string.</returns>
    public static string String(ReadOnlySpan<byte> value) => RoutePath.Decode(value);
}

namespace Kiln.Generator.Model
{
    /// <summary>What JSON a type is written as, for its JSON Schema.</summary>
    internal enum JsonShapeKind { Any, Object, Array, Dictionary, String, Integer, Number, Boolean }

    /// <summary>One property of an object as System.Text.Json writes it (name after the context's naming policy).</summary>
    /// <param name="Name">The JSON name.</param>
    /// <param name="TypeName">The property's type, fully qualified (its shape is in the same context's list).</param>
    /// <param name="IsNullable">Whether it may be null.</param>
    /// <param name="IsRequired">Whether deserialization requires it (<c>required</c> or <c>[JsonRequired]</c>).</param>
    /// <param name="Description">Its XML doc summary, as plain text.</param>
    internal sealed record JsonPropertyShape(string Name, string TypeName, bool IsNullable, bool IsRequired, string? Description);

    /// <summary>
    /// The JSON shape of one type as a <c>JsonSerializerContext</c> serializes it — enough for a JSON Schema. Objects
    /// list their properties; arrays and dictionaries name their element type; primitives carry a format.
    /// </summary>
    /// <param name="TypeName">The type, fully qualified (the key).</param>
    /// <param name="ShortName">A readable name for the schema component (<c>Account</c>, <c>PageOfAccount</c>).</param>
    /// <param name="Kind">The JSON kind.</param>
    /// <param name="Format">The JSON Schema format (<c>int32</c>, <c>uuid</c>, <c>date-time</c>…), if any.</param>
    /// <param name="Element">For arrays and dictionaries, the element type.</param>
    /// <param name="EnumValues">For enums written as strings, the names; for enums written as numbers, empty.</param>
    /// <param name="Properties">For objects, the properties in declaration order.</param>
    /// <param name="Description">The type's XML doc summary, as plain text.</param>
    internal sealed record JsonShape(
        string TypeName,
        string ShortName,
        JsonShapeKind Kind,
        string? Format,
        string? Element,
        EquatableArray<string> EnumValues,
        EquatableArray<JsonPropertyShape> Properties,
        string? Description);

    /// <summary>Every type reachable from one context's <c>[JsonSerializable]</c> types, shaped by that context's options.</summary>
    internal sealed record JsonContextShapes(string ContextType, EquatableArray<JsonShape> Shapes);

    /// <summary>A <c>[Produces]</c> declaration.</summary>
    internal sealed record ProducesModel(int Status, string? TypeName, string? ContentType, string? Description);

    /// <summary>What the OpenAPI document says about one route method besides what the router model has: its docs and declared responses.</summary>
    /// <param name="Key">The method, as <see cref="OperationDocs.KeyOf"/> names a <see cref="RouteMethod"/>.</param>
    /// <param name="Summary">The XML doc summary, as plain text.</param>
    /// <param name="Description">The XML doc remarks, as plain text.</param>
    /// <param name="ParameterDocs">Parameter descriptions, "name=text" pairs in parameter order.</param>
    /// <param name="Produces">The declared responses.</param>
    internal sealed record OperationDocs(string Key, string? Summary, string? Description, EquatableArray<string> ParameterDocs, EquatableArray<ProducesModel> Produces)
    {
        public static string KeyOf(string containingType, string methodName, System.Collections.Generic.IEnumerable<string> parameterNames) =>
            containingType + "." + methodName + "(" + string.Join(",", parameterNames) + ")";

        public static string KeyOf(RouteMethod method) => KeyOf(method.ContainingType, method.MethodName, System.Linq.Enumerable.Select(method.Parameters, p => p.Name));

        /// <summary>The description of parameter <paramref name="name"/>, if documented.</summary>
        public string? ParameterDoc(string name)
        {
            foreach (var entry in ParameterDocs)
                if (entry.StartsWith(name + "=", System.StringComparison.Ordinal)) return entry.Substring(name.Length + 1);
            return null;
        }
    }

    /// <summary>Everything the OpenAPI document is built from besides the router: the project's title and version, operation docs, JSON shapes.</summary>
    internal sealed record OpenApiInputs(string Title, string Version, EquatableArray<OperationDocs> Operations, EquatableArray<JsonContextShapes> Contexts);
}

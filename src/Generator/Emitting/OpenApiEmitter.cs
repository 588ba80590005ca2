using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using Kiln.Generator.Model;
using Kiln.Generator.Routing;

namespace Kiln.Generator.Emitting
{
    /// <summary>
    /// Emits <c>OpenApiJson</c>: the OpenAPI 3.1 document of the router, written at build time from the router model
    /// (paths, operations, parameters with JSON Schema from their types, request bodies and responses), the methods'
    /// doc comments and <c>[Produces]</c> attributes, and the JSON shapes of the project's <c>JsonSerializerContext</c>s.
    /// A <c>const</c>, so an app that never reads it carries none of it.
    /// </summary>
    internal static class OpenApiEmitter
    {
        public static string Emit(RouterModel router, OpenApiInputs inputs)
        {
            string json = Document(router, inputs);
            var w = new SourceWriter();
            w.Lines(Names.Header).Line();
            if (router.Namespace is not null) w.Open("namespace " + router.Namespace);
            w.Open("partial class " + router.ClassName);
            w.Line("/// <summary>");
            w.Line("/// The OpenAPI 3.1 document of this router's routes, written at build time (docs/openapi.md). Serve it with");
            w.Line("/// <c>server.UseOpenApi(" + router.ClassName + ".OpenApiJson, \"/openapi.json\")</c>; a constant, so an app that never uses it carries none of it.");
            w.Line("/// </summary>");
            string quotes = new string('"', System.Math.Max(3, LongestQuoteRun(json) + 1));
            w.Line("public const string OpenApiJson = " + quotes);
            foreach (var line in json.Split('\n')) w.Line(line);
            w.Line(quotes + ";");
            w.Close();
            if (router.Namespace is not null) w.Close();
            return w.ToString();
        }

        private static int LongestQuoteRun(string text)
        {
            int longest = 0, run = 0;
            foreach (char c in text)
            {
                run = c == '"' ? run + 1 : 0;
                if (run > longest) longest = run;
            }
            return longest;
        }

        /// <summary>The document as indented JSON.</summary>
        internal static string Document(RouterModel router, OpenApiInputs inputs)
        {
            var schemas = new SchemaSet(router, inputs);
            var paths = new JsonObject();
            var operationIds = new HashSet<string>(System.StringComparer.Ordinal);
            foreach (var pathItem in router.OpenApiPaths)
            {
                // Every operation names its path parameters as the path does (OpenApiPaths: the first route's names).
                var names = OpenApiPaths.ParameterNames(router.Routes[pathItem.Routes[0]].Template);
                var item = new JsonObject();
                foreach (int id in pathItem.Routes)
                {
                    var route = router.Routes[id];
                    var method = router.Methods[route.MethodIndex];
                    var docs = inputs.Operations.FirstOrDefault(o => o.Key == OperationDocs.KeyOf(method));
                    item.Add(route.HttpMethod.ToLowerInvariant(), Operation(route, method, docs, schemas, operationIds, names));
                }
                paths.Add(pathItem.Path, item);
            }
            var document = new JsonObject()
                .Add("openapi", "3.1.0")
                .Add("info", new JsonObject().Add("title", inputs.Title.Length > 0 ? inputs.Title : router.ClassName).Add("version", inputs.Version.Length > 0 ? inputs.Version : "1.0.0"))
                .Add("paths", paths);
            if (schemas.Components.Count > 0) document.Add("components", new JsonObject().Add("schemas", schemas.Components));
            var sb = new StringBuilder();
            Write(sb, document, 0);
            return sb.ToString();
        }

        private static JsonObject Operation(RouteModel route, RouteMethod method, OperationDocs? docs, SchemaSet schemas, HashSet<string> operationIds,
            List<string> pathNames)
        {
            var operation = new JsonObject();
            string id = method.ContainingTypeName + "_" + method.MethodName;
            if (method.Routes.Count > 1)
                id += "_" + (route.Name != method.DisplayName && IsIdPart(route.Name) ? route.Name : route.HttpMethod.ToLowerInvariant() + (method.Routes.ToList().FindIndex(r => r.HttpMethod == route.HttpMethod && r.Template.Text == route.Template.Text) + 1));
            string unique = id;
            for (int i = 2; !operationIds.Add(unique); i++) unique = id + "_" + i;
            operation.Add("tags", new List<object?> { method.ContainingTypeName });
            if (docs?.Summary is { } summary) operation.Add("summary", summary);
            if (docs?.Description is { } description) operation.Add("description", description);
            operation.Add("operationId", unique);

            var parameters = new List<object?>();
            var catchAll = route.Template.HasCatchAll ? route.Template.Segments[route.Template.Segments.Count - 1].Parts[0].Text : null;
            var parts = route.Template.Segments.SelectMany(s => s.Parts).Where(p => p.IsParameter).ToList();
            for (int i = 0; i < parts.Count; i++)
            {
                var part = parts[i];
                var p = method.Parameter(part.Text);
                string? doc = docs?.ParameterDoc(p.Name);
                if (part.Text == catchAll)
                    doc = (doc is null ? "" : doc + " ") + "The rest of the path (a catch-all): it may contain '/' and may be empty.";
                parameters.Add(Parameter(pathNames[i], "path", true, ValueSchema(p.Value!), doc));
            }
            foreach (var p in method.Parameters.Where(p => p.Source is ParameterSource.Query or ParameterSource.Header))
            {
                var schema = ValueSchema(p.Value!);
                if (p.Collection is not null) schema = new JsonObject().Add("type", "array").Add("items", schema);
                else if (p.DefaultValue is { } value && JsonDefault(value, p.Value!) is { } defaultValue) schema.Add("default", defaultValue);
                bool required = !p.IsOptional && p.Collection is null;
                parameters.Add(Parameter(p.Key, p.Source == ParameterSource.Query ? "query" : "header", required, schema, docs?.ParameterDoc(p.Name)));
            }
            if (parameters.Count > 0) operation.Add("parameters", parameters);

            if (method.Parameters.FirstOrDefault(p => p.Source == ParameterSource.Body) is { } body)
            {
                var (mediaType, schema) = body.Body switch
                {
                    BodyKind.Json => ("application/json", schemas.For(body.TypeName)),
                    BodyKind.String => ("text/plain", new JsonObject().Add("type", "string")),
                    _ => ("application/octet-stream", new JsonObject().Add("type", "string").Add("contentMediaType", "application/octet-stream")),
                };
                var requestBody = new JsonObject();
                if (docs?.ParameterDoc(body.Name) is { } doc) requestBody.Add("description", doc);
                requestBody.Add("required", !body.IsOptional);
                requestBody.Add("content", new JsonObject().Add(mediaType, new JsonObject().Add("schema", schema)));
                operation.Add("requestBody", requestBody);
            }

            operation.Add("responses", Responses(method, docs, schemas));
            return operation;
        }

        private static bool IsIdPart(string name) => name.Length > 0 && name.All(c => char.IsLetterOrDigit(c) || c == '_' || c == '-' || c == '.');

        private static JsonObject Parameter(string name, string location, bool required, JsonObject schema, string? description)
        {
            var parameter = new JsonObject().Add("name", name).Add("in", location);
            if (description is not null) parameter.Add("description", description);
            return parameter.Add("required", required).Add("schema", schema);
        }

        private static JsonObject Responses(RouteMethod method, OperationDocs? docs, SchemaSet schemas)
        {
            var responses = new JsonObject();
            var result = method.Result;
            void Content(int status, string mediaType, JsonObject schema) =>
                responses.Add(status.ToString(CultureInfo.InvariantCulture), new JsonObject().Add("description", Reason(status))
                    .Add("content", new JsonObject().Add(mediaType, new JsonObject().Add("schema", schema))));
            void Empty(int status, string? description = null) =>
                responses.Add(status.ToString(CultureInfo.InvariantCulture), new JsonObject().Add("description", description ?? Reason(status)));

            switch (result.Kind)
            {
                case ResultKind.Void:
                    Empty(204);
                    break;
                case ResultKind.String:
                    Content(200, "text/plain", new JsonObject().Add("type", "string"));
                    break;
                case ResultKind.Bytes:
                case ResultKind.Memory:
                case ResultKind.BodyWriter:
                    Content(200, "application/octet-stream", new JsonObject().Add("type", "string").Add("contentMediaType", "application/octet-stream"));
                    break;
                case ResultKind.Formatted:
                    Content(200, "text/plain", new JsonObject().Add("type", "string"));
                    break;
                case ResultKind.Json:
                    Content(200, "application/json", schemas.For(result.TypeName!));
                    break;
                case ResultKind.Response:
                    foreach (var produces in (docs?.Produces ?? EquatableArray<ProducesModel>.Empty).OrderBy(p => p.Status))
                    {
                        string key = produces.Status.ToString(CultureInfo.InvariantCulture);
                        if (responses.Contains(key)) continue;
                        var response = new JsonObject().Add("description", produces.Description ?? Reason(produces.Status));
                        if (produces.TypeName is not null)
                        {
                            string mediaType = produces.ContentType ?? "application/json";
                            var schema = mediaType.Contains("json") ? schemas.For(produces.TypeName) : new JsonObject().Add("type", "string");
                            response.Add("content", new JsonObject().Add(mediaType, new JsonObject().Add("schema", schema)));
                        }
                        responses.Add(key, response);
                    }
                    if (responses.Count == 0) responses.Add("default", new JsonObject().Add("description", "The response is not declared: add [Produces(status, typeof(T))] to the method."));
                    break;
            }
            // A parameter that is missing or does not parse is answered 400.
            if (method.Parameters.Any(p => p.Source is ParameterSource.Query or ParameterSource.Header or ParameterSource.Body) && !responses.Contains("400"))
                Empty(400, "Bad Request (a parameter is missing or does not parse)");
            return responses.Sorted();
        }

        private static string Reason(int status) => status switch
        {
            200 => "OK", 201 => "Created", 202 => "Accepted", 204 => "No Content", 301 => "Moved Permanently", 302 => "Found",
            303 => "See Other", 304 => "Not Modified", 307 => "Temporary Redirect", 308 => "Permanent Redirect", 400 => "Bad Request",
            401 => "Unauthorized", 403 => "Forbidden", 404 => "Not Found", 405 => "Method Not Allowed", 409 => "Conflict",
            410 => "Gone", 412 => "Precondition Failed", 413 => "Content Too Large", 415 => "Unsupported Media Type",
            422 => "Unprocessable Content", 429 => "Too Many Requests", 500 => "Internal Server Error", 503 => "Service Unavailable",
            _ => "Status " + status.ToString(CultureInfo.InvariantCulture),
        };

        /// <summary>A C# default value as JSON, when it is a plain number, boolean or string literal.</summary>
        private static object? JsonDefault(string csharp, ValueType type)
        {
            if (csharp is "true" or "false") return csharp == "true";
            if (csharp.StartsWith("(", System.StringComparison.Ordinal) && csharp.IndexOf(')') is int close && close > 0 && type.Kind != ValueKind.Enum)
                csharp = csharp.Substring(close + 1);   // "(global::System.Int32)50"
            if (type.IsInteger && long.TryParse(csharp, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long integer)) return integer;
            if (type.IsFloat && double.TryParse(csharp.TrimEnd('d', 'D', 'f', 'F', 'm', 'M'), NumberStyles.Float, CultureInfo.InvariantCulture, out _)) return new RawJson(csharp.TrimEnd('d', 'D', 'f', 'F', 'm', 'M'));
            if (type.Kind == ValueKind.String && csharp.Length >= 2 && csharp[0] == '"' && csharp[csharp.Length - 1] == '"' && csharp.IndexOf('\\') < 0) return csharp.Substring(1, csharp.Length - 2);
            return null;
        }

        /// <summary>The JSON Schema of a route, query or header value (as text: enums by name, dates as ISO 8601).</summary>
        internal static JsonObject ValueSchema(ValueType type)
        {
            var schema = new JsonObject();
            switch (type.Kind)
            {
                case ValueKind.SByte: case ValueKind.Byte: case ValueKind.Int16: case ValueKind.UInt16: case ValueKind.Int32:
                    schema.Add("type", "integer").Add("format", "int32");
                    break;
                case ValueKind.UInt32: case ValueKind.Int64:
                    schema.Add("type", "integer").Add("format", "int64");
                    break;
                case ValueKind.UInt64: case ValueKind.Int128: case ValueKind.UInt128:
                    schema.Add("type", "integer");
                    break;
                case ValueKind.Double: schema.Add("type", "number").Add("format", "double"); break;
                case ValueKind.Single: schema.Add("type", "number").Add("format", "float"); break;
                case ValueKind.Decimal: schema.Add("type", "number"); break;
                case ValueKind.Bool: schema.Add("type", "boolean"); break;
                case ValueKind.Guid: schema.Add("type", "string").Add("format", "uuid"); break;
                case ValueKind.DateOnly: schema.Add("type", "string").Add("format", "date"); break;
                case ValueKind.DateTime: case ValueKind.DateTimeOffset: schema.Add("type", "string").Add("format", "date-time"); break;
                case ValueKind.Enum: schema.Add("type", "string").Add("enum", type.EnumNames.Cast<object?>().ToList()); break;
                default: schema.Add("type", "string"); break;
            }
            if (type.Kind is ValueKind.SByte) schema.Add("minimum", (long)sbyte.MinValue).Add("maximum", (long)sbyte.MaxValue);
            if (type.Kind is ValueKind.Byte) schema.Add("minimum", 0L).Add("maximum", (long)byte.MaxValue);
            if (type.Kind is ValueKind.Int16) schema.Add("minimum", (long)short.MinValue).Add("maximum", (long)short.MaxValue);
            if (type.Kind is ValueKind.UInt16) schema.Add("minimum", 0L).Add("maximum", (long)ushort.MaxValue);
            if (type.Kind is ValueKind.UInt32 or ValueKind.UInt64 or ValueKind.UInt128) schema.Add("minimum", 0L);
            if (type.Kind is ValueKind.UInt32) schema.Add("maximum", (long)uint.MaxValue);
            return schema;
        }

        /// <summary>JSON schemas of body types: objects as components (<c>#/components/schemas/Name</c>), the rest inline.</summary>
        private sealed class SchemaSet
        {
            private readonly Dictionary<string, JsonShape> _shapes = new(System.StringComparer.Ordinal);
            private readonly Dictionary<string, string> _componentNames = new(System.StringComparer.Ordinal);
            private readonly HashSet<string> _usedNames = new(System.StringComparer.Ordinal);
            public readonly JsonObject Components = new();

            public SchemaSet(RouterModel router, OpenApiInputs inputs)
            {
                // Each type's shape comes from the context the router serializes it with (the first by name that declares it).
                foreach (var json in router.JsonTypes)
                {
                    var context = inputs.Contexts.FirstOrDefault(c => c.ContextType == json.ContextType);
                    if (context is null) continue;
                    foreach (var shape in context.Shapes)
                        if (!_shapes.ContainsKey(shape.TypeName)) _shapes[shape.TypeName] = shape;
                }
                foreach (var context in inputs.Contexts.OrderBy(c => c.ContextType, System.StringComparer.Ordinal))
                    foreach (var shape in context.Shapes)
                        if (!_shapes.ContainsKey(shape.TypeName)) _shapes[shape.TypeName] = shape;
            }

            public JsonObject For(string typeName, bool nullable = false)
            {
                if (!_shapes.TryGetValue(typeName.TrimEnd('?'), out var shape)) return new JsonObject();
                JsonObject schema;
                if (shape.Kind == JsonShapeKind.Object)
                {
                    schema = new JsonObject().Add("$ref", "#/components/schemas/" + Component(shape));
                    return nullable ? new JsonObject().Add("oneOf", new List<object?> { schema, new JsonObject().Add("type", "null") }) : schema;
                }
                schema = new JsonObject();
                string? type = shape.Kind switch
                {
                    JsonShapeKind.String => "string", JsonShapeKind.Integer => "integer", JsonShapeKind.Number => "number",
                    JsonShapeKind.Boolean => "boolean", JsonShapeKind.Array => "array", JsonShapeKind.Dictionary => "object", _ => null,
                };
                if (type is not null) schema.Add("type", nullable ? new List<object?> { type, "null" } : type);
                if (shape.Format is not null) schema.Add("format", shape.Format);
                if (shape.EnumValues.Count > 0)
                {
                    var values = shape.EnumValues.Cast<object?>().ToList();
                    if (nullable) values.Add(null);
                    schema.Add("enum", values);
                }
                if (shape.Kind == JsonShapeKind.Array) schema.Add("items", For(shape.Element!));
                if (shape.Kind == JsonShapeKind.Dictionary) schema.Add("additionalProperties", For(shape.Element!));
                return schema;
            }

            private string Component(JsonShape shape)
            {
                if (_componentNames.TryGetValue(shape.TypeName, out var name)) return name;
                name = shape.ShortName;
                for (int i = 2; !_usedNames.Add(name); i++) name = shape.ShortName + i.ToString(CultureInfo.InvariantCulture);
                _componentNames[shape.TypeName] = name;
                var schema = new JsonObject().Add("type", "object");
                if (shape.Description is not null) schema.Add("description", shape.Description);
                var properties = new JsonObject();
                var required = new List<object?>();
                Components.Add(name, schema);   // before the properties: a type may refer to itself
                foreach (var property in shape.Properties)
                {
                    var propertySchema = For(property.TypeName, property.IsNullable);
                    if (property.Description is not null)
                        propertySchema = propertySchema.Contains("$ref") ? new JsonObject().Add("description", property.Description).Add("allOf", new List<object?> { propertySchema })
                            : propertySchema.Add("description", property.Description);
                    properties.Add(property.Name, propertySchema);
                    if (property.IsRequired) required.Add(property.Name);
                }
                schema.Add("properties", properties);
                if (required.Count > 0) schema.Add("required", required);
                return name;
            }
        }

        // ---- a minimal ordered JSON writer ----

        /// <summary>A JSON object whose members keep the order they were added in.</summary>
        internal sealed class JsonObject
        {
            private readonly List<KeyValuePair<string, object?>> _members = new();

            public int Count => _members.Count;

            public JsonObject Add(string name, object? value)
            {
                _members.Add(new KeyValuePair<string, object?>(name, value));
                return this;
            }

            public bool Contains(string name) => _members.Any(m => m.Key == name);

            public JsonObject Sorted()
            {
                var sorted = new JsonObject();
                foreach (var member in _members.OrderBy(m => m.Key, System.StringComparer.Ordinal)) sorted._members.Add(member);
                return sorted;
            }

            public IEnumerable<KeyValuePair<string, object?>> Members => _members;
        }

        /// <summary>A number written as it is.</summary>
        private sealed class RawJson(string text)
        {
            public string Text { get; } = text;
        }

        private static void Write(StringBuilder sb, object? value, int indent)
        {
            switch (value)
            {
                case null: sb.Append("null"); break;
                case bool b: sb.Append(b ? "true" : "false"); break;
                case long l: sb.Append(l.ToString(CultureInfo.InvariantCulture)); break;
                case int i: sb.Append(i.ToString(CultureInfo.InvariantCulture)); break;
                case RawJson raw: sb.Append(raw.Text); break;
                case string s: WriteString(sb, s); break;
                case JsonObject o:
                    if (o.Count == 0)
                    {
                        sb.Append("{}");
                        break;
                    }
                    sb.Append("{\n");
                    bool first = true;
                    foreach (var member in o.Members)
                    {
                        if (!first) sb.Append(",\n");
                        first = false;
                        sb.Append(' ', (indent + 1) * 2);
                        WriteString(sb, member.Key);
                        sb.Append(": ");
                        Write(sb, member.Value, indent + 1);
                    }
                    sb.Append('\n').Append(' ', indent * 2).Append('}');
                    break;
                case List<object?> list:
                    if (list.Count == 0 || list.All(x => x is not JsonObject))
                    {
                        sb.Append('[');
                        for (int k = 0; k < list.Count; k++)
                        {
                            if (k > 0) sb.Append(", ");
                            Write(sb, list[k], indent);
                        }
                        sb.Append(']');
                        break;
                    }
                    sb.Append("[\n");
                    for (int k = 0; k < list.Count; k++)
                    {
                        if (k > 0) sb.Append(",\n");
                        sb.Append(' ', (indent + 1) * 2);
                        Write(sb, list[k], indent + 1);
                    }
                    sb.Append('\n').Append(' ', indent * 2).Append(']');
                    break;
                default:
                    throw new System.InvalidOperationException("Cannot write " + value.GetType());
            }
        }

        private static void WriteString(StringBuilder sb, string s)
        {
            sb.Append('"');
            foreach (char c in s)
            {
                switch (c)
                {
                    case '"': sb.Append("\\\""); break;
                    case '\\': sb.Append("\\\\"); break;
                    case '\n': sb.Append("\\n"); break;
                    case '\r': sb.Append("\\r"); break;
                    case '\t': sb.Append("\\t"); break;
                    default:
                        if (c < 0x20 || c == '\u2028' || c == '\u2029') sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                        else sb.Append(c);
                        break;
                }
            }
            sb.Append('"');
        }
    }
}

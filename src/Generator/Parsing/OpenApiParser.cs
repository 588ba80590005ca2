using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading;
using System.Xml.Linq;
using Kiln.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Kiln.Generator.Parsing
{
    /// <summary>
    /// Reads what the OpenAPI document needs beyond the router model: each route method's XML doc comment and
    /// <c>[Produces]</c> attributes, and the JSON shape of every type a <c>JsonSerializerContext</c> declares, under
    /// that context's <c>[JsonSourceGenerationOptions]</c> (naming policy, string enums, fields).
    /// </summary>
    internal static class OpenApiParser
    {
        public const string ProducesAttribute = "Kiln.ProducesAttribute";

        public static OperationDocs? ParseOperation(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
        {
            if (context.TargetSymbol is not IMethodSymbol method || method.ContainingType is null) return null;
            var doc = Documentation(method, cancellationToken);
            var parameterDocs = new List<string>();
            foreach (var p in method.Parameters)
                if (doc?.Elements("param").FirstOrDefault(e => (string?)e.Attribute("name") == p.Name) is { } element && PlainText(element) is { } text)
                    parameterDocs.Add(p.Name + "=" + text);
            var produces = new List<ProducesModel>();
            foreach (var attribute in method.GetAttributes())
            {
                if (!KnownTypes.Is(attribute.AttributeClass, ProducesAttribute)) continue;
                var args = attribute.ConstructorArguments;
                if (args.Length == 0 || args[0].Value is not int status) continue;
                string? type = args.Length > 1 && args[1].Value is ITypeSymbol t ? KnownTypes.FullName(t) : null;
                string? Named(string name) => attribute.NamedArguments.FirstOrDefault(a => a.Key == name).Value.Value as string;
                produces.Add(new ProducesModel(status, type, Named("ContentType"), Named("Description")));
            }
            return new OperationDocs(
                OperationDocs.KeyOf(KnownTypes.FullName(method.ContainingType), method.Name, method.Parameters.Select(p => p.Name)),
                doc?.Element("summary") is { } summary ? PlainText(summary) : null,
                doc?.Element("remarks") is { } remarks ? PlainText(remarks) : null,
                parameterDocs.ToEquatableArray(),
                produces.ToEquatableArray());
        }

        // ---- JSON shapes ----

        private enum Naming { None, Camel, SnakeLower, SnakeUpper, KebabLower, KebabUpper }

        public static JsonContextShapes? ParseJsonShapes(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
        {
            if (context.TargetSymbol is not INamedTypeSymbol type) return null;
            bool isContext = false;
            for (var b = type.BaseType; b is not null; b = b.BaseType)
                if (KnownTypes.Is(b, "System.Text.Json.Serialization.JsonSerializerContext")) isContext = true;
            if (!isContext) return null;

            var naming = Naming.None;
            bool stringEnums = false, includeFields = false;
            foreach (var attribute in type.GetAttributes())
            {
                if (!KnownTypes.Is(attribute.AttributeClass, "System.Text.Json.Serialization.JsonSourceGenerationOptionsAttribute")) continue;
                if (attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Value is int defaults && defaults == 1)
                    naming = Naming.Camel;   // JsonSerializerDefaults.Web
                foreach (var named in attribute.NamedArguments)
                {
                    if (named.Key == "PropertyNamingPolicy" && named.Value.Value is int policy)
                        naming = policy switch { 1 => Naming.Camel, 2 => Naming.SnakeLower, 3 => Naming.SnakeUpper, 4 => Naming.KebabLower, 5 => Naming.KebabUpper, _ => Naming.None };
                    else if (named.Key == "UseStringEnumConverter" && named.Value.Value is bool b) stringEnums = b;
                    else if (named.Key == "IncludeFields" && named.Value.Value is bool f) includeFields = f;
                }
            }

            var shapes = new Dictionary<string, JsonShape>(System.StringComparer.Ordinal);
            var walker = new ShapeWalker(naming, stringEnums, includeFields, shapes, cancellationToken);
            foreach (var attribute in context.Attributes)
                if (attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Value is ITypeSymbol t)
                    walker.Visit(t, 0);
            return new JsonContextShapes(KnownTypes.FullName(type),
                shapes.Values.OrderBy(s => s.TypeName, System.StringComparer.Ordinal).ToEquatableArray());
        }

        private sealed class ShapeWalker(Naming naming, bool stringEnums, bool includeFields, Dictionary<string, JsonShape> shapes, CancellationToken cancellationToken)
        {
            public void Visit(ITypeSymbol type, int depth)
            {
                cancellationToken.ThrowIfCancellationRequested();
                type = Unwrap(type);
                string name = KnownTypes.FullName(type);
                if (shapes.ContainsKey(name)) return;
                if (depth > 32)
                {
                    shapes[name] = Shape(type, JsonShapeKind.Any);
                    return;
                }
                if (Primitive(type) is { } primitive)
                {
                    shapes[name] = primitive;
                    return;
                }
                if (type.TypeKind == TypeKind.Enum)
                {
                    bool asString = stringEnums || type.GetAttributes().Any(a => KnownTypes.Is(a.AttributeClass, "System.Text.Json.Serialization.JsonConverterAttribute")
                        && a.ConstructorArguments.Length == 1 && a.ConstructorArguments[0].Value is INamedTypeSymbol c && c.Name.StartsWith("JsonStringEnumConverter", System.StringComparison.Ordinal));
                    shapes[name] = asString
                        ? Shape(type, JsonShapeKind.String) with { EnumValues = type.GetMembers().OfType<IFieldSymbol>().Where(f => f.HasConstantValue).Select(f => f.Name).ToEquatableArray() }
                        : Shape(type, JsonShapeKind.Integer) with { Format = "int32" };
                    return;
                }
                if (DictionaryValue(type) is { } value)
                {
                    shapes[name] = Shape(type, JsonShapeKind.Dictionary) with { Element = KnownTypes.FullName(Unwrap(value)) };
                    Visit(value, depth + 1);
                    return;
                }
                if (type is IArrayTypeSymbol array || EnumerableElement(type) is not null)
                {
                    var element = type is IArrayTypeSymbol a ? a.ElementType : EnumerableElement(type)!;
                    shapes[name] = Shape(type, JsonShapeKind.Array) with { Element = KnownTypes.FullName(Unwrap(element)) };
                    Visit(element, depth + 1);
                    return;
                }
                if (type.SpecialType == SpecialType.System_Object || type.TypeKind is TypeKind.Interface or TypeKind.TypeParameter or TypeKind.Error
                    || (type.ContainingNamespace?.ToDisplayString() ?? "").StartsWith("System", System.StringComparison.Ordinal))
                {
                    shapes[name] = Shape(type, JsonShapeKind.Any);
                    return;
                }
                var typeDoc = Documentation(type, cancellationToken);
                var properties = new List<JsonPropertyShape>();
                var members = new List<(ISymbol Member, ITypeSymbol Type)>();
                for (var t = type; t is not null && t.SpecialType != SpecialType.System_Object; t = t.BaseType)
                {
                    var own = new List<(ISymbol, ITypeSymbol)>();
                    foreach (var member in t.GetMembers())
                    {
                        if (member.IsStatic || member.IsImplicitlyDeclared && member is not IPropertySymbol) continue;
                        bool include = member.GetAttributes().Any(a => KnownTypes.Is(a.AttributeClass, "System.Text.Json.Serialization.JsonIncludeAttribute"));
                        if (member is IPropertySymbol { IsIndexer: false } p && (p.DeclaredAccessibility == Accessibility.Public && p.GetMethod is { DeclaredAccessibility: Accessibility.Public } || include && p.GetMethod is not null))
                            own.Add((p, p.Type));
                        else if (member is IFieldSymbol { AssociatedSymbol: null } f && (f.DeclaredAccessibility == Accessibility.Public && includeFields || include))
                            own.Add((f, f.Type));
                    }
                    members.InsertRange(0, own.Where(o => !members.Any(m => m.Member.Name == o.Item1.Name)));
                }
                // Reserve the name before visiting members (recursive types refer to themselves).
                shapes[name] = Shape(type, JsonShapeKind.Object) with { Description = typeDoc?.Element("summary") is { } s ? PlainText(s) : null };
                foreach (var (member, memberType) in members)
                {
                    var attributes = member.GetAttributes();
                    var ignore = attributes.FirstOrDefault(a => KnownTypes.Is(a.AttributeClass, "System.Text.Json.Serialization.JsonIgnoreAttribute"));
                    if (ignore is not null && (ignore.NamedArguments.Length == 0 || ignore.NamedArguments.Any(n => n.Key == "Condition" && n.Value.Value is int c && c == 1))) continue;
                    string jsonName = attributes.FirstOrDefault(a => KnownTypes.Is(a.AttributeClass, "System.Text.Json.Serialization.JsonPropertyNameAttribute"))
                        ?.ConstructorArguments.FirstOrDefault().Value as string ?? Convert(member.Name, naming);
                    bool nullable = memberType.IsReferenceType ? memberType.NullableAnnotation == NullableAnnotation.Annotated || (member is IPropertySymbol ps && ps.NullableAnnotation == NullableAnnotation.Annotated)
                        : memberType is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T };
                    bool required = member is IPropertySymbol { IsRequired: true } || member is IFieldSymbol { IsRequired: true }
                        || attributes.Any(a => KnownTypes.Is(a.AttributeClass, "System.Text.Json.Serialization.JsonRequiredAttribute"));
                    var memberDoc = Documentation(member, cancellationToken)?.Element("summary") ?? typeDoc?.Elements("param").FirstOrDefault(e => (string?)e.Attribute("name") == member.Name);
                    properties.Add(new JsonPropertyShape(jsonName, KnownTypes.FullName(Unwrap(memberType)), nullable, required, memberDoc is null ? null : PlainText(memberDoc)));
                    Visit(memberType, depth + 1);
                }
                shapes[name] = shapes[name] with { Properties = properties.ToEquatableArray() };
            }

            private static JsonShape Shape(ITypeSymbol type, JsonShapeKind kind) =>
                new(KnownTypes.FullName(type), ShortName(type), kind, null, null, EquatableArray<string>.Empty, EquatableArray<JsonPropertyShape>.Empty, null);

            private static JsonShape? Primitive(ITypeSymbol type)
            {
                JsonShape Of(JsonShapeKind kind, string? format = null) => Shape(type, kind) with { Format = format };
                switch (type.SpecialType)
                {
                    case SpecialType.System_String:
                    case SpecialType.System_Char: return Of(JsonShapeKind.String);
                    case SpecialType.System_Boolean: return Of(JsonShapeKind.Boolean);
                    case SpecialType.System_SByte:
                    case SpecialType.System_Byte:
                    case SpecialType.System_Int16:
                    case SpecialType.System_UInt16:
                    case SpecialType.System_Int32: return Of(JsonShapeKind.Integer, "int32");
                    case SpecialType.System_UInt32:
                    case SpecialType.System_Int64: return Of(JsonShapeKind.Integer, "int64");
                    case SpecialType.System_UInt64: return Of(JsonShapeKind.Integer);
                    case SpecialType.System_Single: return Of(JsonShapeKind.Number, "float");
                    case SpecialType.System_Double: return Of(JsonShapeKind.Number, "double");
                    case SpecialType.System_Decimal: return Of(JsonShapeKind.Number);
                    case SpecialType.System_DateTime: return Of(JsonShapeKind.String, "date-time");
                }
                if (type is IArrayTypeSymbol { ElementType.SpecialType: SpecialType.System_Byte }) return Of(JsonShapeKind.String, "byte");
                string full = KnownTypes.FullName(type);
                switch (full)
                {
                    case "global::System.Guid": return Of(JsonShapeKind.String, "uuid");
                    case "global::System.DateTimeOffset": return Of(JsonShapeKind.String, "date-time");
                    case "global::System.DateOnly": return Of(JsonShapeKind.String, "date");
                    case "global::System.TimeOnly": return Of(JsonShapeKind.String, "time");
                    case "global::System.TimeSpan": return Of(JsonShapeKind.String);
                    case "global::System.Uri": return Of(JsonShapeKind.String, "uri");
                    case "global::System.Int128": return Of(JsonShapeKind.Integer);
                    case "global::System.UInt128": return Of(JsonShapeKind.Integer);
                    case "global::System.Half": return Of(JsonShapeKind.Number);
                }
                return null;
            }

            private static ITypeSymbol Unwrap(ITypeSymbol type) =>
                type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable ? nullable.TypeArguments[0] : type;

            private static ITypeSymbol? DictionaryValue(ITypeSymbol type)
            {
                foreach (var candidate in new[] { type }.Concat(type.AllInterfaces))
                    if (candidate is INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: 2 } named
                        && (KnownTypes.Is(named.OriginalDefinition, "System.Collections.Generic.IDictionary`2") || KnownTypes.Is(named.OriginalDefinition, "System.Collections.Generic.IReadOnlyDictionary`2")
                            || KnownTypes.Is(named.OriginalDefinition, "System.Collections.Generic.Dictionary`2")))
                        return named.TypeArguments[1];
                return null;
            }

            private static ITypeSymbol? EnumerableElement(ITypeSymbol type)
            {
                if (type.SpecialType == SpecialType.System_String) return null;
                foreach (var candidate in new[] { type }.Concat(type.AllInterfaces))
                    if (candidate is INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: 1 } named && KnownTypes.Is(named.OriginalDefinition, "System.Collections.Generic.IEnumerable`1"))
                        return named.TypeArguments[0];
                return null;
            }

            private static string ShortName(ITypeSymbol type)
            {
                if (type is IArrayTypeSymbol array) return "ArrayOf" + ShortName(array.ElementType);
                if (type is INamedTypeSymbol { IsGenericType: true } generic)
                    return generic.Name + "Of" + string.Join("And", generic.TypeArguments.Select(ShortName));
                return type.Name;
            }
        }

        /// <summary>A C# member name under a System.Text.Json naming policy (the policies' rules, reimplemented for build time).</summary>
        private static string Convert(string name, Naming naming)
        {
            switch (naming)
            {
                case Naming.Camel:
                    if (name.Length == 0 || !char.IsUpper(name[0])) return name;
                    var chars = name.ToCharArray();
                    for (int i = 0; i < chars.Length; i++)
                    {
                        if (i == 1 && !char.IsUpper(chars[i])) break;
                        bool hasNext = i + 1 < chars.Length;
                        if (i > 0 && hasNext && !char.IsUpper(chars[i + 1]))
                        {
                            if (chars[i + 1] == ' ') chars[i] = char.ToLowerInvariant(chars[i]);
                            break;
                        }
                        chars[i] = char.ToLowerInvariant(chars[i]);
                    }
                    return new string(chars);
                case Naming.SnakeLower: return Separated(name, '_', upper: false);
                case Naming.SnakeUpper: return Separated(name, '_', upper: true);
                case Naming.KebabLower: return Separated(name, '-', upper: false);
                case Naming.KebabUpper: return Separated(name, '-', upper: true);
                default: return name;
            }
        }

        private static string Separated(string name, char separator, bool upper)
        {
            var sb = new StringBuilder(name.Length + 4);
            for (int i = 0; i < name.Length; i++)
            {
                char c = name[i];
                if (i > 0 && char.IsUpper(c) && (char.IsLower(name[i - 1]) || char.IsDigit(name[i - 1]) || (char.IsUpper(name[i - 1]) && i + 1 < name.Length && char.IsLower(name[i + 1]))))
                    sb.Append(separator);
                sb.Append(upper ? char.ToUpperInvariant(c) : char.ToLowerInvariant(c));
            }
            return sb.ToString();
        }

        // ---- XML doc comments ----

        /// <summary>
        /// The symbol's doc comment as XML (its <c>///</c> lines), read from the syntax so that it works whether or not the
        /// project generates a documentation file; null when there is none or it is not well-formed.
        /// </summary>
        private static XElement? Documentation(ISymbol symbol, CancellationToken cancellationToken)
        {
            var reference = symbol.DeclaringSyntaxReferences.FirstOrDefault();
            if (reference is null) return null;
            var node = reference.GetSyntax(cancellationToken);
            // A positional record's property is declared by a parameter: its doc is the record's <param>.
            if (node is Microsoft.CodeAnalysis.CSharp.Syntax.ParameterSyntax) return null;
            // Attributes and modifiers lead the declaration; its doc comment is the leading trivia of its first token.
            var lines = new List<string>();
            foreach (var trivia in node.GetLeadingTrivia())
            {
                if (!trivia.IsKind(SyntaxKind.SingleLineDocumentationCommentTrivia) && !(trivia.IsKind(SyntaxKind.SingleLineCommentTrivia) && trivia.ToString().StartsWith("///", System.StringComparison.Ordinal)))
                    continue;
                foreach (var line in trivia.ToFullString().Split('\n'))
                {
                    var text = line.Trim();
                    if (text.StartsWith("///", System.StringComparison.Ordinal)) lines.Add(text.Substring(3));
                }
            }
            if (lines.Count == 0) return null;
            try
            {
                return XElement.Parse("<doc>" + string.Join("\n", lines) + "</doc>", LoadOptions.None);
            }
            catch (System.Xml.XmlException)
            {
                return null;
            }
        }

        /// <summary>Doc comment XML as one plain-text paragraph: <c>&lt;c&gt;x&lt;/c&gt;</c> becomes <c>`x`</c>, references their names.</summary>
        private static string? PlainText(XElement element)
        {
            var sb = new StringBuilder();
            Append(element, sb);
            var text = string.Join(" ", sb.ToString().Split(new[] { ' ', '\n', '\r', '\t' }, System.StringSplitOptions.RemoveEmptyEntries));
            return text.Length == 0 ? null : text;
        }

        private static void Append(XElement element, StringBuilder sb)
        {
            foreach (var node in element.Nodes())
            {
                if (node is XText text) sb.Append(text.Value);
                else if (node is XElement child)
                {
                    switch (child.Name.LocalName)
                    {
                        case "c":
                        case "code":
                            sb.Append('`').Append(child.Value).Append('`');
                            break;
                        case "see":
                        case "seealso":
                        case "paramref":
                        case "typeparamref":
                            string? reference = (string?)child.Attribute("cref") ?? (string?)child.Attribute("name") ?? (string?)child.Attribute("langword") ?? (string?)child.Attribute("href");
                            if (child.Value.Length > 0) sb.Append(child.Value);
                            else if (reference is not null)
                            {
                                int colon = reference.IndexOf(':');
                                if (colon == 1) reference = reference.Substring(2);
                                int paren = reference.IndexOf('(');
                                if (paren >= 0) reference = reference.Substring(0, paren);
                                sb.Append(reference.Substring(reference.LastIndexOf('.') + 1));
                            }
                            break;
                        default:
                            sb.Append(' ');
                            Append(child, sb);
                            sb.Append(' ');
                            break;
                    }
                }
            }
        }
    }
}

using System.Linq;
using Kiln.Generator.Model;
using Kiln.Generator.Routing;
using Microsoft.CodeAnalysis;
using ValueType = Kiln.Generator.Routing.ValueType;

namespace Kiln.Generator.Parsing
{
    /// <summary>Decides whether a type can be parsed from text (a path segment, query value or header), and how.</summary>
    internal static class ValueTypeClassifier
    {
        public static ValueType? Classify(ITypeSymbol type)
        {
            string full = KnownTypes.FullName(type);
            string display = type.WithNullableAnnotation(NullableAnnotation.None).ToDisplayString(KnownTypes.Short);
            ValueKind? kind = type.SpecialType switch
            {
                SpecialType.System_String => ValueKind.String,
                SpecialType.System_SByte => ValueKind.SByte,
                SpecialType.System_Byte => ValueKind.Byte,
                SpecialType.System_Int16 => ValueKind.Int16,
                SpecialType.System_UInt16 => ValueKind.UInt16,
                SpecialType.System_Int32 => ValueKind.Int32,
                SpecialType.System_UInt32 => ValueKind.UInt32,
                SpecialType.System_Int64 => ValueKind.Int64,
                SpecialType.System_UInt64 => ValueKind.UInt64,
                SpecialType.System_Decimal => ValueKind.Decimal,
                SpecialType.System_Double => ValueKind.Double,
                SpecialType.System_Single => ValueKind.Single,
                SpecialType.System_Boolean => ValueKind.Bool,
                _ => null,
            };
            if (kind is null)
            {
                if (KnownTypes.Is(type, "System.Guid")) kind = ValueKind.Guid;
                else if (KnownTypes.Is(type, "System.DateOnly")) kind = ValueKind.DateOnly;
                else if (KnownTypes.Is(type, "System.DateTime")) kind = ValueKind.DateTime;
                else if (KnownTypes.Is(type, "System.DateTimeOffset")) kind = ValueKind.DateTimeOffset;
                else if (KnownTypes.Is(type, "System.Int128")) kind = ValueKind.Int128;
                else if (KnownTypes.Is(type, "System.UInt128")) kind = ValueKind.UInt128;
            }
            if (kind is { } k) return new ValueType(k, full, display, EquatableArray<string>.Empty);

            if (type.TypeKind == TypeKind.Enum)
            {
                var names = type.GetMembers().OfType<IFieldSymbol>().Where(f => f.HasConstantValue).Select(f => f.Name);
                return new ValueType(ValueKind.Enum, full, display, names.ToEquatableArray());
            }
            if (type is INamedTypeSymbol named && named.AllInterfaces.Any(i =>
                    i.IsGenericType && KnownTypes.Is(i.OriginalDefinition, "System.ISpanParsable`1")
                    && SymbolEqualityComparer.Default.Equals(i.TypeArguments[0], named)))
                return new ValueType(ValueKind.SpanParsable, full, display, EquatableArray<string>.Empty);
            return null;
        }

        /// <summary>Unwraps <c>Nullable&lt;T&gt;</c>.</summary>
        public static ITypeSymbol UnwrapNullable(ITypeSymbol type, out bool wasNullable)
        {
            if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } n)
            {
                wasNullable = true;
                return n.TypeArguments[0];
            }
            wasNullable = false;
            return type;
        }

        /// <summary>For <c>T[]</c>, <c>List&lt;T&gt;</c>, <c>IReadOnlyList&lt;T&gt;</c>, <c>IEnumerable&lt;T&gt;</c>: the element type and the collection shape.</summary>
        public static ITypeSymbol? CollectionElement(ITypeSymbol type, out string? shape)
        {
            shape = null;
            if (type is IArrayTypeSymbol { Rank: 1 } array && array.ElementType.SpecialType != SpecialType.System_Byte)
            {
                shape = "array";
                return array.ElementType;
            }
            if (type is INamedTypeSymbol { IsGenericType: true } named && named.TypeArguments.Length == 1)
            {
                var def = named.OriginalDefinition;
                if (KnownTypes.Is(def, "System.Collections.Generic.List`1")) shape = "list";
                else if (KnownTypes.Is(def, "System.Collections.Generic.IReadOnlyList`1") || KnownTypes.Is(def, "System.Collections.Generic.IEnumerable`1")
                         || KnownTypes.Is(def, "System.Collections.Generic.IReadOnlyCollection`1") || KnownTypes.Is(def, "System.Collections.Generic.IList`1"))
                    shape = "array";
                if (shape is not null) return named.TypeArguments[0];
            }
            return null;
        }
    }
}

using System;
using System.Globalization;
using System.Text;
using Kiln.Shared;

namespace Kiln.Generator.Routing
{
    /// <summary>Whether a build-time question about parsing has an answer.</summary>
    internal enum Acceptance { No, Yes, Unknown }

    /// <summary>
    /// Answers, at build time, the questions the matcher's shape depends on: does a literal segment parse as a
    /// type (so <c>/items/new</c> and <c>/items/&lt;id&gt;</c> of type int never compete for "new"), and can two types
    /// accept the same segment. Acceptance is decided by <see cref="ValueGrammar"/>, the source file the runtime's
    /// <c>Kiln.Binding.ValueParser</c> and the generated enum parsers are built on too.
    /// </summary>
    internal static class ValueOracle
    {
        public static Acceptance Accepts(ValueType type, string text)
        {
            if (text.Length == 0) return Acceptance.No;
            var utf8 = Encoding.UTF8.GetBytes(text);
            switch (type.Kind)
            {
                case ValueKind.String: return Acceptance.Yes;
                case ValueKind.SpanParsable: return Acceptance.Unknown;
                case ValueKind.Bool: return Of(ValueGrammar.TryParseBool(utf8, out _));
                case ValueKind.Guid: return Of(ValueGrammar.IsGuid(utf8));
                case ValueKind.DateOnly: return Of(ValueGrammar.TryParseDate(utf8, out _, out _, out _));
                case ValueKind.DateTime: return Of(IsoDateTime.TryParseDateTime(utf8, out _));
                case ValueKind.DateTimeOffset: return Of(IsoDateTime.TryParseDateTimeOffset(utf8, out _));
                case ValueKind.Enum:
                    foreach (var name in type.EnumNames)
                        if (ValueGrammar.NameEquals(utf8, Encoding.UTF8.GetBytes(name))) return Acceptance.Yes;
                    return Acceptance.No;
                // The syntax is the grammar's; range and finiteness are the platform parser's, as at run time.
                case ValueKind.Decimal:
                    return Of(ValueGrammar.IsFloat(utf8, allowExponent: false) && decimal.TryParse(text, FloatStyles & ~NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out _));
                case ValueKind.Double:
                    return Of(ValueGrammar.IsFloat(utf8, allowExponent: true) && double.TryParse(text, FloatStyles, CultureInfo.InvariantCulture, out var d) && !double.IsInfinity(d));
                case ValueKind.Single:
                    return Of(ValueGrammar.IsFloat(utf8, allowExponent: true) && float.TryParse(text, FloatStyles, CultureInfo.InvariantCulture, out var f) && !float.IsInfinity(f));
                default:
                    return Of(ValueGrammar.IsInteger(utf8, IntegerTypeOf(type.Kind)));
            }
        }

        /// <summary>The grammar's integer type for an integer <paramref name="kind"/>.</summary>
        public static IntegerType IntegerTypeOf(ValueKind kind) => kind switch
        {
            ValueKind.SByte => IntegerType.SByte,
            ValueKind.Byte => IntegerType.Byte,
            ValueKind.Int16 => IntegerType.Int16,
            ValueKind.UInt16 => IntegerType.UInt16,
            ValueKind.Int32 => IntegerType.Int32,
            ValueKind.UInt32 => IntegerType.UInt32,
            ValueKind.Int64 => IntegerType.Int64,
            ValueKind.UInt64 => IntegerType.UInt64,
            ValueKind.Int128 => IntegerType.Int128,
            ValueKind.UInt128 => IntegerType.UInt128,
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not an integer type"),
        };

        /// <summary>Whether some non-empty segment could be accepted by both types (false only when provably disjoint).</summary>
        public static bool CanOverlap(ValueType a, ValueType b)
        {
            if (a.Kind == ValueKind.SpanParsable || b.Kind == ValueKind.SpanParsable) return true;
            if (a.Kind == ValueKind.String || b.Kind == ValueKind.String) return true;
            if (a.Kind == ValueKind.Enum) return EnumOverlaps(a, b);
            if (b.Kind == ValueKind.Enum) return EnumOverlaps(b, a);
            bool numericA = a.IsInteger || a.IsFloat, numericB = b.IsInteger || b.IsFloat;
            if (numericA && numericB)
            {
                // Two integer types overlap on small numbers; any numeric types share "0".
                return true;
            }
            if (a.Kind == b.Kind) return true;
            // "2024-05-01" is a DateOnly, a DateTime and a DateTimeOffset.
            if (IsDate(a.Kind) && IsDate(b.Kind)) return true;
            // Guid (32 hex digits, or 36 with dashes) vs numbers: only types that hold 32-digit numbers overlap.
            if (a.Kind == ValueKind.Guid || b.Kind == ValueKind.Guid)
            {
                var other = a.Kind == ValueKind.Guid ? b : a;
                return other.Kind == ValueKind.Int128 || other.Kind == ValueKind.UInt128 || other.Kind == ValueKind.Double || other.Kind == ValueKind.Single || other.Kind == ValueKind.Decimal;
            }
            // Bool, dates and numbers have disjoint syntaxes.
            return false;
        }

        private static bool IsDate(ValueKind kind) => kind is ValueKind.DateOnly or ValueKind.DateTime or ValueKind.DateTimeOffset;

        /// <summary>Whether a value of <paramref name="type"/> may contain <paramref name="c"/> (false only when it never can).</summary>
        public static bool MayContain(ValueType type, char c)
        {
            bool digit = c >= '0' && c <= '9';
            switch (type.Kind)
            {
                case ValueKind.String:
                case ValueKind.SpanParsable:
                    return true;
                case ValueKind.Decimal:
                case ValueKind.Double:
                case ValueKind.Single:
                    return digit || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
                case ValueKind.Guid:
                    return digit || c == '-' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
                case ValueKind.DateOnly:
                    return digit || c == '-';
                case ValueKind.DateTime:
                case ValueKind.DateTimeOffset:
                    return digit || "-:.+TtZz".IndexOf(c) >= 0;
                case ValueKind.Bool:
                    return "truefalsTRUEFALS".IndexOf(c) >= 0;
                case ValueKind.Enum:
                    foreach (var name in type.EnumNames)
                        foreach (char n in name)
                            if (n == c || n < 128 && c < 128 && char.ToLowerInvariant(n) == char.ToLowerInvariant(c)) return true;
                    return false;
                default:
                    return digit || c == '-';
            }
        }

        private static bool EnumOverlaps(ValueType enumType, ValueType other)
        {
            if (other.Kind == ValueKind.Enum)
            {
                foreach (var x in enumType.EnumNames)
                    foreach (var y in other.EnumNames)
                        if (ValueGrammar.NameEquals(Encoding.UTF8.GetBytes(x), Encoding.UTF8.GetBytes(y))) return true;
                return false;
            }
            foreach (var name in enumType.EnumNames)
                if (Accepts(other, name) != Acceptance.No) return true;
            return false;
        }

        private const NumberStyles FloatStyles = NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent;

        private static Acceptance Of(bool value) => value ? Acceptance.Yes : Acceptance.No;
    }
}

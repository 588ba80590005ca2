using System;
using System.Globalization;
using System.Numerics;

namespace Kiln.Generator.Routing
{
    /// <summary>Whether a build-time question about parsing has an answer.</summary>
    internal enum Acceptance { No, Yes, Unknown }

    /// <summary>
    /// Answers, at build time, the questions the matcher's shape depends on: does a literal segment parse as a
    /// type (so <c>/items/new</c> and <c>/items/&lt;id:int&gt;</c> never compete for "new"), and can two types
    /// accept the same segment. The rules mirror the runtime's <c>Kiln.Binding.ValueParser</c> exactly.
    /// </summary>
    internal static class ValueOracle
    {
        public static Acceptance Accepts(ValueType type, string text)
        {
            if (text.Length == 0) return Acceptance.No;
            switch (type.Kind)
            {
                case ValueKind.String: return Acceptance.Yes;
                case ValueKind.SpanParsable: return Acceptance.Unknown;
                case ValueKind.Bool:
                    return Of(string.Equals(text, "true", StringComparison.OrdinalIgnoreCase) || string.Equals(text, "false", StringComparison.OrdinalIgnoreCase));
                case ValueKind.Guid:
                    return Of(Guid.TryParseExact(text, "D", out _) || Guid.TryParseExact(text, "N", out _));
                case ValueKind.DateOnly:
                    return Of(text.Length == 10 && DateTime.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _));
                case ValueKind.DateTime:
                    return Of(Kiln.Shared.IsoDateTime.TryParseDateTime(System.Text.Encoding.UTF8.GetBytes(text), out _));
                case ValueKind.DateTimeOffset:
                    return Of(Kiln.Shared.IsoDateTime.TryParseDateTimeOffset(System.Text.Encoding.UTF8.GetBytes(text), out _));
                case ValueKind.Enum:
                    foreach (var name in type.EnumNames)
                        if (string.Equals(name, text, StringComparison.OrdinalIgnoreCase)) return Acceptance.Yes;
                    return Acceptance.No;
                case ValueKind.Decimal:
                    return Of(IsFloatSyntax(text, allowExponent: false) && decimal.TryParse(text, FloatStyles & ~NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out _));
                case ValueKind.Double:
                    return Of(IsFloatSyntax(text, allowExponent: true) && double.TryParse(text, FloatStyles, CultureInfo.InvariantCulture, out var d) && !double.IsInfinity(d));
                case ValueKind.Single:
                    return Of(IsFloatSyntax(text, allowExponent: true) && float.TryParse(text, FloatStyles, CultureInfo.InvariantCulture, out var f) && !float.IsInfinity(f));
                default:
                    return Of(IsIntegerInRange(type.Kind, text));
            }
        }

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
                        if (string.Equals(x, y, StringComparison.OrdinalIgnoreCase)) return true;
                return false;
            }
            foreach (var name in enumType.EnumNames)
                if (Accepts(other, name) != Acceptance.No) return true;
            return false;
        }

        private const NumberStyles FloatStyles = NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent;

        /// <summary>Floats: <c>-?digits(.digits)?([eE][+-]?digits)?</c> — no whitespace, no "NaN"/"Infinity", no thousands separators.</summary>
        internal static bool IsFloatSyntax(string s, bool allowExponent)
        {
            int i = 0;
            if (i < s.Length && s[i] == '-') i++;
            int digits = 0;
            while (i < s.Length && s[i] >= '0' && s[i] <= '9') { i++; digits++; }
            if (i < s.Length && s[i] == '.')
            {
                i++;
                int fraction = 0;
                while (i < s.Length && s[i] >= '0' && s[i] <= '9') { i++; fraction++; }
                if (fraction == 0) return false;
                digits += fraction;
            }
            if (digits == 0) return false;
            if (allowExponent && i < s.Length && (s[i] == 'e' || s[i] == 'E'))
            {
                i++;
                if (i < s.Length && (s[i] == '+' || s[i] == '-')) i++;
                int exp = 0;
                while (i < s.Length && s[i] >= '0' && s[i] <= '9') { i++; exp++; }
                if (exp == 0) return false;
            }
            return i == s.Length;
        }

        /// <summary>Integers: <c>-?[0-9]+</c> (the sign only for signed types), within the type's range.</summary>
        internal static bool IsIntegerInRange(ValueKind kind, string s)
        {
            int i = 0;
            bool negative = false;
            if (s[0] == '-')
            {
                negative = true;
                i = 1;
            }
            if (i == s.Length) return false;
            for (int j = i; j < s.Length; j++)
                if (s[j] < '0' || s[j] > '9') return false;
            var (min, max) = Range(kind);
            if (negative && min.IsZero) return false;
            var value = BigInteger.Parse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            return value >= min && value <= max;
        }

        private static (BigInteger Min, BigInteger Max) Range(ValueKind kind) => kind switch
        {
            ValueKind.SByte => (sbyte.MinValue, sbyte.MaxValue),
            ValueKind.Byte => (byte.MinValue, byte.MaxValue),
            ValueKind.Int16 => (short.MinValue, short.MaxValue),
            ValueKind.UInt16 => (ushort.MinValue, ushort.MaxValue),
            ValueKind.Int32 => (int.MinValue, int.MaxValue),
            ValueKind.UInt32 => (uint.MinValue, uint.MaxValue),
            ValueKind.Int64 => (long.MinValue, long.MaxValue),
            ValueKind.UInt64 => (ulong.MinValue, ulong.MaxValue),
            ValueKind.Int128 => (-(BigInteger.One << 127), (BigInteger.One << 127) - 1),
            _ => (BigInteger.Zero, (BigInteger.One << 128) - 1),
        };

        private static Acceptance Of(bool value) => value ? Acceptance.Yes : Acceptance.No;
    }
}

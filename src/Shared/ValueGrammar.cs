// The value grammar, linked as source into both Kiln.Generator (netstandard2.0) and Kiln (the runtime): the one
// definition of which texts each route/query/header value type accepts. The generator asks it at build time (does the
// literal segment "new" parse as an int? can two parameter types accept the same segment?) and builds the matcher on
// the answers; the runtime's ValueParser and the generated matcher parse by it. If the two sides disagreed, the
// matcher would route a path to an adapter that then answers 400 instead of 404 (or the reverse).
// Keep it netstandard2.0-clean: spans and plain loops only, no Range/Index, no generic math.
using System;

namespace Kiln.Shared
{
    /// <summary>The integer types, by range.</summary>
    internal enum IntegerType { SByte, Byte, Int16, UInt16, Int32, UInt32, Int64, UInt64, Int128, UInt128 }

    /// <summary>
    /// Which UTF-8 texts a value of each type may be written as. No whitespace, no culture, no signs but a leading
    /// <c>-</c> for signed numbers; ASCII letters compare case-insensitively where case is ignored at all (bool, enum
    /// member names), every other byte exactly.
    /// </summary>
    internal static class ValueGrammar
    {
        // Decimal digits of each type's largest value and of its smallest value's magnitude (empty: unsigned).
        private static readonly string[] MaxDigits =
        {
            "127", "255", "32767", "65535", "2147483647", "4294967295", "9223372036854775807", "18446744073709551615",
            "170141183460469231731687303715884105727", "340282366920938463463374607431768211455",
        };

        private static readonly string[] MinDigits =
        {
            "128", "", "32768", "", "2147483648", "", "9223372036854775808", "",
            "170141183460469231731687303715884105728", "",
        };

        /// <summary>Integers: <c>-?[0-9]+</c> (the sign only for signed types; leading zeros allowed), within the type's range.</summary>
        public static bool IsInteger(ReadOnlySpan<byte> text, IntegerType type)
        {
            int i = 0;
            bool negative = text.Length > 0 && text[0] == '-';
            string limit = negative ? MinDigits[(int)type] : MaxDigits[(int)type];
            if (negative)
            {
                if (limit.Length == 0) return false;
                i = 1;
            }
            if (i == text.Length) return false;
            for (int j = i; j < text.Length; j++)
                if ((uint)(text[j] - '0') > 9) return false;
            while (i < text.Length - 1 && text[i] == '0') i++;
            int digits = text.Length - i;
            if (digits != limit.Length) return digits < limit.Length;
            for (int k = 0; k < digits; k++)
            {
                if (text[i + k] != limit[k]) return text[i + k] < limit[k];
            }
            return true;
        }

        /// <summary>
        /// Floating-point syntax: <c>-?digits(.digits)?</c>, with <c>([eE][+-]?digits)?</c> when
        /// <paramref name="allowExponent"/> — no "NaN", "Infinity", thousands separators or hex. Whether the value is
        /// finite (double, float) or in range (decimal) is the platform parser's answer on both sides.
        /// </summary>
        public static bool IsFloat(ReadOnlySpan<byte> text, bool allowExponent)
        {
            int i = 0;
            if (i < text.Length && text[i] == '-') i++;
            int digits = 0;
            while (i < text.Length && (uint)(text[i] - '0') <= 9) { i++; digits++; }
            if (i < text.Length && text[i] == '.')
            {
                i++;
                int fraction = 0;
                while (i < text.Length && (uint)(text[i] - '0') <= 9) { i++; fraction++; }
                if (fraction == 0) return false;
                digits += fraction;
            }
            if (digits == 0) return false;
            if (allowExponent && i < text.Length && (text[i] | 0x20) == 'e')
            {
                i++;
                if (i < text.Length && (text[i] == '+' || text[i] == '-')) i++;
                int exponent = 0;
                while (i < text.Length && (uint)(text[i] - '0') <= 9) { i++; exponent++; }
                if (exponent == 0) return false;
            }
            return i == text.Length;
        }

        /// <summary>Booleans: <c>true</c> or <c>false</c>, ASCII case-insensitive.</summary>
        public static bool TryParseBool(ReadOnlySpan<byte> text, out bool value)
        {
            value = NameEquals(text, "true"u8);
            return value || NameEquals(text, "false"u8);
        }

        /// <summary>Guids: 32 hex digits ("N"), or 8-4-4-4-12 hex digits with dashes ("D"); either case.</summary>
        public static bool IsGuid(ReadOnlySpan<byte> text)
        {
            if (text.Length == 32)
            {
                foreach (byte b in text)
                    if (!IsHex(b)) return false;
                return true;
            }
            if (text.Length != 36) return false;
            for (int i = 0; i < 36; i++)
            {
                bool dash = i == 8 || i == 13 || i == 18 || i == 23;
                if (dash ? text[i] != '-' : !IsHex(text[i])) return false;
            }
            return true;
        }

        /// <summary>Dates: <c>yyyy-MM-dd</c>, year 0001–9999, a day that exists in that month.</summary>
        public static bool TryParseDate(ReadOnlySpan<byte> text, out int year, out int month, out int day)
        {
            year = month = day = 0;
            if (text.Length != 10 || text[4] != '-' || text[7] != '-') return false;
            if (!Digits(text, 0, 4, out year) || !Digits(text, 5, 2, out month) || !Digits(text, 8, 2, out day)) return false;
            if (year < 1 || month < 1 || month > 12 || day < 1) return false;
            int days = month == 2 ? (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28)
                : month == 4 || month == 6 || month == 9 || month == 11 ? 30 : 31;
            return day <= days;
        }

        /// <summary>
        /// Enum member names (and <c>true</c>/<c>false</c>): equal byte for byte, except that ASCII letters match
        /// either case. A non-ASCII letter matches only itself, as the same UTF-8 bytes, on both sides: case folding
        /// beyond ASCII depends on the Unicode tables of whichever runtime runs the build.
        /// </summary>
        public static bool NameEquals(ReadOnlySpan<byte> text, ReadOnlySpan<byte> name)
        {
            if (text.Length != name.Length) return false;
            for (int i = 0; i < text.Length; i++)
            {
                byte a = text[i], b = name[i];
                if (a == b) continue;
                if ((a | 0x20) != (b | 0x20) || (uint)((a | 0x20) - 'a') > 'z' - 'a') return false;
            }
            return true;
        }

        /// <summary>
        /// Pattern segments (<c>&lt;name&gt;.&lt;ext&gt;</c>) are split from the right: this peels the rightmost
        /// parameter off <c>segment[start..end]</c> at the last <paramref name="separator"/> that leaves both sides
        /// non-empty (so on <c>a.b.c</c>, ext = c and name = a.b).
        /// </summary>
        /// <param name="segment">The segment.</param>
        /// <param name="start">Where the pattern's parameters start (after its literal prefix).</param>
        /// <param name="end">Where the current parameter ends; on success, where the separator starts.</param>
        /// <param name="separator">The literal between this parameter and the previous one.</param>
        /// <param name="valueStart">Where the peeled value starts (it ends at the old <paramref name="end"/>).</param>
        /// <returns>Whether such a separator exists.</returns>
        public static bool PeelRight(ReadOnlySpan<byte> segment, int start, ref int end, ReadOnlySpan<byte> separator, out int valueStart)
        {
            valueStart = 0;
            int from = start + 1, to = end - 1;        // leave at least one byte on each side
            if (to - from < separator.Length) return false;
            int found = segment.Slice(from, to - from).LastIndexOf(separator);
            if (found < 0) return false;
            found += from;
            valueStart = found + separator.Length;
            end = found;
            return true;
        }

        private static bool IsHex(byte b) => (uint)(b - '0') <= 9 || (uint)((b | 0x20) - 'a') <= 'f' - 'a';

        private static bool Digits(ReadOnlySpan<byte> text, int start, int count, out int value)
        {
            value = 0;
            for (int i = start; i < start + count; i++)
            {
                uint digit = (uint)(text[i] - '0');
                if (digit > 9) return false;
                value = value * 10 + (int)digit;
            }
            return true;
        }
    }
}

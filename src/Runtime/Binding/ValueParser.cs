using System.Globalization;
using System.Numerics;
using System.Text;
using Kiln.Shared;

namespace Kiln.Binding;

/// <summary>
/// Parses route segments, query values and header values (UTF-8) into typed values by Kiln's value grammar — the
/// rules the generator builds the matcher on, from the same source files (src/Shared): integers are <c>-?[0-9]+</c>
/// (a sign only for signed types) within range; floats <c>-?digits(.digits)?(e±digits)?</c>, finite; Guid in "D" or
/// "N" format; bool <c>true</c>/<c>false</c> (ASCII case-insensitive); DateOnly <c>yyyy-MM-dd</c>; DateTime and
/// DateTimeOffset ISO 8601 (<c>Kiln.Shared.IsoDateTime</c>). No whitespace, no culture, never the server's time zone.
/// Generated adapters call these; so can your own code, to parse the way routes do.
/// </summary>
public static class ValueParser
{
    private const NumberStyles FloatStyles = NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent;

    /// <summary>Parses an integer already known to fit the grammar and the range of <typeparamref name="T"/>.</summary>
    private static bool TryParseInteger<T>(ReadOnlySpan<byte> text, IntegerType type, out T value) where T : IBinaryInteger<T>
    {
        value = T.Zero;
        if (!ValueGrammar.IsInteger(text, type)) return false;
        bool negative = text[0] == '-';
        T ten = T.CreateTruncating(10);
        T acc = T.Zero;
        // In range by the check above, so no step overflows; a negative value accumulates downwards to reach MinValue.
        for (int i = negative ? 1 : 0; i < text.Length; i++)
        {
            T digit = T.CreateTruncating(text[i] - '0');
            acc = negative ? acc * ten - digit : acc * ten + digit;
        }
        value = acc;
        return true;
    }

    /// <summary>Parses an <see cref="int"/>.</summary>
    /// <param name="text">UTF-8 text.</param>
    /// <param name="value">The value.</param>
    /// <returns>Whether it parsed.</returns>
    public static bool TryParse(ReadOnlySpan<byte> text, out int value)
    {
        // The common case, kept branch-light: up to 9 digits without a sign cannot overflow.
        value = 0;
        if ((uint)(text.Length - 1) < 9 && text[0] != '-')
        {
            int acc = 0;
            foreach (byte b in text)
            {
                uint digit = (uint)(b - '0');
                if (digit > 9) return false;
                acc = acc * 10 + (int)digit;
            }
            value = acc;
            return true;
        }
        return TryParseInteger(text, IntegerType.Int32, out value);
    }

    /// <summary>Parses a <see cref="long"/>.</summary><param name="text">UTF-8 text.</param><param name="value">The value.</param><returns>Whether it parsed.</returns>
    public static bool TryParse(ReadOnlySpan<byte> text, out long value) => TryParseInteger(text, IntegerType.Int64, out value);
    /// <summary>Parses a <see cref="short"/>.</summary><param name="text">UTF-8 text.</param><param name="value">The value.</param><returns>Whether it parsed.</returns>
    public static bool TryParse(ReadOnlySpan<byte> text, out short value) => TryParseInteger(text, IntegerType.Int16, out value);
    /// <summary>Parses an <see cref="sbyte"/>.</summary><param name="text">UTF-8 text.</param><param name="value">The value.</param><returns>Whether it parsed.</returns>
    public static bool TryParse(ReadOnlySpan<byte> text, out sbyte value) => TryParseInteger(text, IntegerType.SByte, out value);
    /// <summary>Parses a <see cref="byte"/>.</summary><param name="text">UTF-8 text.</param><param name="value">The value.</param><returns>Whether it parsed.</returns>
    public static bool TryParse(ReadOnlySpan<byte> text, out byte value) => TryParseInteger(text, IntegerType.Byte, out value);
    /// <summary>Parses a <see cref="ushort"/>.</summary><param name="text">UTF-8 text.</param><param name="value">The value.</param><returns>Whether it parsed.</returns>
    public static bool TryParse(ReadOnlySpan<byte> text, out ushort value) => TryParseInteger(text, IntegerType.UInt16, out value);
    /// <summary>Parses a <see cref="uint"/>.</summary><param name="text">UTF-8 text.</param><param name="value">The value.</param><returns>Whether it parsed.</returns>
    public static bool TryParse(ReadOnlySpan<byte> text, out uint value) => TryParseInteger(text, IntegerType.UInt32, out value);
    /// <summary>Parses a <see cref="ulong"/>.</summary><param name="text">UTF-8 text.</param><param name="value">The value.</param><returns>Whether it parsed.</returns>
    public static bool TryParse(ReadOnlySpan<byte> text, out ulong value) => TryParseInteger(text, IntegerType.UInt64, out value);
    /// <summary>Parses an <see cref="Int128"/>.</summary><param name="text">UTF-8 text.</param><param name="value">The value.</param><returns>Whether it parsed.</returns>
    public static bool TryParse(ReadOnlySpan<byte> text, out Int128 value) => TryParseInteger(text, IntegerType.Int128, out value);
    /// <summary>Parses a <see cref="UInt128"/>.</summary><param name="text">UTF-8 text.</param><param name="value">The value.</param><returns>Whether it parsed.</returns>
    public static bool TryParse(ReadOnlySpan<byte> text, out UInt128 value) => TryParseInteger(text, IntegerType.UInt128, out value);

    /// <summary>Parses a <see cref="decimal"/> (no exponent).</summary><param name="text">UTF-8 text.</param><param name="value">The value.</param><returns>Whether it parsed.</returns>
    public static bool TryParse(ReadOnlySpan<byte> text, out decimal value)
    {
        value = 0;
        return ValueGrammar.IsFloat(text, allowExponent: false)
            && decimal.TryParse(text, FloatStyles & ~NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>Parses a finite <see cref="double"/>.</summary><param name="text">UTF-8 text.</param><param name="value">The value.</param><returns>Whether it parsed.</returns>
    public static bool TryParse(ReadOnlySpan<byte> text, out double value)
    {
        value = 0;
        return ValueGrammar.IsFloat(text, allowExponent: true)
            && double.TryParse(text, FloatStyles, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);
    }

    /// <summary>Parses a finite <see cref="float"/>.</summary><param name="text">UTF-8 text.</param><param name="value">The value.</param><returns>Whether it parsed.</returns>
    public static bool TryParse(ReadOnlySpan<byte> text, out float value)
    {
        value = 0;
        return ValueGrammar.IsFloat(text, allowExponent: true)
            && float.TryParse(text, FloatStyles, CultureInfo.InvariantCulture, out value) && float.IsFinite(value);
    }

    /// <summary>Parses a <see cref="bool"/>: <c>true</c> or <c>false</c>, ASCII case-insensitive.</summary><param name="text">UTF-8 text.</param><param name="value">The value.</param><returns>Whether it parsed.</returns>
    public static bool TryParse(ReadOnlySpan<byte> text, out bool value) => ValueGrammar.TryParseBool(text, out value);

    /// <summary>Parses a <see cref="Guid"/> in "D" (dashed) or "N" (32 digits) format.</summary><param name="text">UTF-8 text.</param><param name="value">The value.</param><returns>Whether it parsed.</returns>
    public static bool TryParse(ReadOnlySpan<byte> text, out Guid value)
    {
        value = default;
        if (!ValueGrammar.IsGuid(text)) return false;
        Span<char> chars = stackalloc char[36];
        for (int i = 0; i < text.Length; i++) chars[i] = (char)text[i];   // ASCII: the grammar allows hex digits and dashes only
        return Guid.TryParseExact(chars[..text.Length], text.Length == 32 ? "N" : "D", out value);
    }

    /// <summary>Parses a <see cref="DateOnly"/> as <c>yyyy-MM-dd</c>.</summary><param name="text">UTF-8 text.</param><param name="value">The value.</param><returns>Whether it parsed.</returns>
    public static bool TryParse(ReadOnlySpan<byte> text, out DateOnly value)
    {
        bool ok = ValueGrammar.TryParseDate(text, out int year, out int month, out int day);
        value = ok ? new DateOnly(year, month, day) : default;
        return ok;
    }

    /// <summary>
    /// Parses a <see cref="DateTime"/> in ISO 8601 (<c>2024-05-01</c>, <c>2024-05-01T08:30:00Z</c>,
    /// <c>2024-05-01T10:30:00.5+02:00</c>): with an offset it is converted to UTC (<see cref="DateTimeKind.Utc"/>), without
    /// one it is the time as written (<see cref="DateTimeKind.Unspecified"/>) — never the server's local time.
    /// </summary><param name="text">UTF-8 text.</param><param name="value">The value.</param><returns>Whether it parsed.</returns>
    public static bool TryParse(ReadOnlySpan<byte> text, out DateTime value) => IsoDateTime.TryParseDateTime(text, out value);

    /// <summary>Parses a <see cref="DateTimeOffset"/> in ISO 8601, keeping the written offset (zero when none is written).</summary>
    /// <param name="text">UTF-8 text.</param><param name="value">The value.</param><returns>Whether it parsed.</returns>
    public static bool TryParse(ReadOnlySpan<byte> text, out DateTimeOffset value) => IsoDateTime.TryParseDateTimeOffset(text, out value);

    /// <summary>Parses any <see cref="ISpanParsable{TSelf}"/> from UTF-8 (decoding <c>%2F</c>/<c>%25</c> first), with the invariant culture.</summary>
    /// <typeparam name="T">The type.</typeparam>
    /// <param name="text">UTF-8 text.</param>
    /// <param name="value">The value.</param>
    /// <returns>Whether it parsed.</returns>
    public static bool TryParseSpanParsable<T>(ReadOnlySpan<byte> text, out T value) where T : ISpanParsable<T>
    {
        value = default!;
        if (text.IsEmpty) return false;
        if (text.IndexOf((byte)'%') >= 0)
            return T.TryParse(Routing.RoutePath.Decode(text), CultureInfo.InvariantCulture, out value!);
        Span<char> chars = text.Length <= 256 ? stackalloc char[text.Length] : new char[text.Length];
        if (!Encoding.UTF8.TryGetChars(text, chars, out int written)) return false;
        return T.TryParse(chars[..written], CultureInfo.InvariantCulture, out value!);
    }
}

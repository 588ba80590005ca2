using System.Globalization;
using System.Numerics;
using System.Text;

namespace Kiln.Binding;

/// <summary>
/// Parses route segments (UTF-8), query values and header values into typed values with one strict rule set,
/// which the generator mirrors at build time: integers are <c>-?[0-9]+</c> (a sign only for signed types) within
/// range; floats <c>-?digits(.digits)?(e±digits)?</c>, finite; Guid in "D" or "N" format; bool <c>true</c>/<c>false</c>
/// (any case); DateOnly <c>yyyy-MM-dd</c>; DateTime and DateTimeOffset ISO 8601 (<c>Kiln.Shared.IsoDateTime</c>).
/// No whitespace, no culture, never the server's time zone.
/// </summary>
public static class ValueParser
{
    private const NumberStyles FloatStyles = NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent;

    /// <summary>Parses an integer of type <typeparamref name="T"/>.</summary>
    /// <typeparam name="T">An integer type.</typeparam>
    /// <param name="text">UTF-8 text.</param>
    /// <param name="value">The value.</param>
    /// <returns>Whether the text is a valid, in-range integer.</returns>
    public static bool TryParseInteger<T>(ReadOnlySpan<byte> text, out T value) where T : IBinaryInteger<T>, IMinMaxValue<T>
    {
        value = T.Zero;
        if (text.IsEmpty) return false;
        bool negative = text[0] == '-';
        int i = negative ? 1 : 0;
        if (i == text.Length) return false;
        if (negative && T.IsZero(T.MinValue)) return false;
        T ten = T.CreateTruncating(10);
        T acc = T.Zero;
        for (; i < text.Length; i++)
        {
            uint digit = (uint)(text[i] - '0');
            if (digit > 9) return false;
            T d = T.CreateTruncating(digit);
            if (negative)
            {
                // acc*10 - d >= Min  <=>  acc >= (Min + d) / 10
                if (acc < (T.MinValue + d) / ten) return false;
                acc = acc * ten - d;
            }
            else
            {
                if (acc > (T.MaxValue - d) / ten) return false;
                acc = acc * ten + d;
            }
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
        // The common case, kept branch-light: up to 9 digits cannot overflow.
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
        return TryParseInteger(text, out value);
    }

    /// <summary>Parses a <see cref="long"/>.</summary><param name="text">UTF-8 text.</param><param name="value">The value.</param><returns>Whether it parsed.</returns>
    public static bool TryParse(ReadOnlySpan<byte> text, out long value) => TryParseInteger(text, out value);
    /// <summary>Parses a <see cref="short"/>.</summary><param name="text">UTF-8 text.</param><param name="value">The value.</param><returns>Whether it parsed.</returns>
    public static bool TryParse(ReadOnlySpan<byte> text, out short value) => TryParseInteger(text, out value);
    /// <summary>Parses an <see cref="sbyte"/>.</summary><param name="text">UTF-8 text.</param><param name="value">The value.</param><returns>Whether it parsed.</returns>
    public static bool TryParse(ReadOnlySpan<byte> text, out sbyte value) => TryParseInteger(text, out value);
    /// <summary>Parses a <see cref="byte"/>.</summary><param name="text">UTF-8 text.</param><param name="value">The value.</param><returns>Whether it parsed.</returns>
    public static bool TryParse(ReadOnlySpan<byte> text, out byte value) => TryParseInteger(text, out value);
    /// <summary>Parses a <see cref="ushort"/>.</summary><param name="text">UTF-8 text.</param><param name="value">The value.</param><returns>Whether it parsed.</returns>
    public static bool TryParse(ReadOnlySpan<byte> text, out ushort value) => TryParseInteger(text, out value);
    /// <summary>Parses a <see cref="uint"/>.</summary><param name="text">UTF-8 text.</param><param name="value">The value.</param><returns>Whether it parsed.</returns>
    public static bool TryParse(ReadOnlySpan<byte> text, out uint value) => TryParseInteger(text, out value);
    /// <summary>Parses a <see cref="ulong"/>.</summary><param name="text">UTF-8 text.</param><param name="value">The value.</param><returns>Whether it parsed.</returns>
    public static bool TryParse(ReadOnlySpan<byte> text, out ulong value) => TryParseInteger(text, out value);
    /// <summary>Parses an <see cref="Int128"/>.</summary><param name="text">UTF-8 text.</param><param name="value">The value.</param><returns>Whether it parsed.</returns>
    public static bool TryParse(ReadOnlySpan<byte> text, out Int128 value) => TryParseInteger(text, out value);
    /// <summary>Parses a <see cref="UInt128"/>.</summary><param name="text">UTF-8 text.</param><param name="value">The value.</param><returns>Whether it parsed.</returns>
    public static bool TryParse(ReadOnlySpan<byte> text, out UInt128 value) => TryParseInteger(text, out value);

    /// <summary>Parses a <see cref="decimal"/> (no exponent).</summary><param name="text">UTF-8 text.</param><param name="value">The value.</param><returns>Whether it parsed.</returns>
    public static bool TryParse(ReadOnlySpan<byte> text, out decimal value)
    {
        value = 0;
        return IsFloatSyntax(text, allowExponent: false)
            && decimal.TryParse(text, FloatStyles & ~NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>Parses a finite <see cref="double"/>.</summary><param name="text">UTF-8 text.</param><param name="value">The value.</param><returns>Whether it parsed.</returns>
    public static bool TryParse(ReadOnlySpan<byte> text, out double value)
    {
        value = 0;
        return IsFloatSyntax(text, allowExponent: true)
            && double.TryParse(text, FloatStyles, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);
    }

    /// <summary>Parses a finite <see cref="float"/>.</summary><param name="text">UTF-8 text.</param><param name="value">The value.</param><returns>Whether it parsed.</returns>
    public static bool TryParse(ReadOnlySpan<byte> text, out float value)
    {
        value = 0;
        return IsFloatSyntax(text, allowExponent: true)
            && float.TryParse(text, FloatStyles, CultureInfo.InvariantCulture, out value) && float.IsFinite(value);
    }

    /// <summary>Parses a <see cref="bool"/>: <c>true</c> or <c>false</c>, any case.</summary><param name="text">UTF-8 text.</param><param name="value">The value.</param><returns>Whether it parsed.</returns>
    public static bool TryParse(ReadOnlySpan<byte> text, out bool value)
    {
        value = Ascii.EqualsIgnoreCase(text, "true"u8);
        return value || Ascii.EqualsIgnoreCase(text, "false"u8);
    }

    /// <summary>Parses a <see cref="Guid"/> in "D" (dashed) or "N" (32 digits) format.</summary><param name="text">UTF-8 text.</param><param name="value">The value.</param><returns>Whether it parsed.</returns>
    public static bool TryParse(ReadOnlySpan<byte> text, out Guid value)
    {
        value = default;
        if (text.Length is not (32 or 36)) return false;
        Span<char> chars = stackalloc char[36];
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] > 127) return false;
            chars[i] = (char)text[i];
        }
        return Guid.TryParseExact(chars[..text.Length], text.Length == 32 ? "N" : "D", out value);
    }

    /// <summary>Parses a <see cref="DateOnly"/> as <c>yyyy-MM-dd</c>.</summary><param name="text">UTF-8 text.</param><param name="value">The value.</param><returns>Whether it parsed.</returns>
    public static bool TryParse(ReadOnlySpan<byte> text, out DateOnly value)
    {
        value = default;
        if (text.Length != 10) return false;
        Span<char> chars = stackalloc char[10];
        for (int i = 0; i < 10; i++)
        {
            if (text[i] > 127) return false;
            chars[i] = (char)text[i];
        }
        return DateOnly.TryParseExact(chars, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out value);
    }

    /// <summary>
    /// Parses a <see cref="DateTime"/> in ISO 8601 (<c>2024-05-01</c>, <c>2024-05-01T08:30:00Z</c>,
    /// <c>2024-05-01T10:30:00.5+02:00</c>): with an offset it is converted to UTC (<see cref="DateTimeKind.Utc"/>), without
    /// one it is the time as written (<see cref="DateTimeKind.Unspecified"/>) — never the server's local time.
    /// </summary><param name="text">UTF-8 text.</param><param name="value">The value.</param><returns>Whether it parsed.</returns>
    public static bool TryParse(ReadOnlySpan<byte> text, out DateTime value) => Shared.IsoDateTime.TryParseDateTime(text, out value);

    /// <summary>Parses a <see cref="DateTimeOffset"/> in ISO 8601, keeping the written offset (zero when none is written).</summary>
    /// <param name="text">UTF-8 text.</param><param name="value">The value.</param><returns>Whether it parsed.</returns>
    public static bool TryParse(ReadOnlySpan<byte> text, out DateTimeOffset value) => Shared.IsoDateTime.TryParseDateTimeOffset(text, out value);

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

    /// <summary>Parses a string value (a query or header value) with the same rules, through its UTF-8 bytes.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The UTF-8 bytes to hand to a <c>TryParse</c> overload (valid until the next call on this thread).</returns>
    public static ReadOnlySpan<byte> Utf8(string text)
    {
        int max = Encoding.UTF8.GetMaxByteCount(text.Length);
        var buffer = t_buffer is { } b && b.Length >= max ? b : t_buffer = new byte[Math.Max(max, 64)];
        int n = Encoding.UTF8.GetBytes(text, buffer);
        return buffer.AsSpan(0, n);
    }

    [ThreadStatic] private static byte[]? t_buffer;

    private static bool IsFloatSyntax(ReadOnlySpan<byte> s, bool allowExponent)
    {
        int i = 0;
        if (i < s.Length && s[i] == '-') i++;
        int digits = 0;
        while (i < s.Length && (uint)(s[i] - '0') <= 9) { i++; digits++; }
        if (i < s.Length && s[i] == '.')
        {
            i++;
            int fraction = 0;
            while (i < s.Length && (uint)(s[i] - '0') <= 9) { i++; fraction++; }
            if (fraction == 0) return false;
            digits += fraction;
        }
        if (digits == 0) return false;
        if (allowExponent && i < s.Length && (s[i] | 0x20) == 'e')
        {
            i++;
            if (i < s.Length && (s[i] == '+' || s[i] == '-')) i++;
            int exponent = 0;
            while (i < s.Length && (uint)(s[i] - '0') <= 9) { i++; exponent++; }
            if (exponent == 0) return false;
        }
        return i == s.Length;
    }
}

using System.Buffers;

namespace Kiln.Http;

/// <summary>Byte classes of RFC 9110/9112 as vectorized <see cref="SearchValues{T}"/> sets.</summary>
internal static class HttpChars
{
    /// <summary>tchar: the bytes of a token (method, field name).</summary>
    public static readonly SearchValues<byte> Token = SearchValues.Create(
        "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"u8);

    /// <summary>Bytes allowed in a request-target: visible ASCII (no space, no control, no DEL, no obs-text).</summary>
    public static readonly SearchValues<byte> Target = SearchValues.Create(Range(0x21, 0x7E));

    /// <summary>Bytes allowed inside a field value: VCHAR, obs-text, SP and HTAB (no other control, no DEL).</summary>
    public static readonly SearchValues<byte> FieldValue = SearchValues.Create([.. Range(0x20, 0x7E), .. Range(0x80, 0xFF), (byte)'\t']);


    private static byte[] Range(int first, int last)
    {
        var bytes = new byte[last - first + 1];
        for (int i = 0; i < bytes.Length; i++) bytes[i] = (byte)(first + i);
        return bytes;
    }

    /// <summary>Whether <paramref name="value"/> is a non-empty token.</summary>
    public static bool IsToken(ReadOnlySpan<byte> value) => !value.IsEmpty && !value.ContainsAnyExcept(Token);

    /// <summary><paramref name="value"/> without leading and trailing SP/HTAB (OWS).</summary>
    public static ReadOnlySpan<byte> TrimOws(ReadOnlySpan<byte> value)
    {
        int start = 0, end = value.Length;
        while (start < end && value[start] is (byte)' ' or (byte)'\t') start++;
        while (end > start && value[end - 1] is (byte)' ' or (byte)'\t') end--;
        return value[start..end];
    }
}

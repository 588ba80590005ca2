using System.Collections;
using System.Text;

namespace Kiln;

/// <summary>
/// The query string (<c>?a=1&amp;b=2</c>) of the request: keys and values are percent-decoded, <c>+</c> is a
/// space. Nothing is parsed or allocated until a key is looked up.
/// </summary>
public sealed class QueryCollection : IEnumerable<KeyValuePair<string, string>>
{
    private byte[] _raw = new byte[256];
    private int _length;

    /// <summary>The raw query bytes without the leading <c>?</c>.</summary>
    public ReadOnlySpan<byte> Raw => _raw.AsSpan(0, _length);

    /// <summary>The first value of <paramref name="key"/>, decoded, or <see langword="null"/> when absent.</summary>
    /// <param name="key">The key, compared after decoding, case-sensitively.</param>
    public string? this[string key]
    {
        get
        {
            foreach (var (k, v) in Pairs())
                if (KeyEquals(k, key)) return DecodeComponent(v);
            return null;
        }
    }

    /// <summary>Every value of <paramref name="key"/> in order (a repeated key gives several).</summary>
    /// <param name="key">The key.</param>
    /// <returns>The decoded values, possibly empty.</returns>
    public string[] GetAll(string key)
    {
        List<string>? list = null;
        foreach (var (k, v) in Pairs())
            if (KeyEquals(k, key)) (list ??= new()).Add(DecodeComponent(v));
        return list?.ToArray() ?? [];
    }

    /// <summary>Whether <paramref name="key"/> occurs.</summary>
    /// <param name="key">The key.</param>
    /// <returns><see langword="true"/> when present.</returns>
    public bool ContainsKey(string key)
    {
        foreach (var (k, _) in Pairs())
            if (KeyEquals(k, key)) return true;
        return false;
    }

    internal void Set(ReadOnlySpan<byte> raw)
    {
        if (raw.Length > _raw.Length) _raw = new byte[Math.Max(raw.Length, _raw.Length * 2)];
        raw.CopyTo(_raw);
        _length = raw.Length;
    }

    private List<(Range Key, Range Value)> Pairs()
    {
        var list = new List<(Range, Range)>();
        var span = Raw;
        int start = 0;
        while (start <= span.Length)
        {
            int amp = span[start..].IndexOf((byte)'&');
            int end = amp < 0 ? span.Length : start + amp;
            if (end > start)
            {
                int eq = span[start..end].IndexOf((byte)'=');
                list.Add(eq < 0 ? (start..end, end..end) : (start..(start + eq), (start + eq + 1)..end));
            }
            start = end + 1;
        }
        return list;
    }

    private bool KeyEquals(Range key, string expected)
    {
        var bytes = Raw[key];
        if (bytes.IndexOfAny((byte)'%', (byte)'+') < 0)
            return bytes.Length == expected.Length && Ascii.Equals(bytes, expected) || Encoding.UTF8.GetString(bytes) == expected;
        return DecodeComponent(key) == expected;
    }

    private string DecodeComponent(Range range) => DecodeComponent(Raw[range]);

    /// <summary>Decodes a query component: <c>+</c> is a space, <c>%XX</c> a byte; the bytes are read as UTF-8.</summary>
    /// <remarks>Malformed escapes are kept literally, as browsers and most servers do for query strings.</remarks>
    internal static string DecodeComponent(ReadOnlySpan<byte> raw)
    {
        if (raw.IndexOfAny((byte)'%', (byte)'+') < 0) return Encoding.UTF8.GetString(raw);
        Span<byte> buffer = raw.Length <= 256 ? stackalloc byte[raw.Length] : new byte[raw.Length];
        int n = 0;
        for (int i = 0; i < raw.Length; i++)
        {
            byte b = raw[i];
            if (b == '+') b = (byte)' ';
            else if (b == '%' && i + 2 < raw.Length && IsHex(raw[i + 1]) && IsHex(raw[i + 2]))
            {
                b = (byte)(HexValue(raw[i + 1]) << 4 | HexValue(raw[i + 2]));
                i += 2;
            }
            buffer[n++] = b;
        }
        return Encoding.UTF8.GetString(buffer[..n]);
    }

    private static bool IsHex(byte b) => char.IsAsciiHexDigit((char)b);

    private static int HexValue(byte b) => b <= '9' ? b - '0' : (b | 0x20) - 'a' + 10;

    /// <summary>Enumerates decoded key/value pairs in order.</summary>
    /// <returns>The enumerator.</returns>
    public IEnumerator<KeyValuePair<string, string>> GetEnumerator()
    {
        foreach (var (k, v) in Pairs())
            yield return new(DecodeComponent(k), DecodeComponent(v));
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

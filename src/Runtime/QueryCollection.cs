using System.Collections;
using System.Text;
using Kiln.Routing;

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
            foreach (var (k, v) in new PairEnumerator(Raw))
                if (KeyEquals(k, key)) return DecodeComponent(Raw[v]);
            return null;
        }
    }

    /// <summary>
    /// The first value of <paramref name="key"/> as decoded UTF-8 bytes, without allocating (generated adapters parse
    /// typed query values from it). The span is valid until the next call on this collection.
    /// </summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The decoded value bytes.</param>
    /// <returns><see langword="true"/> when the key occurs.</returns>
    public bool TryGetUtf8(string key, out ReadOnlySpan<byte> value)
    {
        foreach (var (k, v) in new PairEnumerator(Raw))
        {
            if (!KeyEquals(k, key)) continue;
            var raw = Raw[v];
            if (raw.IndexOfAny((byte)'%', (byte)'+') < 0)
            {
                value = raw;
                return true;
            }
            if (_scratch.Length < raw.Length) _scratch = new byte[Math.Max(raw.Length, 64)];
            value = _scratch.AsSpan(0, DecodeBytes(raw, _scratch));
            return true;
        }
        value = default;
        return false;
    }

    private byte[] _scratch = [];

    /// <summary>Every value of <paramref name="key"/> in order (a repeated key gives several).</summary>
    /// <param name="key">The key.</param>
    /// <returns>The decoded values, possibly empty.</returns>
    public string[] GetAll(string key)
    {
        List<string>? list = null;
        foreach (var (k, v) in new PairEnumerator(Raw))
            if (KeyEquals(k, key)) (list ??= new()).Add(DecodeComponent(Raw[v]));
        return list?.ToArray() ?? [];
    }

    /// <summary>Whether <paramref name="key"/> occurs.</summary>
    /// <param name="key">The key.</param>
    /// <returns><see langword="true"/> when present.</returns>
    public bool ContainsKey(string key)
    {
        foreach (var (k, _) in new PairEnumerator(Raw))
            if (KeyEquals(k, key)) return true;
        return false;
    }

    internal void Set(ReadOnlySpan<byte> raw)
    {
        if (raw.Length > _raw.Length) _raw = new byte[Math.Max(raw.Length, _raw.Length * 2)];
        raw.CopyTo(_raw);
        _length = raw.Length;
    }

    /// <summary>Walks <c>key=value</c> pairs separated by <c>&amp;</c> without allocating.</summary>
    private ref struct PairEnumerator(ReadOnlySpan<byte> raw)
    {
        private readonly ReadOnlySpan<byte> _raw = raw;
        private int _next;

        public (Range Key, Range Value) Current { get; private set; }

        public readonly PairEnumerator GetEnumerator() => this;

        public bool MoveNext()
        {
            while (_next <= _raw.Length)
            {
                int start = _next;
                int amp = _raw[start..].IndexOf((byte)'&');
                int end = amp < 0 ? _raw.Length : start + amp;
                _next = end + 1;
                if (end == start) continue;
                int eq = _raw[start..end].IndexOf((byte)'=');
                Current = eq < 0 ? (start..end, end..end) : (start..(start + eq), (start + eq + 1)..end);
                return true;
            }
            return false;
        }
    }

    private bool KeyEquals(Range key, string expected)
    {
        var bytes = Raw[key];
        if (bytes.IndexOfAny((byte)'%', (byte)'+') < 0)
            return Ascii.IsValid(bytes) ? bytes.Length == expected.Length && Ascii.Equals(bytes, expected) : Encoding.UTF8.GetString(bytes) == expected;
        return DecodeComponent(bytes) == expected;
    }

    /// <summary>Decodes a query component: <c>+</c> is a space, <c>%XX</c> a byte; the bytes are read as UTF-8.</summary>
    /// <remarks>Malformed escapes are kept literally, as browsers and most servers do for query strings.</remarks>
    internal static string DecodeComponent(ReadOnlySpan<byte> raw)
    {
        if (raw.IndexOfAny((byte)'%', (byte)'+') < 0) return Encoding.UTF8.GetString(raw);
        Span<byte> buffer = raw.Length <= 256 ? stackalloc byte[raw.Length] : new byte[raw.Length];
        return Encoding.UTF8.GetString(buffer[..DecodeBytes(raw, buffer)]);
    }

    /// <summary>Decodes <c>+</c> and <c>%XX</c> into <paramref name="output"/> (at least as long as the input); returns the length.</summary>
    private static int DecodeBytes(ReadOnlySpan<byte> raw, Span<byte> output)
    {
        int n = 0;
        for (int i = 0; i < raw.Length; i++)
        {
            byte b = raw[i];
            if (b == '+') b = (byte)' ';
            else if (b == '%' && i + 2 < raw.Length && PathNormalizer.IsHex(raw[i + 1]) && PathNormalizer.IsHex(raw[i + 2]))
            {
                b = (byte)(PathNormalizer.Hex(raw[i + 1]) << 4 | PathNormalizer.Hex(raw[i + 2]));
                i += 2;
            }
            output[n++] = b;
        }
        return n;
    }

    /// <summary>Enumerates decoded key/value pairs in order.</summary>
    /// <returns>The enumerator.</returns>
    public IEnumerator<KeyValuePair<string, string>> GetEnumerator()
    {
        var pairs = new List<(Range, Range)>();
        foreach (var pair in new PairEnumerator(Raw)) pairs.Add(pair);
        foreach (var (k, v) in pairs)
            yield return new(DecodeComponent(Raw[k]), DecodeComponent(Raw[v]));
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

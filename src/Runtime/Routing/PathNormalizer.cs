namespace Kiln.Routing;

/// <summary>
/// Turns a raw request path into the form routes are matched against: percent-decoded (except <c>%2F</c> and
/// <c>%25</c>, kept as upper-case escapes), with <c>.</c> and <c>..</c> segments resolved (RFC 3986 §5.2.4).
/// </summary>
internal static class PathNormalizer
{
    /// <summary>Whether the raw path needs decoding or dot-segment removal (most paths do not).</summary>
    public static bool NeedsWork(ReadOnlySpan<byte> raw)
    {
        if (raw.IsEmpty || raw[0] != '/') return true;
        // One vectorized scan decides most paths: no '%' and no '.' means nothing to decode or resolve.
        if (raw.IndexOfAny((byte)'%', (byte)'.') < 0) return false;
        if (raw.IndexOf((byte)'%') >= 0) return true;
        int i = raw.IndexOf("/."u8);
        while (i >= 0)
        {
            int next = i + 2;
            if (next == raw.Length || raw[next] == '/') return true;                       // "/."
            if (raw[next] == '.' && (next + 1 == raw.Length || raw[next + 1] == '/')) return true; // "/.."
            int more = raw[next..].IndexOf("/."u8);
            i = more < 0 ? -1 : next + more;
        }
        return false;
    }

    /// <summary>Normalizes <paramref name="raw"/> into <paramref name="output"/> (at least as long as raw).</summary>
    /// <returns>The output length, or -2 when the path is malformed (no leading '/', bad escape, or above the root).</returns>
    public static int Normalize(ReadOnlySpan<byte> raw, Span<byte> output)
    {
        if (raw.IsEmpty || raw[0] != '/') return -2;

        // Pass 1: percent-decode into output.
        int n = 0;
        for (int i = 0; i < raw.Length; i++)
        {
            byte b = raw[i];
            if (b != '%') { output[n++] = b; continue; }
            if (i + 2 >= raw.Length || !IsHex(raw[i + 1]) || !IsHex(raw[i + 2])) return -2;
            byte decoded = (byte)(Hex(raw[i + 1]) << 4 | Hex(raw[i + 2]));
            i += 2;
            if (decoded is (byte)'/' or (byte)'%')
            {
                output[n++] = (byte)'%';
                output[n++] = (byte)'2';
                output[n++] = decoded == '/' ? (byte)'F' : (byte)'5';
            }
            else if (decoded == 0) return -2;   // NUL in a path is never legitimate
            else output[n++] = decoded;
        }

        // Pass 2: remove dot segments in place. Segments are copied left; ".." pops the last one.
        var path = output[..n];
        int write = 0;
        int read = 0;
        while (read < n)
        {
            // path[read] == '/'
            int end = path[(read + 1)..].IndexOf((byte)'/');
            end = end < 0 ? n : read + 1 + end;
            var segment = path[(read + 1)..end];
            bool last = end == n;
            if (segment.Length == 1 && segment[0] == '.')
            {
                if (last) path[write++] = (byte)'/';
            }
            else if (segment.Length == 2 && segment[0] == '.' && segment[1] == '.')
            {
                if (write == 0) return -2;           // climbing above "/"
                int slash = path[..write].LastIndexOf((byte)'/');
                write = slash;
                if (last) path[write++] = (byte)'/';
            }
            else
            {
                path[write++] = (byte)'/';
                segment.CopyTo(path[write..]);
                write += segment.Length;
            }
            read = end;
        }
        if (write == 0) path[write++] = (byte)'/';
        return write;
    }

    /// <summary>Whether <paramref name="b"/> is an ASCII hex digit (shared by every percent-decoder here).</summary>
    internal static bool IsHex(byte b) => b is >= (byte)'0' and <= (byte)'9' or >= (byte)'a' and <= (byte)'f' or >= (byte)'A' and <= (byte)'F';

    /// <summary>The value of the hex digit <paramref name="b"/>.</summary>
    internal static int Hex(byte b) => b <= '9' ? b - '0' : (b | 0x20) - 'a' + 10;
}

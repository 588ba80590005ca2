using System.Text;

namespace Kiln.Routing;

/// <summary>
/// The request path as the router sees it — percent-decoded, dot segments removed — and the segment
/// boundaries the generated matcher records while it walks it (through <see cref="Router.PathReader"/>). One per
/// <see cref="Request"/>, reused; generated adapters read route values through <see cref="Router"/>'s protected API.
/// </summary>
/// <remarks>
/// Decoding keeps <c>%2F</c> and <c>%25</c> encoded (upper-case) so an encoded slash cannot split a segment and a
/// decoded path cannot be decoded twice; <see cref="SegmentString"/> decodes them when a value is bound.
/// When the raw path has no <c>%</c> and no dot segment, the raw bytes are used as they are (no copy).
/// </remarks>
internal sealed class RoutePath
{
    /// <summary>The most segments a path may have and still be matched.</summary>
    public const int MaxSegments = 64;

    private byte[] _decoded = new byte[256];
    private readonly int[] _bounds = new int[MaxSegments * 2];
    private byte[]? _source;        // the bytes Bytes refers to: _decoded, or the request's own target buffer
    private int _length = -1;       // -1: not computed yet; -2: malformed

    internal void Reset() => _length = -1;

    /// <summary>The normalized path; valid after <see cref="TryGet"/> returned <see langword="true"/>.</summary>
    public ReadOnlySpan<byte> Bytes => _source.AsSpan(0, Math.Max(_length, 0));

    /// <summary>Normalizes <paramref name="rawPath"/> (once per request) and returns it.</summary>
    /// <param name="rawPath">The raw path bytes of the request-target.</param>
    /// <param name="path">The normalized path.</param>
    /// <returns><see langword="false"/> when the path is malformed: not starting with '/', bad percent-encoding, or climbing above the root.</returns>
    public bool TryGet(ReadOnlySpan<byte> rawPath, out ReadOnlySpan<byte> path)
    {
        if (_length == -1)
        {
            if (rawPath.Length > _decoded.Length) _decoded = new byte[rawPath.Length];
            if (PathNormalizer.NeedsWork(rawPath))
            {
                _length = PathNormalizer.Normalize(rawPath, _decoded);
            }
            else
            {
                rawPath.CopyTo(_decoded);
                _length = rawPath.Length;
            }
            _source = _decoded;
        }
        path = Bytes;
        return _length >= 0;
    }

    /// <summary>
    /// Normalizes the request's own target buffer: when nothing needs decoding (the common case) the path is used
    /// in place, without a copy.
    /// </summary>
    internal bool TryGetInPlace(byte[] target, int pathLength, out ReadOnlySpan<byte> path)
    {
        if (_length == -1)
        {
            var raw = target.AsSpan(0, pathLength);
            if (PathNormalizer.NeedsWork(raw)) return TryGet(raw, out path);
            _source = target;
            _length = pathLength;
        }
        path = Bytes;
        return _length >= 0;
    }

    /// <summary>Where the matcher records segment boundaries: segment i is <c>Bytes[bounds[2i]..bounds[2i + 1]]</c>.</summary>
    public Span<int> Bounds => _bounds;

    /// <summary>Segment <paramref name="index"/> as recorded by the matcher (still with <c>%2F</c>/<c>%25</c> encoded).</summary>
    /// <param name="index">The segment index.</param>
    /// <returns>The segment bytes.</returns>
    public ReadOnlySpan<byte> Segment(int index) => Bytes[_bounds[index * 2].._bounds[index * 2 + 1]];

    /// <summary>The rest of the path from segment <paramref name="index"/> on, for catch-all parameters (may be empty).</summary>
    /// <param name="index">The segment index of the catch-all.</param>
    /// <returns>The remaining bytes.</returns>
    public ReadOnlySpan<byte> Rest(int index) => Bytes[Math.Min(_bounds[index * 2], Bytes.Length)..];

    /// <summary>Decodes route value bytes to a string, turning <c>%2F</c> and <c>%25</c> back into <c>/</c> and <c>%</c>.</summary>
    /// <param name="value">Bytes from <see cref="Segment"/> or <see cref="Rest"/>.</param>
    /// <returns>The value.</returns>
    public static string Decode(ReadOnlySpan<byte> value)
    {
        if (value.IndexOf((byte)'%') < 0) return Encoding.UTF8.GetString(value);
        Span<byte> buffer = value.Length <= 512 ? stackalloc byte[value.Length] : new byte[value.Length];
        int n = 0;
        for (int i = 0; i < value.Length; i++)
        {
            if (value[i] == '%' && i + 2 < value.Length)
            {
                buffer[n++] = value[i + 2] == 'F' ? (byte)'/' : (byte)'%';
                i += 2;
            }
            else buffer[n++] = value[i];
        }
        return Encoding.UTF8.GetString(buffer[..n]);
    }

    /// <summary>Segment <paramref name="index"/> decoded to a string.</summary>
    /// <param name="index">The segment index.</param>
    /// <returns>The value.</returns>
    public string SegmentString(int index) => Decode(Segment(index));
}

using System.Collections;
using System.Text;

namespace Kiln;

/// <summary>
/// The request's header fields, kept as bytes in a buffer the connection reuses: looking a field up compares
/// bytes case-insensitively and only the value asked for becomes a string.
/// </summary>
public sealed class RequestHeaders : IEnumerable<KeyValuePair<string, string>>
{
    private byte[] _buffer = new byte[1024];
    private int _used;
    private Entry[] _entries = new Entry[16];
    private int _count;

    private readonly record struct Entry(int NameStart, int NameLength, int ValueStart, int ValueLength);

    /// <summary>The number of header fields (a repeated name counts once per line).</summary>
    public int Count => _count;

    /// <summary>
    /// The value of the field <paramref name="name"/> (case-insensitive), or <see langword="null"/>. Repeated fields
    /// are joined with <c>", "</c> as RFC 9110 §5.3 allows for list-valued fields.
    /// </summary>
    /// <param name="name">The field name.</param>
    public string? this[string name]
    {
        get
        {
            string? result = null;
            for (int i = 0; i < _count; i++)
            {
                if (!NameEquals(i, name)) continue;
                var value = Decode(ValueSpan(i));
                result = result is null ? value : result + ", " + value;
            }
            return result;
        }
    }

    /// <summary>Every value of the field <paramref name="name"/>, one per line it was sent on.</summary>
    /// <param name="name">The field name.</param>
    /// <returns>The values, possibly empty.</returns>
    public string[] GetValues(string name)
    {
        var list = new List<string>();
        for (int i = 0; i < _count; i++)
            if (NameEquals(i, name)) list.Add(Decode(ValueSpan(i)));
        return list.ToArray();
    }

    /// <summary>Whether the field <paramref name="name"/> was sent.</summary>
    /// <param name="name">The field name.</param>
    /// <returns><see langword="true"/> when present.</returns>
    public bool Contains(string name)
    {
        for (int i = 0; i < _count; i++)
            if (NameEquals(i, name)) return true;
        return false;
    }

    /// <summary>The raw bytes of the first value of <paramref name="name"/>, valid until the request ends.</summary>
    /// <param name="name">The field name, ASCII.</param>
    /// <param name="value">The value bytes (without surrounding whitespace).</param>
    /// <returns><see langword="true"/> when present.</returns>
    public bool TryGetRaw(ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        for (int i = 0; i < _count; i++)
        {
            var e = _entries[i];
            if (Ascii.EqualsIgnoreCase(_buffer.AsSpan(e.NameStart, e.NameLength), name))
            {
                value = _buffer.AsSpan(e.ValueStart, e.ValueLength);
                return true;
            }
        }
        value = default;
        return false;
    }

    /// <summary>The name of field <paramref name="index"/> as bytes.</summary>
    internal ReadOnlySpan<byte> NameSpan(int index) => _buffer.AsSpan(_entries[index].NameStart, _entries[index].NameLength);

    /// <summary>The value of field <paramref name="index"/> as bytes.</summary>
    internal ReadOnlySpan<byte> ValueSpan(int index) => _buffer.AsSpan(_entries[index].ValueStart, _entries[index].ValueLength);

    internal void Clear()
    {
        _used = 0;
        _count = 0;
    }

    /// <summary>Appends a field; the bytes are copied, so the caller's spans may be reused afterwards.</summary>
    internal void Add(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        int need = _used + name.Length + value.Length;
        if (need > _buffer.Length)
            Array.Resize(ref _buffer, Math.Max(need, _buffer.Length * 2));
        if (_count == _entries.Length)
            Array.Resize(ref _entries, _entries.Length * 2);
        name.CopyTo(_buffer.AsSpan(_used));
        int valueStart = _used + name.Length;
        value.CopyTo(_buffer.AsSpan(valueStart));
        _entries[_count++] = new Entry(_used, name.Length, valueStart, value.Length);
        _used = need;
    }

    /// <summary>Replaces every field <paramref name="name"/> with one field (middleware use, e.g. forwarded headers).</summary>
    /// <param name="name">The field name.</param>
    /// <param name="value">The new value, or <see langword="null"/> to remove the field.</param>
    public void Set(string name, string? value)
    {
        int kept = 0;
        for (int i = 0; i < _count; i++)
            if (!NameEquals(i, name)) _entries[kept++] = _entries[i];
        _count = kept;
        if (value is not null)
            Add(Encoding.ASCII.GetBytes(name), Encoding.UTF8.GetBytes(value));
    }

    private bool NameEquals(int index, string name)
    {
        var e = _entries[index];
        return e.NameLength == name.Length && Ascii.EqualsIgnoreCase(_buffer.AsSpan(e.NameStart, e.NameLength), name);
    }

    // Field values are decoded as UTF-8 (invalid sequences become U+FFFD); the parser has already
    // rejected control characters. Most clients send ASCII; UTF-8 is what application code expects.
    private static string Decode(ReadOnlySpan<byte> bytes) => bytes.IsEmpty ? "" : Encoding.UTF8.GetString(bytes);

    /// <summary>Enumerates the fields as name/value pairs in the order they were received.</summary>
    /// <returns>The enumerator.</returns>
    public IEnumerator<KeyValuePair<string, string>> GetEnumerator()
    {
        for (int i = 0; i < _count; i++)
            yield return new(Encoding.ASCII.GetString(NameSpan(i)), Decode(ValueSpan(i)));
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

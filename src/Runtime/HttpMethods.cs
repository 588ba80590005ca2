using System.Text;

namespace Kiln;

/// <summary>Method tokens as interned strings, so the common methods never allocate per request.</summary>
public static class HttpMethods
{
    /// <summary>GET.</summary>
    public const string Get = "GET";
    /// <summary>HEAD.</summary>
    public const string Head = "HEAD";
    /// <summary>POST.</summary>
    public const string Post = "POST";
    /// <summary>PUT.</summary>
    public const string Put = "PUT";
    /// <summary>DELETE.</summary>
    public const string Delete = "DELETE";
    /// <summary>PATCH.</summary>
    public const string Patch = "PATCH";
    /// <summary>OPTIONS.</summary>
    public const string Options = "OPTIONS";
    /// <summary>TRACE.</summary>
    public const string Trace = "TRACE";
    /// <summary>CONNECT.</summary>
    public const string Connect = "CONNECT";

    /// <summary>Returns the interned string for a known method token, or a new string for any other token.</summary>
    /// <param name="token">The method token bytes (already validated as a token).</param>
    /// <returns>The method string.</returns>
    public static string Intern(ReadOnlySpan<byte> token) => token.Length switch
    {
        3 when token.SequenceEqual("GET"u8) => Get,
        3 when token.SequenceEqual("PUT"u8) => Put,
        4 when token.SequenceEqual("POST"u8) => Post,
        4 when token.SequenceEqual("HEAD"u8) => Head,
        5 when token.SequenceEqual("PATCH"u8) => Patch,
        5 when token.SequenceEqual("TRACE"u8) => Trace,
        6 when token.SequenceEqual("DELETE"u8) => Delete,
        7 when token.SequenceEqual("OPTIONS"u8) => Options,
        7 when token.SequenceEqual("CONNECT"u8) => Connect,
        _ => Encoding.ASCII.GetString(token),
    };

    /// <summary>Returns the interned string for a known method, or <paramref name="method"/> itself.</summary>
    /// <param name="method">The method token.</param>
    /// <returns>The method string.</returns>
    public static string Intern(string method) => method switch
    {
        Get => Get, Head => Head, Post => Post, Put => Put, Delete => Delete,
        Patch => Patch, Options => Options, Trace => Trace, Connect => Connect,
        _ => method,
    };

    /// <summary>Whether <paramref name="value"/> is an RFC 9110 token (tchar+).</summary>
    /// <param name="value">The text.</param>
    /// <returns><see langword="true"/> for a non-empty token.</returns>
    public static bool IsToken(ReadOnlySpan<char> value)
    {
        if (value.IsEmpty) return false;
        foreach (char c in value)
            if (c > 127 || !IsTokenChar((byte)c)) return false;
        return true;
    }

    /// <summary>Whether <paramref name="b"/> is an RFC 9110 tchar.</summary>
    /// <param name="b">The byte.</param>
    /// <returns><see langword="true"/> for a tchar.</returns>
    public static bool IsTokenChar(byte b) =>
        b is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'0' and <= (byte)'9'
        || b is (byte)'!' or (byte)'#' or (byte)'$' or (byte)'%' or (byte)'&' or (byte)'\'' or (byte)'*'
            or (byte)'+' or (byte)'-' or (byte)'.' or (byte)'^' or (byte)'_' or (byte)'`' or (byte)'|' or (byte)'~';
}

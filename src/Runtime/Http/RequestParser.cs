using System.Text;
using System.Runtime.CompilerServices;

namespace Kiln.Http;

/// <summary>The four request-target forms of RFC 9112 §3.2.</summary>
internal enum TargetForm : byte
{
    /// <summary><c>/path?query</c>.</summary>
    Origin,
    /// <summary><c>http://authority/path?query</c>.</summary>
    Absolute,
    /// <summary><c>host:port</c> (CONNECT only).</summary>
    Authority,
    /// <summary><c>*</c> (OPTIONS only).</summary>
    Asterisk,
}

/// <summary>A parsed request line; every span is valid only during the callback.</summary>
internal readonly ref struct RequestLine
{
    /// <summary>The method token.</summary>
    public required ReadOnlySpan<byte> Method { get; init; }
    /// <summary>The target as the application sees it: origin-form (absolute-form with scheme and authority removed), <c>*</c>, or the authority.</summary>
    public required ReadOnlySpan<byte> Target { get; init; }
    /// <summary>The authority of an absolute-form or authority-form target, else empty.</summary>
    public ReadOnlySpan<byte> Authority { get; init; }
    /// <summary>Whether an absolute-form target used the https scheme (for the default port).</summary>
    public bool IsHttpsScheme { get; init; }
    /// <summary>The target's form.</summary>
    public required TargetForm Form { get; init; }
    /// <summary>The version.</summary>
    public required HttpProtocolVersion Version { get; init; }
}

/// <summary>Receives the request line.</summary>
internal interface IRequestLineHandler
{
    /// <summary>Called once per request with the parsed line.</summary>
    /// <returns><see cref="ParseError.None"/>, or a reason to reject the request.</returns>
    ParseError OnRequestLine(in RequestLine line);
}

/// <summary>Receives header fields.</summary>
internal interface IHeaderHandler
{
    /// <summary>Called once per field line; <paramref name="value"/> is already stripped of OWS.</summary>
    /// <returns><see cref="ParseError.None"/>, or a reason to reject the request (for example a bad Content-Length).</returns>
    ParseError OnHeader(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value);
}

/// <summary>
/// A strict RFC 9112 request-head parser that knows nothing of connections. Each method returns
/// <see langword="true"/> when its part is complete, <see langword="false"/> with <see cref="ParseError.None"/> when
/// it needs more bytes, or <see langword="false"/> with a reason when the input is malformed. Limits are the
/// caller's: it slices the input to the allowed size and treats "need more" on a full slice as too large.
/// </summary>
/// <typeparam name="THandler">The callbacks, a struct so that calls are devirtualized and inlined.</typeparam>
internal static class RequestParser<THandler> where THandler : struct, IRequestLineHandler, IHeaderHandler
{
    /// <summary>Parses the request line, skipping CR and LF bytes left between pipelined requests.</summary>
    /// <param name="input">The bytes received so far, sliced to the request-line limit.</param>
    /// <param name="handler">The callbacks.</param>
    /// <param name="consumed">Bytes used, including skipped line breaks and the line's CRLF.</param>
    /// <param name="error">Why the line is malformed.</param>
    public static bool TryParseRequestLine(ReadOnlySpan<byte> input, ref THandler handler, out int consumed, out ParseError error)
    {
        error = ParseError.None;
        // RFC 9112 §2.2: a server SHOULD ignore empty lines received before the request line.
        int start = input.IndexOfAnyExcept((byte)'\r', (byte)'\n');
        if (start < 0) { consumed = 0; return false; }
        consumed = 0;
        var rest = input[start..];
        int lf = rest.IndexOf((byte)'\n');
        if (lf < 0)
        {
            // Reject early what can never become a request line, so garbage does not wait for a timeout.
            error = EarlyCheck(rest);
            return false;
        }
        if (lf == 0 || rest[lf - 1] != (byte)'\r') { error = ParseError.BareLineFeed; return false; }
        error = ParseLine(rest[..(lf - 1)], ref handler);
        if (error != ParseError.None) return false;
        consumed = start + lf + 1;
        return true;
    }

    private static ParseError EarlyCheck(ReadOnlySpan<byte> partial)
    {
        if (!partial.IsEmpty && partial[^1] == (byte)'\r') partial = partial[..^1];   // the CR of a CRLF still arriving
        int sp = partial.IndexOf((byte)' ');
        var method = sp < 0 ? partial : partial[..sp];
        if (method.ContainsAnyExcept(HttpChars.Token)) return ParseError.InvalidMethod;
        if (sp < 0) return ParseError.None;
        var rest = partial[(sp + 1)..];
        int sp2 = rest.IndexOf((byte)' ');
        if (sp2 < 0) return rest.ContainsAnyExcept(HttpChars.Target) ? ParseError.InvalidTarget : ParseError.None;
        // The version is complete once 8 bytes have arrived: judge it now rather than wait for a line end.
        var version = rest[(sp2 + 1)..];
        if (version.Length < 8) return ParseError.None;
        var error = ParseVersion(version[..8], out _);
        if (error != ParseError.None) return error;
        return version.Length > 8 ? ParseError.InvalidVersion : ParseError.None;
    }

    private static ParseError ParseLine(ReadOnlySpan<byte> line, ref THandler handler)
    {
        int sp1 = line.IndexOf((byte)' ');
        if (sp1 < 0) return line.ContainsAnyExcept(HttpChars.Token) ? ParseError.InvalidMethod : ParseError.InvalidRequestLine;
        var method = line[..sp1];
        if (method.IsEmpty) return ParseError.InvalidRequestLine;
        if (method.ContainsAnyExcept(HttpChars.Token)) return ParseError.InvalidMethod;

        var rest = line[(sp1 + 1)..];
        int sp2 = rest.IndexOf((byte)' ');
        if (sp2 <= 0) return ParseError.InvalidRequestLine;
        var target = rest[..sp2];
        var versionText = rest[(sp2 + 1)..];
        if (target.ContainsAnyExcept(HttpChars.Target)) return ParseError.InvalidTarget;

        var versionError = ParseVersion(versionText, out var version);
        if (versionError != ParseError.None) return versionError;

        return ClassifyTarget(method, target, version, ref handler);
    }

    /// <summary>HTTP-version = "HTTP/" DIGIT "." DIGIT, case-sensitive (RFC 9112 §2.3).</summary>
    private static ParseError ParseVersion(ReadOnlySpan<byte> text, out HttpProtocolVersion version)
    {
        version = HttpProtocolVersion.Http11;
        if (text.Length != 8 || !text.StartsWith("HTTP/"u8) || !char.IsAsciiDigit((char)text[5]) || text[6] != (byte)'.' || !char.IsAsciiDigit((char)text[7]))
            return ParseError.InvalidVersion;
        if (text[5] != (byte)'1' || text[7] is not ((byte)'0' or (byte)'1')) return ParseError.UnsupportedVersion;
        version = text[7] == (byte)'1' ? HttpProtocolVersion.Http11 : HttpProtocolVersion.Http10;
        return ParseError.None;
    }

    private static ParseError ClassifyTarget(ReadOnlySpan<byte> method, ReadOnlySpan<byte> target, HttpProtocolVersion version, ref THandler handler)
    {
        bool isOptions = method.SequenceEqual("OPTIONS"u8), isConnect = method.SequenceEqual("CONNECT"u8);
        if (target[0] == (byte)'/')
        {
            if (isConnect) return ParseError.InvalidTarget;
            if (target.IndexOf((byte)'#') >= 0) return ParseError.InvalidTarget;   // a fragment is never sent
            if (HasEncodedNul(target)) return ParseError.InvalidTarget;
            return handler.OnRequestLine(new RequestLine { Method = method, Target = target, Form = TargetForm.Origin, Version = version });
        }
        if (target.Length == 1 && target[0] == (byte)'*')
        {
            if (!isOptions) return ParseError.AsteriskFormNotOptions;
            return handler.OnRequestLine(new RequestLine { Method = method, Target = target, Form = TargetForm.Asterisk, Version = version });
        }
        int schemeEnd = target.IndexOf("://"u8);
        if (schemeEnd > 0)
        {
            if (isConnect) return ParseError.InvalidTarget;
            var scheme = target[..schemeEnd];
            bool https = Ascii.EqualsIgnoreCase(scheme, "https"u8);
            if (!https && !Ascii.EqualsIgnoreCase(scheme, "http"u8)) return ParseError.InvalidTarget;
            var afterScheme = target[(schemeEnd + 3)..];
            int pathStart = afterScheme.IndexOfAny((byte)'/', (byte)'?');
            var authority = pathStart < 0 ? afterScheme : afterScheme[..pathStart];
            if (!IsValidAuthority(authority, requirePort: false)) return ParseError.InvalidTarget;
            var pathAndQuery = pathStart < 0 ? default : afterScheme[pathStart..];
            if (pathAndQuery.IndexOf((byte)'#') >= 0 || HasEncodedNul(pathAndQuery)) return ParseError.InvalidTarget;
            // An empty path in absolute-form means "/" (RFC 9112 §3.2.2); a target starting with '?' gets its '/' from the handler.
            ReadOnlySpan<byte> appTarget = pathAndQuery.IsEmpty ? "/"u8 : pathAndQuery;
            return handler.OnRequestLine(new RequestLine
            {
                Method = method, Target = appTarget, Authority = authority, IsHttpsScheme = https,
                Form = TargetForm.Absolute, Version = version,
            });
        }
        if (IsValidAuthority(target, requirePort: true))
        {
            if (!isConnect) return ParseError.AuthorityFormNotConnect;
            return handler.OnRequestLine(new RequestLine { Method = method, Target = target, Authority = target, Form = TargetForm.Authority, Version = version });
        }
        return ParseError.InvalidTarget;
    }

    /// <summary>A <c>%00</c> in the path would decode to NUL, which no file system or application expects (Kestrel rejects it too).</summary>
    private static bool HasEncodedNul(ReadOnlySpan<byte> target)
    {
        int q = target.IndexOf((byte)'?');
        return (q < 0 ? target : target[..q]).IndexOf("%00"u8) >= 0;
    }

    /// <summary>authority = host [":" port], without userinfo; a host is a reg-name, IPv4 or [IP-literal].</summary>
    internal static bool IsValidAuthority(ReadOnlySpan<byte> authority, bool requirePort)
    {
        if (authority.IsEmpty) return !requirePort;
        ReadOnlySpan<byte> host, port = default;
        bool hasPort = false;
        if (authority[0] == (byte)'[')
        {
            int close = authority.IndexOf((byte)']');
            if (close < 0) return false;
            host = authority[..(close + 1)];
            var after = authority[(close + 1)..];
            if (!after.IsEmpty)
            {
                if (after[0] != (byte)':') return false;
                port = after[1..];
                hasPort = true;
            }
            var literal = host[1..^1];
            if (literal.IsEmpty || literal.ContainsAnyExcept(IpLiteral)) return false;
        }
        else
        {
            int colon = authority.LastIndexOf((byte)':');
            host = colon < 0 ? authority : authority[..colon];
            if (colon >= 0) { port = authority[(colon + 1)..]; hasPort = true; }
            if (host.IsEmpty || host.ContainsAnyExcept(RegName)) return false;
        }
        if (requirePort && (!hasPort || port.IsEmpty)) return false;
        if (hasPort && (port.Length > 5 || port.ContainsAnyExceptInRange((byte)'0', (byte)'9'))) return false;
        return true;
    }

    // Strict: host names are DNS-like (unreserved characters only: no sub-delims, no percent-encoding).
    private static readonly System.Buffers.SearchValues<byte> RegName = System.Buffers.SearchValues.Create(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"u8);

    // IPv6 (hex, ':' and '.'), an RFC 6874 zone ("%25" + unreserved), and IPvFuture's "v".
    private static readonly System.Buffers.SearchValues<byte> IpLiteral = System.Buffers.SearchValues.Create(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:%"u8);

    /// <summary>Parses header lines up to and including the empty line that ends the head.</summary>
    /// <param name="input">The bytes after the request line, sliced to the header-block limit left.</param>
    /// <param name="handler">The callbacks (called once per complete line, so parsing may resume after <paramref name="consumed"/>).</param>
    /// <param name="consumed">Bytes of complete lines handled, also when more input is needed.</param>
    /// <param name="error">Why the block is malformed.</param>
    public static bool TryParseHeaders(ReadOnlySpan<byte> input, ref THandler handler, out int consumed, out ParseError error)
    {
        consumed = 0;
        error = ParseError.None;
        while (true)
        {
            var rest = input[consumed..];
            int lf = rest.IndexOf((byte)'\n');
            if (lf < 0)
            {
                if (!rest.IsEmpty && rest[0] is (byte)' ' or (byte)'\t') error = ParseError.ObsoleteLineFolding;
                else if (rest.Length >= 2 && rest[0] == (byte)'\r') error = ParseError.BareLineFeed;   // CR not followed by LF
                return false;
            }
            if (lf == 0 || rest[lf - 1] != (byte)'\r') { error = ParseError.BareLineFeed; return false; }
            var line = rest[..(lf - 1)];
            if (line.IsEmpty)
            {
                consumed += 2;
                return true;
            }
            error = ParseField(line, ref handler);
            if (error != ParseError.None) return false;
            consumed += lf + 1;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ParseError ParseField(ReadOnlySpan<byte> line, ref THandler handler)
    {
        if (line[0] is (byte)' ' or (byte)'\t') return ParseError.ObsoleteLineFolding;
        int colon = line.IndexOf((byte)':');
        if (colon <= 0) return ParseError.InvalidHeader;
        var name = line[..colon];
        if (name.ContainsAnyExcept(HttpChars.Token)) return ParseError.InvalidHeader;   // also whitespace before ':'
        var value = line[(colon + 1)..];
        if (value.ContainsAnyExcept(HttpChars.FieldValue)) return ParseError.InvalidHeader;
        return handler.OnHeader(name, HttpChars.TrimOws(value));
    }
}

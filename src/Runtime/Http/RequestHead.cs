using System.Text;

namespace Kiln.Http;

/// <summary>
/// What the head of one request says about framing and connection handling, collected while its fields are
/// parsed: Host, Content-Length, Transfer-Encoding, Connection and Expect. One instance per connection, reset per
/// request; <see cref="Complete"/> applies the rules that need the whole head.
/// </summary>
internal sealed class RequestHead
{
    private readonly byte[] _authority = new byte[256];
    private int _authorityLength = -1;       // -1: origin-form (no authority to compare Host with)
    private bool _authorityHttps;

    public int MaxHeaderCount { get; set; } = 100;
    public bool RequireHost { get; set; } = true;
    public HttpProtocolVersion Version { get; private set; }
    public TargetForm Form { get; private set; }
    public int HeaderCount { get; private set; }
    public int HostCount { get; private set; }
    public long ContentLength { get; private set; } = -1;
    public bool HasTransferEncoding { get; private set; }
    public bool Chunked { get; private set; }
    public bool ConnectionClose { get; private set; }
    public bool ConnectionKeepAlive { get; private set; }
    public bool ExpectContinue { get; private set; }
    public bool IsConnect { get; private set; }
    public bool IsHead { get; private set; }
    public bool IsGet { get; private set; }
    private bool _hostMismatch;
    private bool _unsupportedCoding;

    /// <summary>Whether the connection may serve another request after this one (RFC 9112 §9.3).</summary>
    public bool KeepAlive => Version == HttpProtocolVersion.Http11 ? !ConnectionClose : ConnectionKeepAlive && !ConnectionClose;

    public void Reset()
    {
        _authorityLength = -1;
        HeaderCount = 0; HostCount = 0; ContentLength = -1;
        HasTransferEncoding = Chunked = ConnectionClose = ConnectionKeepAlive = ExpectContinue = false;
        IsConnect = IsHead = IsGet = _hostMismatch = _unsupportedCoding = false;
    }

    public ParseError OnRequestLine(in RequestLine line)
    {
        Version = line.Version;
        Form = line.Form;
        IsConnect = line.Method.SequenceEqual("CONNECT"u8);
        IsHead = line.Method.SequenceEqual("HEAD"u8);
        IsGet = line.Method.SequenceEqual("GET"u8);
        if (line.Form is TargetForm.Absolute or TargetForm.Authority)
        {
            if (line.Authority.Length > _authority.Length) return ParseError.InvalidTarget;
            line.Authority.CopyTo(_authority);
            _authorityLength = line.Authority.Length;
            _authorityHttps = line.IsHttpsScheme;
        }
        return ParseError.None;
    }

    public ParseError OnHeader(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        if (++HeaderCount > MaxHeaderCount) return ParseError.TooManyHeaders;
        switch (name.Length)
        {
            case 4 when Ascii.EqualsIgnoreCase(name, "Host"u8):
                HostCount++;
                if (!RequestParser<RequestHeadHandler>.IsValidAuthority(value, requirePort: false)) return ParseError.InvalidHost;
                if (_authorityLength >= 0 && !HostMatchesAuthority(value)) _hostMismatch = true;
                break;
            case 14 when Ascii.EqualsIgnoreCase(name, "Content-Length"u8):
                if (!TryParseContentLength(value, out long length)) return ParseError.InvalidContentLength;
                // Strict: a repeated Content-Length is rejected even when the values agree (a desync vector either way).
                if (ContentLength >= 0) return ParseError.InvalidContentLength;
                ContentLength = length;
                break;
            case 17 when Ascii.EqualsIgnoreCase(name, "Transfer-Encoding"u8):
                var error = OnTransferEncoding(value);
                if (error != ParseError.None) return error;
                break;
            case 10 when Ascii.EqualsIgnoreCase(name, "Connection"u8):
                OnConnection(value);
                break;
            case 6 when Ascii.EqualsIgnoreCase(name, "Expect"u8):
                if (!Ascii.EqualsIgnoreCase(value, "100-continue"u8)) return ParseError.ExpectationFailed;
                ExpectContinue = true;
                break;
            default:
                if (LooksLikeFramingHeader(name)) return ParseError.InvalidHeader;
                break;
        }
        return ParseError.None;
    }

    /// <summary>Checks the rules that need the whole head.</summary>
    public ParseError Complete()
    {
        if (HostCount > 1 || (HostCount == 0 && Version == HttpProtocolVersion.Http11 && RequireHost)) return ParseError.InvalidHost;
        if (_hostMismatch) return ParseError.InvalidHost;
        if (HasTransferEncoding)
        {
            // RFC 9112 §6.1: TE in HTTP/1.0 is faulty framing; TE with Content-Length is a smuggling vector.
            if (Version == HttpProtocolVersion.Http10 || ContentLength >= 0) return ParseError.InvalidTransferEncoding;
            if (_unsupportedCoding) return ParseError.UnsupportedTransferCoding;
            if (!Chunked) return ParseError.InvalidTransferEncoding;
        }
        // GET and HEAD bodies have no meaning (RFC 9110 §9.3.1-2) and are a classic desync vector: refuse them.
        if ((IsGet || IsHead) && (ContentLength > 0 || HasTransferEncoding)) return ParseError.BodyNotAllowed;
        return ParseError.None;
    }

    /// <summary>
    /// <c>Transfer_Encoding</c>, <c>Content---Length</c> and the like: not the framing headers, but some proxies
    /// normalize them into one, so a server that ignores them can disagree with the proxy about the body.
    /// </summary>
    private static bool LooksLikeFramingHeader(ReadOnlySpan<byte> name)
    {
        if (name.Length < 13 || name.Length > 24) return false;
        Span<byte> letters = stackalloc byte[24];
        int n = 0;
        foreach (byte b in name)
            if (b is not ((byte)'-' or (byte)'_')) letters[n++] = (byte)(b | 0x20);
        var folded = letters[..n];
        return folded.SequenceEqual("contentlength"u8) || folded.SequenceEqual("transferencoding"u8);
    }

    /// <summary>Content-Length = 1*DIGIT, at most 18 digits so it cannot overflow.</summary>
    internal static bool TryParseContentLength(ReadOnlySpan<byte> value, out long length)
    {
        length = 0;
        if (value.IsEmpty || value.Length > 18) return false;
        foreach (byte b in value)
        {
            if (b is < (byte)'0' or > (byte)'9') return false;
            length = length * 10 + (b - '0');
        }
        return true;
    }

    private ParseError OnTransferEncoding(ReadOnlySpan<byte> value)
    {
        HasTransferEncoding = true;
        // A list of codings, possibly over several lines; chunked must be the last one and appear once.
        foreach (var range in value.Split((byte)','))
        {
            var coding = HttpChars.TrimOws(value[range]);
            if (coding.IsEmpty) return ParseError.InvalidTransferEncoding;
            if (Chunked) return ParseError.InvalidTransferEncoding;     // something after chunked, or chunked twice
            if (Ascii.EqualsIgnoreCase(coding, "chunked"u8)) Chunked = true;
            else if (HttpChars.IsToken(coding)) _unsupportedCoding = true;
            else return ParseError.InvalidTransferEncoding;   // parameters or junk
        }
        return ParseError.None;
    }

    private void OnConnection(ReadOnlySpan<byte> value)
    {
        foreach (var range in value.Split((byte)','))
        {
            var option = HttpChars.TrimOws(value[range]);
            if (Ascii.EqualsIgnoreCase(option, "close"u8)) ConnectionClose = true;
            else if (Ascii.EqualsIgnoreCase(option, "keep-alive"u8)) ConnectionKeepAlive = true;
        }
    }

    /// <summary>Host must name the absolute-form target's authority; a missing port equals the scheme's default.</summary>
    private bool HostMatchesAuthority(ReadOnlySpan<byte> host)
    {
        var authority = _authority.AsSpan(0, _authorityLength);
        if (Ascii.EqualsIgnoreCase(host, authority)) return true;
        ReadOnlySpan<byte> defaultPort = _authorityHttps ? ":443"u8 : ":80"u8;
        if (Form == TargetForm.Absolute)
        {
            if (authority.EndsWith(defaultPort) && Ascii.EqualsIgnoreCase(host, authority[..^defaultPort.Length])) return true;
            if (host.EndsWith(defaultPort) && Ascii.EqualsIgnoreCase(host[..^defaultPort.Length], authority)) return true;
        }
        return false;
    }
}

/// <summary>The parser callbacks of a connection: the request line and fields go into its <see cref="Request"/> and <see cref="RequestHead"/>.</summary>
internal readonly struct RequestHeadHandler(Request request, RequestHead head) : IRequestLineHandler, IHeaderHandler
{
    public ParseError OnRequestLine(in RequestLine line)
    {
        var error = head.OnRequestLine(line);
        if (error != ParseError.None) return error;
        if (line.Target[0] == (byte)'?')
        {
            // absolute-form without a path ("http://host?q"): the origin-form is "/?q" (RFC 9112 §3.2.2).
            var withSlash = System.Buffers.ArrayPool<byte>.Shared.Rent(line.Target.Length + 1);
            withSlash[0] = (byte)'/';
            line.Target.CopyTo(withSlash.AsSpan(1));
            request.Begin(line.Method, withSlash.AsSpan(0, line.Target.Length + 1), line.Version);
            System.Buffers.ArrayPool<byte>.Shared.Return(withSlash);
        }
        else
        {
            request.Begin(line.Method, line.Target, line.Version);
        }
        return ParseError.None;
    }

    public ParseError OnHeader(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        var error = head.OnHeader(name, value);
        if (error == ParseError.None) request.Headers.Add(name, value);
        return error;
    }
}

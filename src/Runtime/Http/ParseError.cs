namespace Kiln.Http;

/// <summary>Why a request could not be read. Each reason maps to exactly one status code (<see cref="ParseErrors.StatusCode"/>).</summary>
internal enum ParseError : byte
{
    /// <summary>No error.</summary>
    None,
    /// <summary>A line ended with LF alone, or a CR was not followed by LF.</summary>
    BareLineFeed,
    /// <summary>The request line is not <c>method SP target SP version</c>.</summary>
    InvalidRequestLine,
    /// <summary>The method is not a token.</summary>
    InvalidMethod,
    /// <summary>The method is longer than any method a server implements (<see cref="RequestParser{THandler}.MaxMethodLength"/>).</summary>
    MethodTooLong,
    /// <summary>The request-target has a forbidden byte or does not fit the method's form.</summary>
    InvalidTarget,
    /// <summary>The version is not <c>HTTP/d.d</c>.</summary>
    InvalidVersion,
    /// <summary>A well-formed version other than 1.0 and 1.1.</summary>
    UnsupportedVersion,
    /// <summary>The request line is longer than the limit.</summary>
    RequestLineTooLong,
    /// <summary>A header line is malformed (no colon, bad name, whitespace before the colon, a control character).</summary>
    InvalidHeader,
    /// <summary>A header line starts with whitespace (obs-fold).</summary>
    ObsoleteLineFolding,
    /// <summary>The header block is larger than the limit.</summary>
    HeadersTooLarge,
    /// <summary>More header fields than the limit.</summary>
    TooManyHeaders,
    /// <summary>The trailer section of a chunked body is larger than the header-block limit.</summary>
    TrailersTooLarge,
    /// <summary>Host is missing (HTTP/1.1), repeated, or malformed.</summary>
    InvalidHost,
    /// <summary>Content-Length is not <c>1*DIGIT</c>, overflows, or conflicts with another Content-Length.</summary>
    InvalidContentLength,
    /// <summary>Transfer-Encoding is malformed, chunked is not last or appears twice, or TE is combined with Content-Length or HTTP/1.0.</summary>
    InvalidTransferEncoding,
    /// <summary>A transfer coding other than chunked.</summary>
    UnsupportedTransferCoding,
    /// <summary>The chunked body is malformed (size, extension, line ending, trailer).</summary>
    InvalidChunkedBody,
    /// <summary>The body is larger than the limit.</summary>
    BodyTooLarge,
    /// <summary>asterisk-form (<c>*</c>) with a method other than OPTIONS: a malformed request-target.</summary>
    AsteriskFormNotOptions,
    /// <summary>authority-form (<c>host:port</c>) with a method other than CONNECT: a malformed request-target.</summary>
    AuthorityFormNotConnect,
    /// <summary>A GET or HEAD request with a body.</summary>
    BodyNotAllowed,
    /// <summary>The request head did not arrive in time.</summary>
    RequestHeadersTimeout,
    /// <summary>An Expect value other than 100-continue.</summary>
    ExpectationFailed,
}

/// <summary>
/// Maps <see cref="ParseError"/> to status codes and short reasons: the one mapping, used for errors in a request
/// head and in a body alike (a chunked trailer over the limit is 431 like a header block over it).
/// </summary>
internal static class ParseErrors
{
    /// <summary>The status code that answers <paramref name="error"/>.</summary>
    public static int StatusCode(this ParseError error) => error switch
    {
        ParseError.RequestLineTooLong => 414,
        ParseError.HeadersTooLarge or ParseError.TooManyHeaders or ParseError.TrailersTooLarge => 431,
        ParseError.UnsupportedVersion => 505,
        ParseError.UnsupportedTransferCoding or ParseError.MethodTooLong => 501,
        ParseError.BodyTooLarge => 413,
        ParseError.ExpectationFailed => 417,
        ParseError.RequestHeadersTimeout => 408,
        _ => 400,
    };

    /// <summary>
    /// The reason as a low-cardinality <c>error.type</c> value for the <c>kiln.rejected_requests</c> metric
    /// (docs/observability.md lists them).
    /// </summary>
    public static string ErrorType(this ParseError error) => error switch
    {
        ParseError.BareLineFeed => "bare_line_feed",
        ParseError.InvalidRequestLine => "invalid_request_line",
        ParseError.InvalidMethod => "invalid_method",
        ParseError.MethodTooLong => "method_too_long",
        ParseError.InvalidTarget => "invalid_request_target",
        ParseError.InvalidVersion => "invalid_http_version",
        ParseError.UnsupportedVersion => "unsupported_http_version",
        ParseError.RequestLineTooLong => "request_line_too_long",
        ParseError.InvalidHeader => "invalid_header",
        ParseError.ObsoleteLineFolding => "obsolete_line_folding",
        ParseError.HeadersTooLarge => "request_headers_too_large",
        ParseError.TooManyHeaders => "too_many_headers",
        ParseError.TrailersTooLarge => "request_trailers_too_large",
        ParseError.InvalidHost => "invalid_host",
        ParseError.InvalidContentLength => "invalid_content_length",
        ParseError.InvalidTransferEncoding => "invalid_transfer_encoding",
        ParseError.UnsupportedTransferCoding => "unsupported_transfer_coding",
        ParseError.InvalidChunkedBody => "invalid_chunked_body",
        ParseError.BodyTooLarge => "request_body_too_large",
        ParseError.AsteriskFormNotOptions => "asterisk_form_not_options",
        ParseError.AuthorityFormNotConnect => "authority_form_not_connect",
        ParseError.BodyNotAllowed => "body_not_allowed",
        ParseError.RequestHeadersTimeout => "request_headers_timeout",
        ParseError.ExpectationFailed => "expectation_failed",
        _ => "bad_request",
    };

    /// <summary>A short reason sent as the body of the error answer.</summary>
    public static string Reason(this ParseError error) => error switch
    {
        ParseError.BareLineFeed => "Bad Request: lines must end with CRLF.",
        ParseError.InvalidRequestLine => "Bad Request: malformed request line.",
        ParseError.InvalidMethod => "Bad Request: malformed method.",
        ParseError.MethodTooLong => "Not Implemented: the method is longer than any this server implements.",
        ParseError.InvalidTarget => "Bad Request: malformed request-target.",
        ParseError.InvalidVersion => "Bad Request: malformed HTTP version.",
        ParseError.UnsupportedVersion => "HTTP Version Not Supported",
        ParseError.RequestLineTooLong => "URI Too Long",
        ParseError.InvalidHeader => "Bad Request: malformed header field.",
        ParseError.ObsoleteLineFolding => "Bad Request: obsolete line folding is not accepted.",
        ParseError.HeadersTooLarge => "Request Header Fields Too Large",
        ParseError.TrailersTooLarge => "Request Header Fields Too Large: the chunked trailer section is too large.",
        ParseError.TooManyHeaders => "Request Header Fields Too Large: too many fields.",
        ParseError.InvalidHost => "Bad Request: missing, repeated or malformed Host.",
        ParseError.InvalidContentLength => "Bad Request: invalid Content-Length.",
        ParseError.InvalidTransferEncoding => "Bad Request: invalid Transfer-Encoding.",
        ParseError.UnsupportedTransferCoding => "Not Implemented: only the chunked transfer coding is supported.",
        ParseError.InvalidChunkedBody => "Bad Request: malformed chunked body.",
        ParseError.BodyTooLarge => "Content Too Large",
        ParseError.AsteriskFormNotOptions => "Bad Request: the request-target '*' is only for OPTIONS.",
        ParseError.AuthorityFormNotConnect => "Bad Request: an authority-form request-target is only for CONNECT.",
        ParseError.ExpectationFailed => "Expectation Failed",
        ParseError.RequestHeadersTimeout => "Request Timeout",
        ParseError.BodyNotAllowed => "Bad Request: GET and HEAD requests cannot carry a body.",
        _ => "Bad Request",
    };
}

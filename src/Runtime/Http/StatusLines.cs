using System.Text;

namespace Kiln.Http;

/// <summary>Pre-encoded <c>HTTP/1.1 NNN Reason\r\n</c> lines, so writing a status line is one copy.</summary>
internal static class StatusLines
{
    private static readonly byte[]?[] Lines = new byte[600][];

    /// <summary>The status line for <paramref name="code"/> (100–599), built once per code.</summary>
    public static ReadOnlySpan<byte> Get(int code)
    {
        if ((uint)code >= 600 || code < 100) code = 500;
        return Lines[code] ??= Encoding.ASCII.GetBytes($"HTTP/1.1 {code} {Reason(code)}\r\n");
    }

    /// <summary>The RFC 9110 reason phrase, or empty for an unregistered code (the phrase is optional).</summary>
    public static string Reason(int code) => code switch
    {
        100 => "Continue", 101 => "Switching Protocols",
        200 => "OK", 201 => "Created", 202 => "Accepted", 203 => "Non-Authoritative Information", 204 => "No Content",
        205 => "Reset Content", 206 => "Partial Content",
        300 => "Multiple Choices", 301 => "Moved Permanently", 302 => "Found", 303 => "See Other", 304 => "Not Modified",
        307 => "Temporary Redirect", 308 => "Permanent Redirect",
        400 => "Bad Request", 401 => "Unauthorized", 402 => "Payment Required", 403 => "Forbidden", 404 => "Not Found",
        405 => "Method Not Allowed", 406 => "Not Acceptable", 407 => "Proxy Authentication Required", 408 => "Request Timeout",
        409 => "Conflict", 410 => "Gone", 411 => "Length Required", 412 => "Precondition Failed", 413 => "Content Too Large",
        414 => "URI Too Long", 415 => "Unsupported Media Type", 416 => "Range Not Satisfiable", 417 => "Expectation Failed",
        421 => "Misdirected Request", 422 => "Unprocessable Content", 425 => "Too Early", 426 => "Upgrade Required",
        428 => "Precondition Required", 429 => "Too Many Requests", 431 => "Request Header Fields Too Large",
        451 => "Unavailable For Legal Reasons",
        500 => "Internal Server Error", 501 => "Not Implemented", 502 => "Bad Gateway", 503 => "Service Unavailable",
        504 => "Gateway Timeout", 505 => "HTTP Version Not Supported",
        _ => "",
    };
}

using System.Text;
using Kiln.Http;

namespace Kiln.RuntimeTests.Http;

/// <summary>The parser alone, with a recording handler: what it reports for each part of a head.</summary>
public class RequestParserTests
{
    private struct Recorder : IRequestLineHandler, IHeaderHandler
    {
        public List<string> Events;
        public ParseError OnRequestLine(in RequestLine line)
        {
            Events.Add($"{Encoding.ASCII.GetString(line.Method)} {Encoding.ASCII.GetString(line.Target)} {line.Version} {line.Form} [{Encoding.ASCII.GetString(line.Authority)}]");
            return ParseError.None;
        }
        public ParseError OnHeader(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
        {
            Events.Add($"{Encoding.ASCII.GetString(name)}={Encoding.Latin1.GetString(value)}");
            return ParseError.None;
        }
    }

    private static (bool Done, int Consumed, ParseError Error, List<string> Events) Line(string text)
    {
        var r = new Recorder { Events = new() };
        bool done = RequestParser<Recorder>.TryParseRequestLine(Encoding.Latin1.GetBytes(text), ref r, out int consumed, out var error);
        return (done, consumed, error, r.Events);
    }

    private static (bool Done, int Consumed, ParseError Error, List<string> Events) Fields(string text)
    {
        var r = new Recorder { Events = new() };
        bool done = RequestParser<Recorder>.TryParseHeaders(Encoding.Latin1.GetBytes(text), ref r, out int consumed, out var error);
        return (done, consumed, error, r.Events);
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\n", "GET / Http11 Origin []")]
    [InlineData("\r\n\r\nPOST /a?b=c HTTP/1.0\r\n", "POST /a?b=c Http10 Origin []")]
    [InlineData("OPTIONS * HTTP/1.1\r\n", "OPTIONS * Http11 Asterisk []")]
    [InlineData("GET http://Example.com:8080/x?y HTTP/1.1\r\n", "GET /x?y Http11 Absolute [Example.com:8080]")]
    [InlineData("GET http://example.com HTTP/1.1\r\n", "GET / Http11 Absolute [example.com]")]
    [InlineData("CONNECT example.com:443 HTTP/1.1\r\n", "CONNECT example.com:443 Http11 Authority [example.com:443]")]
    public void Request_line_forms(string input, string expected)
    {
        var (done, consumed, error, events) = Line(input);
        Assert.True(done, error.ToString());
        Assert.Equal(input.Length, consumed);
        Assert.Equal([expected], events);
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\n", "BareLineFeed")]
    [InlineData("GET  / HTTP/1.1\r\n", "InvalidRequestLine")]
    [InlineData("G(T / HTTP/1.1\r\n", "InvalidMethod")]
    [InlineData("GET /a b HTTP/1.1\r\n", "InvalidVersion")]
    [InlineData("GET /\x7f HTTP/1.1\r\n", "InvalidTarget")]
    [InlineData("GET /%00 HTTP/1.1\r\n", "InvalidTarget")]
    [InlineData("GET /#f HTTP/1.1\r\n", "InvalidTarget")]
    [InlineData("GET http://u@h/ HTTP/1.1\r\n", "InvalidTarget")]
    [InlineData("GET / HTTP/1.2\r\n", "UnsupportedVersion")]
    [InlineData("GET / HTTP/2.0\r\n", "UnsupportedVersion")]
    [InlineData("GET / http/1.1\r\n", "InvalidVersion")]
    [InlineData("GET * HTTP/1.1\r\n", "AsteriskFormNotOptions")]
    [InlineData("GET example.com:80 HTTP/1.1\r\n", "AuthorityFormNotConnect")]
    [InlineData("CONNECT /x HTTP/1.1\r\n", "InvalidTarget")]
    [InlineData("GET http:/// HTTP/1.1\r\n", "InvalidTarget")]         // empty authority (RFC 9110 §4.2.1)
    [InlineData("GET http:// HTTP/1.1\r\n", "InvalidTarget")]
    [InlineData("GET https://?q HTTP/1.1\r\n", "InvalidTarget")]
    [InlineData("\nGET / HTTP/1.1\r\n", "BareLineFeed")]             // only whole CRLFs are skipped before the line
    [InlineData("\r\n\rGET / HTTP/1.1\r\n", "BareLineFeed")]
    [InlineData("\r\n\n\r\nGET / HTTP/1.1\r\n", "BareLineFeed")]
    [InlineData("ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFG / HTTP/1.1\r\n", "MethodTooLong")]
    public void Malformed_request_lines_carry_their_reason(string input, string expected)
    {
        var (done, _, error, events) = Line(input);
        Assert.False(done);
        Assert.Equal(expected, error.ToString());
        Assert.Empty(events);
    }

    [Theory]
    [InlineData("GET / HTTP/1.1")]
    [InlineData("GET / HTTP/1.1\r")]
    [InlineData("GET /very/long/pa")]
    [InlineData("\r\n")]
    [InlineData("\r\n\r\n\r")]
    [InlineData("ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEF")]   // a method of exactly the longest length
    public void Incomplete_request_line_needs_more(string input)
    {
        var (done, consumed, error, _) = Line(input);
        Assert.False(done);
        Assert.Equal((0, ParseError.None), (consumed, error));
    }

    [Theory]
    [InlineData("GET / HTTP/5.6", "UnsupportedVersion")]
    [InlineData("G\x01", "InvalidMethod")]
    [InlineData("ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFG", "MethodTooLong")]   // one byte past the longest, no space yet
    [InlineData("\n", "BareLineFeed")]
    public void Incomplete_but_already_wrong_lines_fail_early(string input, string expected)
        => Assert.Equal(expected, Line(input).Error.ToString());

    [Fact]
    public void Fields_are_reported_trimmed_and_the_blank_line_completes()
    {
        var (done, consumed, error, events) = Fields("Host:  a \r\nX-Empty:\r\nX-Obs: \x85v\xA0\r\n\r\nBODY");
        Assert.True(done, error.ToString());
        Assert.Equal("Host:  a \r\nX-Empty:\r\nX-Obs: \x85v\xA0\r\n\r\n".Length, consumed);
        Assert.Equal(["Host=a", "X-Empty=", "X-Obs=\x85v\xA0"], events);
    }

    [Fact]
    public void Incomplete_fields_report_the_complete_lines_consumed()
    {
        var (done, consumed, error, events) = Fields("A: 1\r\nB: 2\r\nC: ");
        Assert.False(done);
        Assert.Equal((12, ParseError.None), (consumed, error));
        Assert.Equal(["A=1", "B=2"], events);
    }

    [Theory]
    [InlineData("A : 1\r\n\r\n", "InvalidHeader")]
    [InlineData(": 1\r\n\r\n", "InvalidHeader")]
    [InlineData("A 1\r\n\r\n", "InvalidHeader")]
    [InlineData("A: 1\x00\r\n\r\n", "InvalidHeader")]
    [InlineData("A: 1\r2\r\n\r\n", "InvalidHeader")]
    [InlineData("A: 1\n\r\n", "BareLineFeed")]
    [InlineData("A: 1\r\n 2\r\n\r\n", "ObsoleteLineFolding")]
    [InlineData(" A: 1\r\n\r\n", "ObsoleteLineFolding")]
    [InlineData("A: 1\r\n\rX", "BareLineFeed")]
    public void Malformed_fields_carry_their_reason(string input, string expected)
        => Assert.Equal(expected, Fields(input).Error.ToString());

    [Theory]
    [InlineData("RequestLineTooLong", 414)]
    [InlineData("HeadersTooLarge", 431)]
    [InlineData("TooManyHeaders", 431)]
    [InlineData("BodyTooLarge", 413)]
    [InlineData("UnsupportedVersion", 505)]
    [InlineData("UnsupportedTransferCoding", 501)]
    [InlineData("AsteriskFormNotOptions", 400)]
    [InlineData("AuthorityFormNotConnect", 400)]
    [InlineData("MethodTooLong", 501)]
    [InlineData("TrailersTooLarge", 431)]
    [InlineData("RequestHeadersTimeout", 408)]
    [InlineData("ExpectationFailed", 417)]
    [InlineData("InvalidChunkedBody", 400)]
    public void Each_reason_maps_to_one_status(string error, int status) => Assert.Equal(status, Enum.Parse<ParseError>(error).StatusCode());

    [Fact]
    public void Host_and_authority_are_never_empty()
    {
        Assert.False(RequestParser<Recorder>.IsValidAuthority(""u8, requirePort: false));
        Assert.True(RequestParser<Recorder>.IsValidAuthority("x"u8, requirePort: false));
    }

    [Fact]
    public void The_413_reason_is_Content_Too_Large_in_the_status_line_and_the_body()
    {
        Assert.Equal("Content Too Large", ParseError.BodyTooLarge.Reason());
        Assert.Equal("HTTP/1.1 413 Content Too Large\r\n", Encoding.ASCII.GetString(StatusLines.Get(413)));
    }
}

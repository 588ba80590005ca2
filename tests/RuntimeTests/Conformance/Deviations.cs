using System.Text.Json;

namespace Kiln.RuntimeTests.Conformance;

/// <summary>One documented departure from a corpus's own expectation.</summary>
/// <param name="File">The corpus file.</param>
/// <param name="Key">The row key (<see cref="SourceExpectations.Key"/>) or, for a rule, its name.</param>
/// <param name="Expected">What Kiln does instead.</param>
/// <param name="Reason">Why.</param>
/// <param name="Applies">For a rule: which rows it covers (null: the row with <paramref name="Key"/>).</param>
/// <param name="ExpectedFor">For a rule whose expectation depends on the row.</param>
public sealed record Deviation(string File, string Key, Expectation Expected, string Reason, Func<JsonElement, bool>? Applies = null,
    Func<JsonElement, Expectation>? ExpectedFor = null)
{
    public Expectation ExpectationFor(JsonElement row) => ExpectedFor?.Invoke(row) ?? Expected;
}

/// <summary>
/// THE table of deviations from the corpora's expectations, each with its reason (docs/server.md mirrors it).
/// A test fails when an entry matches no row, so the table cannot go stale.
/// </summary>
public static class Deviations
{
    private const string Llhttp = "llhttp_requests.jsonl";
    private const string Kestrel = "kestrel_bad_requests.jsonl";
    private const string Go = "go_nethttp_cases.jsonl";
    private const string Desync = "desync_guardian_cases.jsonl";
    private const string Garden = "http_garden_trophies.jsonl";

    // The reasons, each stated once.
    private const string ObsFold = "obs-fold is rejected with 400 (RFC 9112 §5.2 lets a server reject it; folded lines are a smuggling vector)";
    private const string SpaceBeforeColon = "whitespace between a field name and ':' MUST be rejected with 400 (RFC 9112 §5.1)";
    private const string BareCrOrLf = "lines end with CRLF only: a bare LF or bare CR is rejected with 400 (strict choice, RFC 9112 §2.2)";
    private const string ControlInField = "control characters (other than HTAB) are never accepted in field names or values (RFC 9110 §5.5; README: an origin server is at least as strict)";
    private const string Connect = "Kiln is an origin server, not a proxy: a well-formed CONNECT is answered 501 Not Implemented";
    private const string Fragment = "a '#' fragment is not part of a request-target (RFC 9112 §3.2): 400";
    private const string Version = "only HTTP/1.0 and HTTP/1.1 are served: another well-formed version is 505, anything that is not HTTP-version syntax (case-sensitive 'HTTP/d.d') is 400";
    private const string AsteriskForm = "asterisk-form '*' is only for OPTIONS (RFC 9112 §3.2.4): with another method it is a malformed request-target, 400 (not 405: no resource's methods are at issue)";
    private const string AuthorityForm = "authority-form is only for CONNECT (RFC 9112 §3.2.3): with another method it is a malformed request-target, 400 (not 405)";
    private const string EmptyHost = "Host must not be empty: http and https URIs always have a host (RFC 9110 §4.2.1), so an empty Host is an invalid field value, 400 (RFC 9112 §3.2 MUST)";
    private const string TransferCodings = "only the chunked transfer coding is implemented: other codings get 501 (RFC 9112 §6.1 SHOULD); parameters on a coding are malformed (400)";
    private const string TeWithCl = "Transfer-Encoding together with Content-Length is rejected (RFC 9112 §6.1: ought to be handled as an error; smuggling vector)";
    private const string HostSyntax = "Host must be a DNS-like name, IPv4 or a bracketed IPv6 literal, with an optional port (RFC 3986 §3.2.2, strict): 400";
    private const string ClosedConnection = "after a request that closes the connection (HTTP/1.0 without keep-alive, Connection: close) Kiln answers it and closes; the bytes after it are never parsed, so llhttp's parser error cannot occur";
    private const string MethodToken = "any token is a method (RFC 9110 §9.1): unknown methods reach the application, whose router answers 404/405/501";
    private const string TrimOws = "field values exclude leading and trailing whitespace (RFC 9110 §5.5), so the value is 'close' without the tab";
    private const string AbsoluteForm = "Request.Target is origin-form: the scheme and authority of an absolute-form target are removed (and checked against Host)";
    private const string Userinfo = "userinfo in a request-target is an error (RFC 9110 §4.2.4): 400";
    private const string TargetBytes = "a request-target is visible ASCII only (RFC 3986): spaces, raw UTF-8 and an empty target are 400";
    private const string ChunkStrict = "chunk lines are strict: hex size, optional ';ext', CRLF — no bare CR, no spaces after the size, data followed by exactly CRLF";
    private const string GetBody = "GET and HEAD requests with a body (Content-Length > 0 or Transfer-Encoding) are rejected with 400: the body has no meaning (RFC 9110 §9.3.1) and is a desync vector";
    private const string Http09 = "HTTP/0.9 is not HTTP/1.1 (README): a missing version is 400";
    private const string Http10Body = "RFC 9112 §6.3 rule 7: a request without Content-Length or Transfer-Encoding has a zero-length body, so POST/PUT HTTP/1.0 without a length is served (Kestrel's 400 is a policy of its own)";
    private const string AuthorityPort = "authority-form requires a port (RFC 9112 §3.2.3), so 'www.host.com' is no valid form at all: 400, not 405";
    private const string MissingHost = "an HTTP/1.1 request without Host is rejected with 400 (RFC 9112 §3.2 MUST), CONNECT included";
    private const string Http2 = "HTTP/2 (prior-knowledge preface) is not served: 505";
    private const string UnterminatedHead = "'\\r\\n\\r' followed by a byte other than '\\n' does not end the head: the whole head is malformed and nothing is answered but the 400";
    private const string Unknown0x01 = "a field line that starts with a control byte is malformed: 400";

    private static Deviation Row(string file, string key, Expectation expected, string reason) => new(file, key, expected, reason);

    private static readonly Expectation Rejected = Expectation.Reject(400);

    private static IEnumerable<Deviation> Asterisk(params string[] prefixes)
        => prefixes.Select(p => Row(Kestrel, p + " * HTTP/1.1\"", Rejected, AsteriskForm));

    private static IEnumerable<Deviation> AuthorityFormRows(params string[] prefixes)
        => prefixes.Select(p => Row(Kestrel, p + " www.example.com:80 HTTP/1.1\"", Rejected, AuthorityForm));

    public static readonly IReadOnlyList<Deviation> All =
    [
        // llhttp (parser test suite; run with the Host requirement off, see SourceExpectations).
        Row(Llhttp, "test/request/connection.md:81", Expectation.Accept(1), ClosedConnection),
        Row(Llhttp, "test/request/connection.md:107", Expectation.Accept(1), ClosedConnection),
        Row(Llhttp, "test/request/connection.md:292", Expectation.Accept(1), ClosedConnection),
        Row(Llhttp, "test/request/connection.md:342", Expectation.Accept(1), ClosedConnection),
        Row(Llhttp, "test/request/connection.md:392", Expectation.Accept(1), ClosedConnection),
        Row(Llhttp, "test/request/connection.md:264", Expectation.Accept(1).And("Connection is 'close'", r => r[0].Headers[0] == ("Connection", "close")), TrimOws),
        Row(Llhttp, "test/request/connection.md:481", Rejected, ObsFold),
        Row(Llhttp, "test/request/connection.md:576", Rejected, ObsFold),
        Row(Llhttp, "test/request/invalid.md:686", Rejected, ObsFold),
        Row(Llhttp, "test/request/sample.md:333", Rejected, ObsFold),
        Row(Llhttp, "test/request/sample.md:571", Rejected, ObsFold),
        Row(Llhttp, "test/request/connection.md:637", Rejected, SpaceBeforeColon),
        Row(Llhttp, "test/request/content-length.md:189", Rejected, SpaceBeforeColon),
        Row(Llhttp, "test/request/content-length.md:229", Rejected, TeWithCl),
        Row(Llhttp, "test/request/content-length.md:261", Rejected, GetBody),
        Row(Llhttp, "test/request/content-length.md:519", Rejected, BareCrOrLf),
        Row(Llhttp, "test/request/invalid.md:568", Rejected, BareCrOrLf),
        Row(Llhttp, "test/request/sample.md:454", Rejected, BareCrOrLf),
        Row(Llhttp, "test/request/lenient-headers.md:109", Rejected, BareCrOrLf),
        Row(Llhttp, "test/request/invalid.md:181", Expectation.Reject(400, answered: 0), UnterminatedHead),
        Row(Llhttp, "test/request/invalid.md:66", Expectation.Accept(1), MethodToken),
        Row(Llhttp, "test/request/invalid.md:356", Expectation.Accept(1), MethodToken),
        Row(Llhttp, "test/request/lenient-header-value-relaxed.md:8", Rejected, ControlInField),
        Row(Llhttp, "test/request/lenient-headers.md:6", Rejected, ControlInField),
        Row(Llhttp, "test/request/lenient-headers.md:34", Expectation.Reject(400, answered: 1), ControlInField),
        Row(Llhttp, "test/request/lenient-version.md:4", Expectation.Reject(505), Version),
        Row(Llhttp, "test/request/method.md:27", Expectation.Reject(501), Connect),
        Row(Llhttp, "test/request/method.md:62", Expectation.Reject(501), Connect),
        Row(Llhttp, "test/request/method.md:96", Expectation.Reject(501), Connect),
        Row(Llhttp, "test/request/uri.md:188", Expectation.Reject(501), Connect),
        Row(Llhttp, "test/request/method.md:135", Rejected, AsteriskForm),
        Row(Llhttp, "test/request/method.md:458", Rejected, AsteriskForm),
        Row(Llhttp, "test/request/sample.md:67", Rejected, HostSyntax),
        Row(Llhttp, "test/request/sample.md:105", Rejected, HostSyntax),
        Row(Llhttp, "test/request/sample.md:314", Rejected, Http09),
        Row(Llhttp, "test/request/transfer-encoding.md:530", Rejected, Fragment),
        Row(Llhttp, "test/request/transfer-encoding.md:680", Rejected, Fragment),
        Row(Llhttp, "test/request/transfer-encoding.md:713", Rejected, Fragment),
        Row(Llhttp, "test/request/transfer-encoding.md:751", Rejected, Fragment),
        Row(Llhttp, "test/request/transfer-encoding.md:793", Rejected, Fragment),
        Row(Llhttp, "test/request/uri.md:165", Rejected, Fragment),
        Row(Llhttp, "test/request/transfer-encoding.md:1025", Rejected, ChunkStrict),
        Row(Llhttp, "test/request/transfer-encoding.md:1140", Rejected, ChunkStrict),
        Row(Llhttp, "test/request/transfer-encoding.md:1215", Rejected, ChunkStrict),
        Row(Llhttp, "test/request/uri.md:222", Rejected, Userinfo),
        new(Llhttp, "absolute-form targets", Expectation.Accept(1), AbsoluteForm,
            row => row.GetProperty("expect").GetString() == "ok" && row.GetProperty("url").ValueKind == JsonValueKind.String
                && row.GetProperty("url").GetString()!.StartsWith("http://", StringComparison.Ordinal)
                && row.GetProperty("url").GetString()!.IndexOf('@') < 0,
            row => Expectation.Accept(row.GetProperty("messages_completed").GetInt32()).WithMessages(row.GetProperty("messages"), originForm: true)),

        // Kestrel (exact status codes).
        Row(Kestrel, "#128 \"GET / http/1.0\"", Rejected, Version),
        Row(Kestrel, "#129 \"GET / http/1.1\"", Rejected, Version),
        Row(Kestrel, "#132 \"GET / 8charact\"", Rejected, Version),
        Row(Kestrel, "#199 \"POST / HTTP/1.0\"", Expectation.Accept(1), Http10Body),
        Row(Kestrel, "#200 \"PUT / HTTP/1.0\"", Expectation.Accept(1), Http10Body),
        Row(Kestrel, "#204 \"GET www.host.com HTTP/1.1\"", Rejected, AuthorityPort),
        .. Asterisk("#203 \"GET"), .. Asterisk("#205 \"GET", "#206 \"PUT", "#207 \"DELETE", "#208 \"POST", "#209 \"HEAD", "#210 \"TRACE",
            "#211 \"PATCH", "#212 \"CONNECT", "#213 \"CUSTOM"),
        .. AuthorityFormRows("#214 \"GET", "#215 \"PUT", "#216 \"DELETE", "#217 \"POST", "#218 \"HEAD", "#219 \"TRACE", "#220 \"PATCH",
            "#221 \"OPTIONS", "#222 \"CUSTOM"),
        .. Enumerable.Range(269, 7).Select(n => Row(Kestrel, $"#{n} \"POST / HTTP/1.1\"", Rejected, EmptyHost)),
        Row(Kestrel, "#276 \"OPTIONS * HTTP/1.1\"", Rejected, EmptyHost),
        Row(Kestrel, "#277 \"GET /pub/WWW/ HTTP/1.1\"", Rejected, EmptyHost),
        Row(Kestrel, "#278 \"GET /pub/WWW/ HTTP/1.1\"", Rejected, EmptyHost),
        Row(Kestrel, "#287 \"CONNECT asp.net:80 HTTP/1.1\"", Expectation.Reject(501), Connect),
        Row(Kestrel, "#288 \"CONNECT asp.net:443 HTTP/1.1\"", Expectation.Reject(501), Connect),
        Row(Kestrel, "#289 \"CONNECT user-images.githubusercontent.com:443 HTTP/1.1\"", Expectation.Reject(501), Connect),

        // Go net/http.
        Row(Go, "#3 \"GET / HTTP/1.1\"", Rejected, EmptyHost),
        Row(Go, "#8 \"GET / HTTP/1.1\"", Rejected, HostSyntax + " ('::1' without brackets)"),
        Row(Go, "#21 \"PRI * HTTP/2.0\"", Expectation.Reject(505), Http2),
        Row(Go, "#22 \"CONNECT golang.org:443 HTTP/1.1\"", Rejected, MissingHost),

        // http-desync-guardian (tiers written for proxies).
        Row(Desync, "acceptable.yaml: No TE/CL headers, some others are non-compliant", Rejected, SpaceBeforeColon),
        Row(Desync, "acceptable.yaml: TE and some others are non-compliant", Rejected, SpaceBeforeColon),
        Row(Desync, "acceptable.yaml: CL and some others are non-compliant", Rejected, SpaceBeforeColon),
        Row(Desync, "acceptable.yaml: A non-essential header with a non-printable character (x01)", Rejected, Unknown0x01),
        Row(Desync, "acceptable.yaml: Non-RFC, but OK HTTP/0.9", Expectation.Reject(505), Version),
        Row(Desync, "acceptable.yaml: Unknown but OK HTTP/1.2", Expectation.Reject(505), Version),
        Row(Desync, "acceptable.yaml: Empty version, which means HTTP/0.9", Rejected, Http09),
        Row(Desync, "ambiguous.yaml: Content-Length for HTTP/0.9", Expectation.Reject(505), Version),
        Row(Desync, "ambiguous.yaml: Transfer-Encoding for HTTP/0.9", Expectation.Reject(505), Version),
        Row(Desync, "bad-header-characters.yaml: Some-Header: \\x01value", Rejected, ControlInField),
        Row(Desync, "bad-header-characters.yaml: Some-Header: value\\x01", Rejected, ControlInField),
        Row(Desync, "bad-header-characters.yaml: Some-Header\\x01", Rejected, ControlInField),
        Row(Desync, "bad-header-characters.yaml: \\x01Some-Header", Rejected, ControlInField),
        Row(Desync, "more-compliant-tests.yaml: Correct TE OK", Expectation.Reject(501), TransferCodings),
        Row(Desync, "more-compliant-tests.yaml: Multiple transfer encoding headers in a single request OK", Expectation.Reject(501), TransferCodings),
        Row(Desync, "more-compliant-tests.yaml: Transfer-Encoding: identity and chunked OK", Expectation.Reject(501), TransferCodings),
        Row(Desync, "more-compliant-tests.yaml: TE with custom parameters OK", Rejected, TransferCodings),
        Row(Desync, "rfc-compliant.yaml: Different Transfer-Encoding headers", Expectation.Reject(501), TransferCodings),
        Row(Desync, "rfc-compliant.yaml: Different Transfer-Encoding headers combined", Expectation.Reject(501), TransferCodings),
        Row(Desync, "rfc-compliant.yaml: Transfer-Encoding with a param: chunked;custom_param", Rejected, TransferCodings),
        Row(Desync, "severe.yaml: Unknown Transfer-Encoding: xchunked", Expectation.Reject(501), TransferCodings + " (still rejected and closed, with the more precise status)"),
        Row(Desync, "rfc-compliant.yaml: Compliant URL", Rejected, Fragment),
        Row(Desync, "rfc-compliant.yaml: International in URI", Rejected, TargetBytes),
        Row(Desync, "rfc-compliant.yaml: Empty URI", Rejected, TargetBytes),
        Row(Desync, "uri-specific-test-cases.yaml: [space] in URI", Rejected, TargetBytes),
        Row(Desync, "uri-specific-test-cases.yaml: Extra spaces in version", Rejected, Version + " (a space after the version is not request-line syntax)"),

        // HTTP Garden trophies: rows Kiln accepts, with the strict parse it gives them.
        Row(Garden, "server #41", Expectation.Accept(1).And("the obs-text bytes \\x85 and \\xA0 stay in the value (not trimmed as whitespace)",
                r => r[0].Headers.Single(h => h.Name == "User").Value is { Length: 7 } v && v[0] == '\uFFFD' && v[^1] == '\uFFFD'),
            "a valid request: obs-text is allowed in values and only SP/HTAB are trimmed, so the trophy's bug (trimming \\x85/\\xA0) does not occur"),
        Row(Garden, "server #48", Expectation.Accept(2).And("the second POST's body is the pipelined GET (34 bytes)",
                r => r.Count == 2 && System.Text.Encoding.ASCII.GetString(r[1].Body) == "GET / HTTP/1.1\r\nHost: a\r\nid: 2\r\n\r\n"),
            "valid pipelined requests: Content-Length: 0 means no body, and the next request's declared 34 bytes are its body, exactly as framed"),
    ];

    public static IEnumerable<Deviation> For(string file) => All.Where(d => d.File == file);

    public static Deviation? Find(string file, string key, JsonElement row)
        => For(file).FirstOrDefault(d => d.Applies is null ? d.Key == key : d.Applies(row));
}

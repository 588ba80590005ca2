using System.Text;
using System.Text.Json;

namespace Kiln.RuntimeTests.Conformance;

/// <summary>Each corpus's own expectation for a row, read from the row (see ../shared/conformance/README.md).</summary>
public static class SourceExpectations
{
    /// <summary>A stable name for a row, used by <see cref="Deviations"/> and in reports.</summary>
    public static string Key(string file, JsonElement row, int index) => file switch
    {
        "llhttp_requests.jsonl" => row.GetProperty("location").GetString()!,
        "desync_guardian_cases.jsonl" => row.GetProperty("file").GetString() + ": " + row.GetProperty("name").GetString(),
        "http_garden_trophies.jsonl" => row.GetProperty("section").GetString() + " #" + row.GetProperty("number").GetInt32(),
        _ => $"#{index + 1} " + Shorten(row.TryGetProperty("raw", out var raw) && raw.ValueKind == JsonValueKind.String ? raw.GetString()! : row.GetProperty("test").GetString()!),
    };

    private static string Shorten(string raw)
    {
        int end = raw.IndexOf("\r\n", StringComparison.Ordinal);
        var line = end < 0 ? raw : raw[..end];
        return JsonSerializer.Serialize(line.Length > 60 ? line[..60] : line);
    }

    /// <summary>
    /// llhttp's and desync-guardian's rows mostly omit Host (they test parsers and proxies, which do not require it),
    /// so they run with the Host requirement off; the Host rules are covered by the Kestrel and Go rows.
    /// </summary>
    public static bool RunWithoutHostRequirement(string file) => file is "llhttp_requests.jsonl" or "desync_guardian_cases.jsonl";

    /// <summary>The bytes to send.</summary>
    public static byte[] Input(string file, JsonElement row)
    {
        if (row.TryGetProperty("raw_template", out var template))
        {
            var sb = new StringBuilder();
            sb.Append(template.GetProperty("prefix").GetString());
            sb.Append(template.GetProperty("repeat").GetString()![0], template.GetProperty("count").GetInt32());
            sb.Append(template.GetProperty("suffix").GetString());
            return Encoding.Latin1.GetBytes(sb.ToString());
        }
        var b64 = row.GetProperty("raw_b64");
        // A list holds several sends of one connection; they arrive as one stream.
        var bytes = b64.ValueKind == JsonValueKind.Array
            ? b64.EnumerateArray().SelectMany(part => Convert.FromBase64String(part.GetString()!)).ToArray()
            : Convert.FromBase64String(b64.GetString()!);
        if (file == "kestrel_bad_requests.jsonl" && row.TryGetProperty("raw_padded", out var padded) && padded.ValueKind == JsonValueKind.String)
        {
            // raw_padded is raw plus a Host line and the blank line; append that suffix to the exact raw bytes.
            var suffix = padded.GetString()![row.GetProperty("raw").GetString()!.Length..];
            return [.. bytes, .. Encoding.Latin1.GetBytes(suffix)];
        }
        return bytes;
    }

    public static Expectation For(string file, JsonElement row) => file switch
    {
        "llhttp_requests.jsonl" => Llhttp(row),
        "kestrel_bad_requests.jsonl" => Kestrel(row),
        "go_nethttp_cases.jsonl" => Go(row),
        "desync_guardian_cases.jsonl" => Desync(row),
        "http_garden_trophies.jsonl" => Expectation.Reject(),
        _ => throw new ArgumentException(file),
    };

    private static Expectation Llhttp(JsonElement row)
    {
        if (row.GetProperty("harness_specific").GetBoolean())
            return Expectation.Skip("tests llhttp's pause/finish API, not the wire format (README)");
        if (row.GetProperty("non_http_protocol").GetBoolean())
            return Expectation.Reject();   // RTSP/ICE and HTTP/0.9 are not HTTP/1.1 requests (README)
        int completed = row.GetProperty("messages_completed").GetInt32();
        if (row.GetProperty("expect").GetString() == "error")
            return Expectation.Reject(answered: completed);
        var messages = row.GetProperty("messages");
        return row.GetProperty("outcome").GetString() switch
        {
            "incomplete" => Expectation.Accept(completed, pending: true).WithMessages(messages),
            _ => Expectation.Accept(completed).WithMessages(messages),
        };
    }

    private static Expectation Kestrel(JsonElement row)
    {
        var status = row.GetProperty("expect_status");
        if (status.ValueKind == JsonValueKind.String)   // "200-if-lenient/400-if-strict": Kiln is strict
            return Expectation.Reject(400);
        int code = status.GetInt32();
        return code == 200 ? Expectation.Accept() : Expectation.Reject(code);
    }

    private static Expectation Go(JsonElement row)
    {
        if (row.TryGetProperty("expect", out var text)) return Expectation.Reject(text.GetString() == "error (400)" ? 400 : null);
        int code = row.GetProperty("expect_status").GetInt32();
        return code == 200 ? Expectation.Accept() : Expectation.Reject(code);
    }

    private static Expectation Desync(JsonElement row) => row.GetProperty("expected_tier").GetString() switch
    {
        "Compliant" or "Acceptable" => Expectation.Accept(answered: null).Or(Expectation.Accept(0, pending: true)),
        "Ambiguous" => Expectation.Reject(400).Or(new Expectation("answer then close", (o, _) => o.RejectStatus is null && o.Closed ? null : "got " + o)),
        _ => Expectation.Reject(400),
    };
}

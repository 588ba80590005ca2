using System.Text;
using System.Text.Json;

namespace Kiln.RuntimeTests.Conformance;

/// <summary>An expected outcome for one corpus row: a description for the report and the check itself.</summary>
public sealed record Expectation(string Description, Func<Outcome, List<SeenRequest>, string?> Check)
{
    /// <summary>Not run (with the reason in the description).</summary>
    public bool IsSkip { get; init; }

    public static Expectation Skip(string reason) => new("skip: " + reason, (_, _) => null) { IsSkip = true };

    /// <summary>Rejected with <paramref name="status"/> (any 4xx/5xx when null) after <paramref name="answered"/> answers (any when null).</summary>
    public static Expectation Reject(int? status = null, int? answered = null) => new(
        $"reject {(status?.ToString() ?? "4xx/5xx")}{(answered is { } a ? $" after {a}" : "")}",
        (o, _) => o.RejectStatus is { } s && (status is null ? s >= 400 : s == status) && (answered is null || o.Answered == answered)
            ? null : "got " + o);

    /// <summary>Accepted: <paramref name="answered"/> requests answered (at least one when null), then waiting mid-message when <paramref name="pending"/>.</summary>
    public static Expectation Accept(int? answered = null, bool? pending = null) => new(
        $"accept {(answered?.ToString() ?? ">=1")}{(pending is true ? " + pending" : pending is false ? " (not pending)" : "")}",
        (o, _) => o.RejectStatus is null && (answered is null ? o.Answered >= 1 : o.Answered == answered) && (pending is null || o.Pending == pending)
            ? null : "got " + o);

    /// <summary>Either expectation.</summary>
    public Expectation Or(Expectation other) => new(Description + " or " + other.Description,
        (o, r) => Check(o, r) is null || other.Check(o, r) is null ? null : "got " + o);

    /// <summary>Also compares the parsed messages with llhttp's.</summary>
    public Expectation WithMessages(JsonElement messages, bool originForm = false) => this with
    {
        Description = Description + " with llhttp's messages" + (originForm ? " (targets in origin-form)" : ""),
        Check = (o, seen) => Check(o, seen) ?? CompareMessages(messages, seen, originForm),
    };

    /// <summary>A custom check on the seen requests, after this expectation's own check.</summary>
    public Expectation And(string description, Func<List<SeenRequest>, bool> check) => this with
    {
        Description = Description + " and " + description,
        Check = (o, seen) => Check(o, seen) ?? (check(seen) ? null : "requests did not satisfy: " + description),
    };

    /// <summary>http://host[:port]/p?q → /p?q (and "/" for an empty path), as Kiln hands it to the application.</summary>
    private static string OriginForm(string url)
    {
        int scheme = url.IndexOf("://", StringComparison.Ordinal);
        if (scheme < 0) return url;
        var rest = url[(scheme + 3)..];
        int path = rest.IndexOfAny(['/', '?']);
        return path < 0 ? "/" : rest[path] == '?' ? "/" + rest[path..] : rest[path..];
    }

    private static string? CompareMessages(JsonElement expected, List<SeenRequest> seen, bool originForm)
    {
        int i = 0;
        foreach (var message in expected.EnumerateArray())
        {
            if (!message.TryGetProperty("complete", out var complete) || !complete.GetBoolean()) break;
            if (i >= seen.Count) return $"message {i} not seen";
            var actual = seen[i];
            string method = message.GetProperty("method").GetString()!;
            string url = message.GetProperty("url").GetString()!;
            if (originForm) url = OriginForm(url);
            string version = message.GetProperty("version").GetString()!;
            if (actual.Method != method) return $"message {i}: method {actual.Method} != {method}";
            if (actual.Target != url) return $"message {i}: target {actual.Target} != {url}";
            if (actual.Version != version) return $"message {i}: version {actual.Version} != {version}";
            var headers = message.GetProperty("headers").EnumerateArray().Select(h => (h[0].GetString()!, h[1].GetString()!)).ToList();
            if (!headers.SequenceEqual(actual.Headers))
                return $"message {i}: headers [{string.Join("|", actual.Headers)}] != [{string.Join("|", headers)}]";
            var body = message.GetProperty("body");
            string expectedBody = body.ValueKind == JsonValueKind.Null ? "" : body.GetString()!;
            string actualBody = Encoding.Latin1.GetString(actual.Body);
            if (actualBody != expectedBody) return $"message {i}: body '{actualBody}' != '{expectedBody}'";
            i++;
        }
        return null;
    }
}

using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.RegularExpressions;

namespace Kiln.GeneratorTests.Differential;

/// <summary>What a request got: status, body (the route's name and bound values, for 200), Allow and Location.</summary>
public sealed record Answer(int Status, string? Body, string? Allow, string? Location)
{
    public override string ToString() => Status + (Body is null ? "" : " body=" + Body) + (Allow is null ? "" : " Allow: " + Allow) + (Location is null ? "" : " Location: " + Location);
}

/// <summary>
/// The routing rules written down as plainly as possible, with no trie, no DFA and no code shared with the generator
/// or the runtime: normalize the path, try every route against it, keep the most specific. Slow on purpose.
/// </summary>
/// <remarks>
/// Paths are handled as "byte strings" (Latin-1 strings holding one byte per char) so literal comparison is on the
/// bytes of the decoded path, as the rules say.
/// </remarks>
public sealed class ReferenceRouter
{
    private static readonly Encoding Latin1 = Encoding.Latin1;
    private static readonly string[] MethodOrder = { "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS" };

    private readonly IReadOnlyList<TestRoute> _routes;

    public ReferenceRouter(IReadOnlyList<TestRoute> routes) => _routes = routes;

    /// <summary>A route that matches a path: its rank per path segment, whether it ends exactly, and its bound values.</summary>
    public sealed record Candidate(TestRoute Route, int[] Ranks, bool EndsExactly, string Body);

    public Answer Route(string method, string target)
    {
        int q = target.IndexOf('?');
        string rawPath = q < 0 ? target : target[..q];
        string query = q < 0 ? "" : target[(q + 1)..];
        var path = Normalize(rawPath);
        if (path is null) return new Answer(400, null, null, null);

        var matches = Match(path);
        if (matches.Count == 0)
        {
            if ((method == "GET" || method == "HEAD") && path.Length > 1 && path[^1] == '/')
            {
                var trimmed = path.TrimEnd('/');
                if (trimmed.Length == 0) trimmed = "/";
                if (Best(Match(trimmed), method) is not null)
                    return new Answer(308, null, null, EncodeLocation(trimmed) + (query.Length > 0 ? "?" + query : ""));
            }
            return new Answer(404, null, null, null);
        }
        var best = Best(matches, method);
        if (best is not null) return new Answer(200, best.Body, null, null);
        string allow = Allow(matches.Select(m => m.Route.Method));
        return method == "OPTIONS" ? new Answer(204, null, allow, null) : new Answer(405, null, allow, null);
    }

    /// <summary>The most specific route for <paramref name="method"/> (HEAD falls back to GET), or null.</summary>
    public static Candidate? Best(List<Candidate> matches, string method)
    {
        var forMethod = matches.Where(m => m.Route.Method == method).ToList();
        if (forMethod.Count == 0 && method == "HEAD") forMethod = matches.Where(m => m.Route.Method == "GET").ToList();
        return forMethod.OrderBy(m => m, Comparer<Candidate>.Create(Compare)).FirstOrDefault();
    }

    /// <summary>Lexicographic on the rank vectors; then a route that ends exactly beats a catch-all with an empty rest.</summary>
    public static int Compare(Candidate a, Candidate b)
    {
        for (int i = 0; i < a.Ranks.Length; i++)
            if (a.Ranks[i] != b.Ranks[i]) return a.Ranks[i].CompareTo(b.Ranks[i]);
        return b.EndsExactly.CompareTo(a.EndsExactly);
    }

    /// <summary>Groups of two or more same-method routes that tie on <paramref name="target"/> (which the generator must reject).</summary>
    public IEnumerable<List<TestRoute>> Ties(string target)
    {
        int q = target.IndexOf('?');
        var path = Normalize(q < 0 ? target : target[..q]);
        if (path is null) yield break;
        foreach (var group in Match(path).GroupBy(m => m.Route.Method))
        {
            var list = group.ToList();
            var best = list.OrderBy(m => m, Comparer<Candidate>.Create(Compare)).First();
            var tied = list.Where(m => Compare(m, best) == 0).Select(m => m.Route).ToList();
            if (tied.Count > 1) yield return tied;
        }
    }

    public static string Allow(IEnumerable<string> methods)
    {
        var set = new HashSet<string>(methods) { "OPTIONS" };
        if (set.Contains("GET")) set.Add("HEAD");
        return string.Join(", ", MethodOrder.Where(set.Contains).Concat(set.Where(m => !MethodOrder.Contains(m)).OrderBy(m => m, StringComparer.Ordinal)));
    }

    /// <summary>
    /// Percent-decodes (keeping %2F and %25 as upper-case escapes), then removes dot segments. Null means 400:
    /// no leading '/', a bad escape, an encoded NUL, or a '..' above the root.
    /// </summary>
    public static string? Normalize(string rawPath)
    {
        var bytes = Latin1.GetString(Encoding.UTF8.GetBytes(rawPath));
        if (bytes.Length == 0 || bytes[0] != '/') return null;
        var decoded = new StringBuilder();
        for (int i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] != '%') { decoded.Append(bytes[i]); continue; }
            if (i + 2 >= bytes.Length || !Uri.IsHexDigit(bytes[i + 1]) || !Uri.IsHexDigit(bytes[i + 2])) return null;
            int b = Convert.ToInt32(bytes.Substring(i + 1, 2), 16);
            i += 2;
            if (b == 0) return null;
            decoded.Append(b == '/' ? "%2F" : b == '%' ? "%25" : ((char)b).ToString());
        }
        var input = decoded.ToString().Substring(1).Split('/');
        var output = new List<string>();
        for (int i = 0; i < input.Length; i++)
        {
            bool last = i == input.Length - 1;
            if (input[i] == ".")
            {
                if (last) output.Add("");
            }
            else if (input[i] == "..")
            {
                if (output.Count == 0) return null;
                output.RemoveAt(output.Count - 1);
                if (last) output.Add("");
            }
            else output.Add(input[i]);
        }
        return "/" + string.Join("/", output);
    }

    /// <summary>Every route that matches the normalized <paramref name="path"/>, with its ranks and bound values.</summary>
    public List<Candidate> Match(string path)
    {
        var segments = path == "/" ? Array.Empty<string>() : path.Substring(1).Split('/');
        var result = new List<Candidate>();
        foreach (var route in _routes)
        {
            int k = route.FixedCount;
            if (route.HasCatchAll ? segments.Length < k : segments.Length != k) continue;
            var ranks = new int[segments.Length];
            var body = new StringBuilder(route.Name);
            bool ok = true;
            for (int i = 0; i < k && ok; i++)
            {
                var values = MatchSegment(route.Segments[i], segments[i], out ranks[i]);
                if (values is null) ok = false;
                else foreach (var (name, value) in values) body.Append('|').Append(name).Append('=').Append(value);
            }
            if (!ok) continue;
            if (route.HasCatchAll)
            {
                for (int i = k; i < segments.Length; i++) ranks[i] = 4;
                body.Append('|').Append(route.Segments[k].Parts[0].Name).Append('=').Append(Decode(string.Join("/", segments.Skip(k))));
            }
            result.Add(new Candidate(route, ranks, !route.HasCatchAll, body.ToString()));
        }
        return result;
    }

    /// <summary>The bound values when <paramref name="segment"/> matches <paramref name="seg"/> (rank: 0 literal, 1 pattern, 2 typed, 3 string), else null.</summary>
    private static List<(string Name, string Value)>? MatchSegment(Seg seg, string segment, out int rank)
    {
        rank = 0;
        if (seg.IsLiteral)
            return segment == Latin1.GetString(Encoding.UTF8.GetBytes(seg.Parts[0].Literal!)) ? new() : null;
        if (seg.IsLoneParam)
        {
            var p = seg.Parts[0];
            rank = p.Type == ParamType.String ? 3 : 2;
            var value = Parse(p.Type, segment);
            return value is null ? null : new() { (p.Name!, value) };
        }
        rank = 1;
        var texts = SplitPattern(seg.Parts, segment);
        if (texts is null) return null;
        var result = new List<(string, string)>();
        var names = seg.Parts.Where(p => p.Name is not null).ToList();
        for (int i = 0; i < names.Count; i++)
        {
            var value = Parse(names[i].Type, texts[i]);
            if (value is null) return null;
            result.Add((names[i].Name!, value));
        }
        return result;
    }

    /// <summary>
    /// Splits a segment by a pattern: the prefix and suffix must be there, and parameters are peeled off from the right,
    /// each taking the shortest non-empty text that follows its separator. Null when it does not fit.
    /// </summary>
    private static List<string>? SplitPattern(IReadOnlyList<Part> parts, string segment)
    {
        string rest = segment;
        var list = parts.ToList();
        if (list[0].Literal is { } prefix)
        {
            var p = Latin1.GetString(Encoding.UTF8.GetBytes(prefix));
            if (!rest.StartsWith(p, StringComparison.Ordinal)) return null;
            rest = rest[p.Length..];
            list.RemoveAt(0);
        }
        if (list[^1].Literal is { } suffix)
        {
            var s = Latin1.GetString(Encoding.UTF8.GetBytes(suffix));
            if (!rest.EndsWith(s, StringComparison.Ordinal)) return null;
            rest = rest[..^s.Length];
            list.RemoveAt(list.Count - 1);
        }
        // list is now P (L P)*.
        var values = new List<string>();
        for (int i = list.Count - 1; i > 0; i -= 2)
        {
            var separator = Latin1.GetString(Encoding.UTF8.GetBytes(list[i - 1].Literal!));
            int found = -1;
            // The rightmost separator that leaves a non-empty value on both sides.
            for (int at = rest.Length - separator.Length - 1; at >= 1; at--)
                if (string.CompareOrdinal(rest, at, separator, 0, separator.Length) == 0) { found = at; break; }
            if (found < 0) return null;
            values.Insert(0, rest[(found + separator.Length)..]);
            rest = rest[..found];
        }
        if (rest.Length == 0) return null;
        values.Insert(0, rest);
        return values;
    }

    private static readonly Regex Integer = new("^-?[0-9]+$", RegexOptions.CultureInvariant);
    private static readonly Regex Float = new(@"^-?([0-9]+(\.[0-9]+)?|\.[0-9]+)([eE][+-]?[0-9]+)?$", RegexOptions.CultureInvariant);

    /// <summary>The value as the route method formats it, when <paramref name="text"/> (a byte string) parses as <paramref name="type"/>; else null.</summary>
    public static string? Parse(ParamType type, string text)
    {
        if (text.Length == 0) return null;
        switch (type)
        {
            case ParamType.String:
                return Decode(text);
            case ParamType.Int: return IntegerIn(text, int.MinValue, int.MaxValue);
            case ParamType.Long: return IntegerIn(text, long.MinValue, long.MaxValue);
            case ParamType.Byte: return IntegerIn(text, byte.MinValue, byte.MaxValue);
            case ParamType.ULong: return IntegerIn(text, ulong.MinValue, ulong.MaxValue);
            case ParamType.Bool:
                return AsciiEqualsIgnoreCase(text, "true") ? "true" : AsciiEqualsIgnoreCase(text, "false") ? "false" : null;
            case ParamType.Color:
                return TableSource.ColorNames.FirstOrDefault(n => AsciiEqualsIgnoreCase(text, n));
            case ParamType.Guid:
                if (text.Any(c => c > 127)) return null;
                return Guid.TryParseExact(text, "D", out var g) || Guid.TryParseExact(text, "N", out g) ? g.ToString("N") : null;
            case ParamType.Date:
                if (text.Length != 10 || text.Any(c => c > 127)) return null;
                return DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
                    ? d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : null;
            case ParamType.Double:
                if (!Float.IsMatch(text)) return null;
                var x = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
                return double.IsFinite(x) ? x.ToString("R", CultureInfo.InvariantCulture) : null;
            default:
                throw new ArgumentOutOfRangeException(nameof(type));
        }
    }

    private static string? IntegerIn(string text, BigInteger min, BigInteger max)
    {
        if (!Integer.IsMatch(text)) return null;
        var value = BigInteger.Parse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        if (text[0] == '-' && min.IsZero) return null;
        return value >= min && value <= max ? value.ToString(CultureInfo.InvariantCulture) : null;
    }

    private static bool AsciiEqualsIgnoreCase(string a, string b)
    {
        if (a.Length != b.Length) return false;
        for (int i = 0; i < a.Length; i++)
        {
            char x = a[i], y = b[i];
            if (x is >= 'A' and <= 'Z') x = (char)(x + 32);
            if (y is >= 'A' and <= 'Z') y = (char)(y + 32);
            if (x != y) return false;
        }
        return true;
    }

    /// <summary>A byte-string route value as a .NET string: %2F and %25 back to '/' and '%', then UTF-8.</summary>
    private static string Decode(string byteString) =>
        Encoding.UTF8.GetString(Latin1.GetBytes(byteString.Replace("%2F", "/").Replace("%25", "%")));

    /// <summary>The Location of a trailing-slash redirect: the normalized path with bytes outside visible ASCII (and a few delimiters) escaped.</summary>
    private static string EncodeLocation(string byteString)
    {
        var sb = new StringBuilder();
        foreach (char c in byteString)
        {
            if (c > ' ' && c < 127 && "\"<>\\^`{|}?#".IndexOf(c) < 0) sb.Append(c);
            else sb.Append('%').Append(((int)c).ToString("X2", CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }
}

namespace Kiln.Benchmarks;

/// <summary>
/// The baseline every router is measured against: a list of routes tried in order. Each route is its method and
/// its template split at '/' (literal or parameter per segment); a lookup walks the path's segments as spans
/// against each route in turn (no allocation). The list is sorted once, most specific first (per segment from the
/// left, literal before parameter), so the first match is the right one.
/// </summary>
public sealed class NaiveMatcher
{
    private readonly (string Method, string?[] Segments, int Id)[] _routes;   // a null segment is a parameter

    public NaiveMatcher(IReadOnlyList<GitHubRoute> routes)
    {
        _routes = routes
            .Select(r => (r.Method, Segments: r.Template[1..].Split('/').Select(s => s.Contains('<') ? null : s).ToArray(), r.Index))
            .OrderBy(r => r.Segments, Comparer<string?[]>.Create(Specificity))
            .ToArray();
    }

    private static int Specificity(string?[] a, string?[] b)
    {
        for (int i = 0; i < Math.Min(a.Length, b.Length); i++)
        {
            int c = (a[i] is null).CompareTo(b[i] is null);
            if (c != 0) return c;
        }
        return 0;
    }

    /// <summary>The route row that matches, or -1.</summary>
    public int Match(string method, string path)
    {
        foreach (var (routeMethod, segments, id) in _routes)
        {
            if (!string.Equals(routeMethod, method, StringComparison.Ordinal)) continue;
            var rest = path.AsSpan(1);
            bool ok = true, consumed = false;
            for (int i = 0; i < segments.Length && ok; i++)
            {
                if (consumed) { ok = false; break; }         // the path ended before the template
                int slash = rest.IndexOf('/');
                ReadOnlySpan<char> segment;
                if (slash < 0) { segment = rest; consumed = true; }
                else { segment = rest[..slash]; rest = rest[(slash + 1)..]; }
                ok = segments[i] is { } literal ? segment.SequenceEqual(literal) : !segment.IsEmpty;
            }
            if (ok && consumed) return id;                 // and the template ended with the path
        }
        return -1;
    }
}

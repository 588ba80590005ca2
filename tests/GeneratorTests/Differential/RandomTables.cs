using System.Globalization;
using System.Text;
using Kiln.Generator;
using Kiln.Generator.Routing;
using GenValueType = Kiln.Generator.Routing.ValueType;

namespace Kiln.GeneratorTests.Differential;

/// <summary>
/// Seeded random route tables and requests for the differential test. Tables draw segments from small pools so
/// routes share prefixes and compete (literal vs typed vs string vs pattern vs catch-all); requests are mostly
/// built from a route (valid values, near misses, overflowing numbers, encodings), then mutated (dot segments,
/// trailing slashes, bad escapes, queries).
/// </summary>
public sealed class RandomTables
{
    private readonly Random _random;

    public RandomTables(int seed) => _random = new Random(seed);

    private static readonly string[] Literals = { "a", "b", "users", "new", "42", "true", "Red", "café", "x.png", "v1", "img-1.png" };
    private static readonly string[] Methods = { "GET", "GET", "GET", "GET", "POST", "POST", "PUT", "DELETE", "PATCH", "PURGE", "HEAD", "OPTIONS" };
    public static readonly string[] RequestMethods = { "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "PURGE", "get" };
    private static readonly ParamType[] Types =
    {
        ParamType.String, ParamType.String, ParamType.String, ParamType.Int, ParamType.Int, ParamType.Long, ParamType.Byte,
        ParamType.ULong, ParamType.Guid, ParamType.Bool, ParamType.Color, ParamType.Date, ParamType.Double,
    };

    private T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];

    private bool Chance(double p) => _random.NextDouble() < p;

    // ---- tables ----

    public List<TestRoute> Table(int count)
    {
        var routes = new List<TestRoute>();
        for (int i = 0; i < count; i++)
        {
            int names = 0;
            string NewName() => "p" + names++;
            double depthRoll = _random.NextDouble();
            int depth = depthRoll < 0.05 ? 0 : depthRoll < 0.3 ? 1 : depthRoll < 0.7 ? 2 : 3;
            var segments = new List<Seg>();
            for (int d = 0; d < depth; d++)
            {
                double roll = _random.NextDouble();
                if (d == depth - 1 && d > 0 && Chance(0.15)) segments.Add(Seg.CatchAll(NewName()));
                else if (roll < (d == 0 ? 0.6 : 0.4)) segments.Add(Seg.Lit(d == 0 ? Pick(Literals.Take(3).ToArray()) : Pick(Literals)));
                else if (roll < 0.82) segments.Add(Seg.Param(NewName(), Pick(Types)));
                else segments.Add(Pattern(NewName));
            }
            if (depth == 0 && Chance(0.2)) segments.Add(Seg.CatchAll(NewName()));
            routes.Add(new TestRoute("R" + i, Pick(Methods), segments));
        }
        return routes;
    }

    private Seg Pattern(Func<string> name)
    {
        switch (_random.Next(6))
        {
            case 0: return new Seg(new[] { Part.Lit("img-"), Part.Param(name(), Pick(Types)), Part.Lit(".png") });
            case 1: return new Seg(new[] { Part.Param(name(), Pick(Types)), Part.Lit(".png") });
            case 2: return new Seg(new[] { Part.Lit("v"), Part.Param(name(), Pick(Types)) });
            case 3: return new Seg(new[] { Part.Param(name(), ParamType.String), Part.Lit("."), Part.Param(name(), Pick(Types)) });
            case 4: return new Seg(new[] { Part.Param(name(), Pick(Types)), Part.Lit("-"), Part.Param(name(), Pick(Types)), Part.Lit(".txt") });
            default: return new Seg(new[] { Part.Lit("img-"), Part.Param(name(), Pick(Types)) });
        }
    }

    // ---- requests ----

    public (string Method, string Target) Request(IReadOnlyList<TestRoute> routes)
    {
        var route = routes.Count > 0 && Chance(0.85) ? Pick(routes) : null;
        var segments = new List<string>();
        if (route is null)
        {
            int n = _random.Next(0, 4);
            for (int i = 0; i < n; i++) segments.Add(Chance(0.5) ? Pick(Literals) : StringSample());
        }
        else
        {
            foreach (var seg in route.Segments)
            {
                if (seg.IsCatchAll)
                {
                    int n = _random.Next(0, 4);
                    for (int i = 0; i < n; i++) segments.Add(Chance(0.2) ? "" : StringSample());
                }
                else if (seg.IsLiteral) segments.Add(LiteralSample(seg.Parts[0].Literal!));
                else if (seg.IsLoneParam) segments.Add(Chance(0.25) ? Value(Pick(Types)) : Value(seg.Parts[0].Type));
                else segments.Add(PatternSample(seg));
            }
        }
        Mutate(segments);
        string path = "/" + string.Join("/", segments);
        if (Chance(0.04)) path = Pick(new[] { "%", "%G1", "%2" }) is var bad && Chance(0.5) ? path + bad : bad + path;
        if (Chance(0.03)) path = "/.." + path;
        if (Chance(0.02)) path += "%00";
        if (!path.StartsWith('/')) path = "/" + path;
        if (Chance(0.08)) path += "?q=" + Pick(new[] { "1", "a%2Fb", "/x/../y" });
        string method = route is not null && Chance(0.6) ? route.Method : Pick(RequestMethods);
        return (method, path);
    }

    private void Mutate(List<string> segments)
    {
        if (Chance(0.1)) segments.Add("");                                     // trailing slash
        if (Chance(0.06) && segments.Count > 0) segments.Insert(_random.Next(segments.Count), ".");
        if (Chance(0.06)) { int at = _random.Next(segments.Count + 1); segments.Insert(at, ".."); segments.Insert(at, Pick(Literals)); }
        if (Chance(0.05) && segments.Count > 0) segments.RemoveAt(segments.Count - 1);
        if (Chance(0.05)) segments.Add(StringSample());
        if (Chance(0.03) && segments.Count > 0) segments.Insert(_random.Next(segments.Count), "");   // "//"
        if (Chance(0.03)) { int at = _random.Next(segments.Count + 1); segments.Insert(at, Pick(new[] { "%2E%2E", ".%2e", "%2E" })); segments.Insert(at, Pick(Literals)); }
    }

    private string LiteralSample(string literal)
    {
        double roll = _random.NextDouble();
        if (roll < 0.7) return literal;
        if (roll < 0.82) return PercentEncodeOne(literal);
        return _random.Next(4) switch
        {
            0 => literal.ToUpperInvariant() == literal ? literal.ToLowerInvariant() : literal.ToUpperInvariant(),
            1 => literal + "x",
            2 => literal.Length > 1 ? literal[..^1] : "",
            _ => literal.Replace('a', 'b'),
        };
    }

    /// <summary>The literal with one character percent-encoded (its UTF-8 bytes), in upper or lower-case hex: still a match.</summary>
    private string PercentEncodeOne(string literal)
    {
        int at = _random.Next(literal.Length);
        var bytes = Encoding.UTF8.GetBytes(literal[at].ToString());
        string format = Chance(0.5) ? "X2" : "x2";
        string encoded = string.Concat(bytes.Select(b => "%" + b.ToString(format, CultureInfo.InvariantCulture)));
        return literal[..at] + encoded + literal[(at + 1)..];
    }

    private string PatternSample(Seg seg)
    {
        var sb = new StringBuilder();
        foreach (var part in seg.Parts)
            sb.Append(part.Literal ?? (Chance(0.1) ? "" : Chance(0.2) ? Value(Pick(Types)) : Value(part.Type)));
        var text = sb.ToString();
        if (Chance(0.1)) text = text.Length > 1 ? text[..^1] : text + "x";    // break the suffix
        if (Chance(0.05)) text = "x" + text;                                   // break the prefix
        return text;
    }

    private string StringSample() => Pick(new[]
    {
        "x", "bob", "42", "-7", "a.b.c", "img-5.png", "caf%C3%A9", "café", "a%2Fb", "%2F", "%25", "100%25", "%FF", "true", "Red",
        "v1", "v12", "new", "users", "2024-02-29", "1.5", "x.png", "a-b.txt", "1-2.txt", "img-", "%41", "%7E",
    });

    /// <summary>A segment for <paramref name="type"/>: usually valid, often a near miss (overflow, wrong format, wrong case).</summary>
    private string Value(ParamType type)
    {
        string[] valid, invalid;
        switch (type)
        {
            case ParamType.Int:
                valid = new[] { "0", "7", "-12", "2147483647", "-2147483648", "007", "-0", "42" };
                invalid = new[] { "2147483648", "-2147483649", "99999999999", "1.5", "12a", "%2B5", "%205", "-", "٣" };
                break;
            case ParamType.Long:
                valid = new[] { "9223372036854775807", "-9223372036854775808", "5", "2147483648" };
                invalid = new[] { "9223372036854775808", "-9223372036854775809", "5e3", "0x10" };
                break;
            case ParamType.Byte:
                valid = new[] { "0", "255", "17", "0255" };
                invalid = new[] { "256", "-1", "1000" };
                break;
            case ParamType.ULong:
                valid = new[] { "18446744073709551615", "0", "3" };
                invalid = new[] { "18446744073709551616", "-1", "-0" };
                break;
            case ParamType.Guid:
                var g = new Guid(_random.Next(), (short)_random.Next(), (short)_random.Next(), (byte)_random.Next(256), 1, 2, 3, 4, 5, 6, 7);
                valid = new[] { g.ToString("D"), g.ToString("N"), g.ToString("D").ToUpperInvariant() };
                invalid = new[] { "%7B" + g.ToString("D") + "%7D", g.ToString("N")[..31], g.ToString("D").Replace('-', '_'), "g" + g.ToString("N")[1..] };
                break;
            case ParamType.Bool:
                valid = new[] { "true", "FALSE", "tRuE", "false" };
                invalid = new[] { "yes", "1", "truex", "tru" };
                break;
            case ParamType.Color:
                valid = new[] { "Red", "red", "BLUE", "new", "True", "green" };
                invalid = new[] { "Purple", "Re", "0", "Red%20" };
                break;
            case ParamType.Date:
                valid = new[] { "2024-02-29", "1999-12-31", "0001-01-01" };
                invalid = new[] { "2023-02-29", "2024-2-9", "2024-13-01", "20240229", "2024-02-29x" };
                break;
            case ParamType.Double:
                valid = new[] { "1.5", "-0.25", "1e3", "3", "1E-2", ".5", "2147483648" };
                invalid = new[] { "1e400", "NaN", "1.", "1%2C5", "Infinity", "-" };
                break;
            default:
                return StringSample();
        }
        return Chance(0.65) ? Pick(valid) : Pick(invalid);
    }

    // ---- the generator's own conflict check, to pick tables it accepts ----

    /// <summary>Drops routes until the generator's matcher builder accepts the table (no conflicts, not too complex).</summary>
    public static List<TestRoute> Accepted(List<TestRoute> routes)
    {
        var kept = routes.ToList();
        while (true)
        {
            var (_, conflicts, error) = MatcherBuilder.Build(Entries(kept));
            if (error is not null) { kept.RemoveAt(kept.Count - 1); continue; }
            if (conflicts.Count == 0) return kept;
            var drop = conflicts.Select(c => kept[c.Second]).Distinct().ToList();
            kept = kept.Except(drop).ToList();
        }
    }

    /// <summary>The table as the generator's matcher builder sees it (IDs are the table's indexes).</summary>
    internal static List<RouteEntry> Entries(IReadOnlyList<TestRoute> routes)
    {
        var entries = new List<RouteEntry>();
        for (int i = 0; i < routes.Count; i++)
        {
            var route = routes[i];
            var template = TemplateParser.Parse(route.Template).Template ?? throw new InvalidOperationException("Bad template " + route.Template);
            entries.Add(RouteEntry.Create(i, route.Method, template, name => ToValueType(route.Params.First(p => p.Name == name).Type)));
        }
        return entries;
    }

    internal static GenValueType ToValueType(ParamType type) => type switch
    {
        ParamType.String => GenValueType.String,
        ParamType.Int => GenValueType.Of(ValueKind.Int32, "global::System.Int32", "int"),
        ParamType.Long => GenValueType.Of(ValueKind.Int64, "global::System.Int64", "long"),
        ParamType.Byte => GenValueType.Of(ValueKind.Byte, "global::System.Byte", "byte"),
        ParamType.ULong => GenValueType.Of(ValueKind.UInt64, "global::System.UInt64", "ulong"),
        ParamType.Guid => GenValueType.Of(ValueKind.Guid, "global::System.Guid", "Guid"),
        ParamType.Bool => GenValueType.Of(ValueKind.Bool, "global::System.Boolean", "bool"),
        ParamType.Date => GenValueType.Of(ValueKind.DateOnly, "global::System.DateOnly", "DateOnly"),
        ParamType.Double => GenValueType.Of(ValueKind.Double, "global::System.Double", "double"),
        ParamType.Color => new GenValueType(ValueKind.Enum, "global::App.Color", "Color", TableSource.ColorNames.ToEquatableArray()),
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };
}

using System.Globalization;
using System.Text;

namespace Kiln.GeneratorTests.Differential;

/// <summary>The parameter types the differential tests use (each a C# type the generator supports).</summary>
public enum ParamType { String, Int, Long, Byte, ULong, Guid, Bool, Color, Date, Double }

/// <summary>One piece of a template segment: literal text, or a typed parameter.</summary>
public sealed record Part(string? Literal, string? Name, ParamType Type)
{
    public static Part Lit(string text) => new(text, null, ParamType.String);
    public static Part Param(string name, ParamType type) => new(null, name, type);
}

/// <summary>A template segment: a literal, a lone parameter, a pattern (parameters with literal text around them), or a catch-all.</summary>
public sealed record Seg(IReadOnlyList<Part> Parts, bool IsCatchAll = false)
{
    public static Seg Lit(string text) => new(new[] { Part.Lit(text) });
    public static Seg Param(string name, ParamType type) => new(new[] { Part.Param(name, type) });
    public static Seg CatchAll(string name) => new(new[] { Part.Param(name, ParamType.String) }, IsCatchAll: true);

    public bool IsLiteral => !IsCatchAll && Parts.Count == 1 && Parts[0].Literal is not null;
    public bool IsLoneParam => !IsCatchAll && Parts.Count == 1 && Parts[0].Name is not null;

    public override string ToString() => IsCatchAll ? "<*" + Parts[0].Name + ">" : string.Concat(Parts.Select(p => p.Literal ?? "<" + p.Name + ">"));
}

/// <summary>One route of a test table: the method's name (R0, R1, …) is what its body returns, so a response names its route.</summary>
public sealed record TestRoute(string Name, string Method, IReadOnlyList<Seg> Segments)
{
    public string Template => Segments.Count == 0 ? "/" : "/" + string.Join("/", Segments);

    public IEnumerable<Part> Params => Segments.SelectMany(s => s.Parts).Where(p => p.Name is not null);

    public int FixedCount => Segments.Count > 0 && Segments[^1].IsCatchAll ? Segments.Count - 1 : Segments.Count;

    public bool HasCatchAll => Segments.Count > 0 && Segments[^1].IsCatchAll;

    public string Describe() => Method + " " + Template + " -> " + Name + (Params.Any(p => p.Type != ParamType.String)
        ? " (" + string.Join(", ", Params.Where(p => p.Type != ParamType.String).Select(p => p.Name + ": " + p.Type)) + ")"
        : "");
}

/// <summary>Turns a route table into C# source: one static method per route, each on its own line.</summary>
public static class TableSource
{
    public static readonly string[] ColorNames = { "Red", "Green", "Blue", "True", "New" };

    /// <summary>Lines before the first route method (so diagnostics map back to routes by line).</summary>
    public const int HeaderLines = 6;

    public static string For(IReadOnlyList<TestRoute> routes)
    {
        var sb = new StringBuilder();
        sb.Append("using System.Globalization;\n");
        sb.Append("namespace App;\n");
        sb.Append("public enum Color { " + string.Join(", ", ColorNames) + " }\n");
        sb.Append("public static class Routes\n");
        sb.Append("{\n");
        sb.Append("    // one route per line\n");
        foreach (var route in routes)
        {
            var parameters = route.Params.Select(p => CSharpType(p.Type) + " " + Identifier(p.Name!));
            var body = "\"" + route.Name + "\"" + string.Concat(route.Params.Select(p => " + \"|" + p.Name + "=\" + " + Format(p)));
            sb.Append("    [Route(" + Literal(route.Method) + ", " + Literal(route.Template) + ")] public static string " + route.Name
                + "(" + string.Join(", ", parameters) + ") => " + body + ";\n");
        }
        sb.Append("}\n");
        return sb.ToString();
    }

    private static string Literal(string s) => Microsoft.CodeAnalysis.CSharp.SymbolDisplay.FormatLiteral(s, quote: true);

    public static string CSharpType(ParamType type) => type switch
    {
        ParamType.String => "string",
        ParamType.Int => "int",
        ParamType.Long => "long",
        ParamType.Byte => "byte",
        ParamType.ULong => "ulong",
        ParamType.Guid => "Guid",
        ParamType.Bool => "bool",
        ParamType.Color => "Color",
        ParamType.Date => "DateOnly",
        ParamType.Double => "double",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    /// <summary>A parameter name as a C# identifier (<c>ref</c> becomes <c>@ref</c>).</summary>
    private static string Identifier(string name) =>
        Microsoft.CodeAnalysis.CSharp.SyntaxFacts.GetKeywordKind(name) != Microsoft.CodeAnalysis.CSharp.SyntaxKind.None ? "@" + name : name;

    private static string Format(Part p)
    {
        string n = Identifier(p.Name!);
        return p.Type switch
        {
            ParamType.String => n,
            ParamType.Int or ParamType.Long or ParamType.Byte or ParamType.ULong => n + ".ToString(CultureInfo.InvariantCulture)",
            ParamType.Guid => n + ".ToString(\"N\")",
            ParamType.Bool => "(" + n + " ? \"true\" : \"false\")",
            ParamType.Color => n + ".ToString()",
            ParamType.Date => n + ".ToString(\"yyyy-MM-dd\", CultureInfo.InvariantCulture)",
            ParamType.Double => n + ".ToString(\"R\", CultureInfo.InvariantCulture)",
            _ => throw new ArgumentOutOfRangeException(nameof(p)),
        };
    }

    /// <summary>The table as text, for failure messages.</summary>
    public static string Describe(IReadOnlyList<TestRoute> routes) => string.Join("\n", routes.Select(r => "  " + r.Describe()));

    /// <summary>Parses a plain template (literal and &lt;param&gt; segments, a final &lt;*rest&gt;) with every parameter a string.</summary>
    public static IReadOnlyList<Seg> ParsePlain(string template)
    {
        if (template == "/") return Array.Empty<Seg>();
        return template.Substring(1).Split('/').Select(s =>
            s.StartsWith("<*", StringComparison.Ordinal) ? Seg.CatchAll(s[2..^1])
            : s.StartsWith('<') && s.EndsWith('>') && s.IndexOf('<', 1) < 0 ? Seg.Param(s[1..^1], ParamType.String)
            : s.Contains('<') ? throw new NotSupportedException(s)
            : Seg.Lit(s)).ToList();
    }

    internal static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}

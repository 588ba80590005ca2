using System.Runtime.Loader;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Kiln.Benchmarks;

/// <summary>
/// Builds Kiln's router for the GitHub route set the way a user's build would: C# with one route method per row,
/// Kiln's real generator (<see cref="Kiln.Generator.RouterGenerator"/>) through <see cref="CSharpGeneratorDriver"/>,
/// a Release (optimized) Roslyn compilation, loaded into the process. The matcher is then JIT-compiled like any code.
/// </summary>
public static class KilnGitHubRouter
{
    private static (Router Router, string MatcherSource)? s_built;

    /// <summary>The generated router (built once per process).</summary>
    public static Router Router => (s_built ??= Build(GitHubRoutes.All)).Router;

    /// <summary>The generated matcher source, for reading (<c>--dump-matcher</c>).</summary>
    public static string MatcherSource => (s_built ??= Build(GitHubRoutes.All)).MatcherSource;

    /// <summary>C# source with one static route method per row, returning its own name.</summary>
    public static string Source(IReadOnlyList<GitHubRoute> routes)
    {
        var sb = new StringBuilder();
        sb.AppendLine("namespace GitHubApi");
        sb.AppendLine("{");
        sb.AppendLine("    public static class GitHub");
        sb.AppendLine("    {");
        foreach (var r in routes)
        {
            var parameters = string.Join(", ", GitHubRoutes.Parameters(r.Template).Select(p => "string @" + p));
            sb.AppendLine($"        [global::Kiln.Route(\"{r.Method}\", \"{r.Template}\")] public static string {r.Name}({parameters}) => \"{r.Name}\";");
        }
        sb.AppendLine("    }");
        sb.AppendLine("}");
        return sb.ToString();
    }

    // What <ImplicitUsings>enable</ImplicitUsings> gives a project (the generated matcher calls MemoryExtensions
    // as extension methods and needs "using System;").
    private const string GlobalUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Threading;
        global using System.Threading.Tasks;
        """;

    private static (Router, string) Build(IReadOnlyList<GitHubRoute> routes)
    {
        var parse = new CSharpParseOptions(LanguageVersion.Preview);
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(System.IO.Path.PathSeparator)
            .Where(p => System.IO.Path.GetFileName(p) is var f && (f.StartsWith("System.", StringComparison.Ordinal) || f is "mscorlib.dll" or "netstandard.dll"))
            .Append(typeof(Router).Assembly.Location)
            .Append(typeof(RouteAttribute).Assembly.Location)
            .Distinct()
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p));
        var compilation = CSharpCompilation.Create("Kiln.Bench.GitHubApi",
            [CSharpSyntaxTree.ParseText(Source(routes), parse, path: "GitHub.cs"),
             CSharpSyntaxTree.ParseText(GlobalUsings, parse, path: "Usings.cs")],
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, optimizationLevel: OptimizationLevel.Release,
                nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true));
        var driver = CSharpGeneratorDriver.Create([new Kiln.Generator.RouterGenerator().AsSourceGenerator()], parseOptions: parse)
            .RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
        var errors = diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        if (errors.Count > 0) throw new InvalidOperationException("Generator errors:\n" + string.Join("\n", errors));
        using var stream = new MemoryStream();
        var emit = output.Emit(stream);
        if (!emit.Success)
            throw new InvalidOperationException("Compilation failed:\n" + string.Join("\n", emit.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Take(20)));
        stream.Position = 0;
        var assembly = AssemblyLoadContext.Default.LoadFromStream(stream);
        var router = (Router)Activator.CreateInstance(assembly.GetType("Kiln.Generated.AppRouter", throwOnError: true)!)!;
        var matcher = driver.GetRunResult().Results.SelectMany(r => r.GeneratedSources)
            .Where(s => s.HintName.EndsWith("Matcher.g.cs", StringComparison.Ordinal)).Select(s => s.SourceText.ToString()).FirstOrDefault() ?? "";
        return (router, matcher);
    }
}

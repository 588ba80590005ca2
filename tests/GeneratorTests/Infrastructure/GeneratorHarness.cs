using System.Collections.Immutable;
using System.Reflection;
using System.Runtime.Loader;
using Kiln.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Kiln.GeneratorTests.Infrastructure;

/// <summary>Runs the real generator on source text, compiles the result, and loads it to call the generated router.</summary>
public static class GeneratorHarness
{
    private static readonly Lazy<ImmutableArray<MetadataReference>> s_references = new(() =>
    {
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p) is var f && (f.StartsWith("System.", StringComparison.Ordinal) || f is "mscorlib.dll" or "netstandard.dll"))
            .ToList();
        paths.Add(typeof(Kiln.Router).Assembly.Location);
        paths.Add(typeof(Kiln.RouteAttribute).Assembly.Location);
        return paths.Distinct().Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToImmutableArray();
    });

    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Preview);

    private const string GlobalUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Threading;
        global using System.Threading.Tasks;
        global using Kiln;
        """;

    public static CSharpCompilation CreateCompilation(params string[] sources) =>
        CSharpCompilation.Create("TestApp",
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, ParseOptions, path: i == 0 ? "Routes.cs" : $"Routes{i}.cs"))
                .Append(CSharpSyntaxTree.ParseText(GlobalUsings, ParseOptions, path: "Usings.cs")),
            s_references.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true));

    public static GeneratorDriver CreateDriver() =>
        CSharpGeneratorDriver.Create(new[] { new RouterGenerator().AsSourceGenerator() }, parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Kiln's generator plus System.Text.Json's (from the SDK's reference pack), for code that declares JSON contexts.</summary>
    public static GeneratorDriver CreateDriverWithJson() =>
        CSharpGeneratorDriver.Create(new[] { new RouterGenerator().AsSourceGenerator() }.Concat(s_jsonGenerators.Value), parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    private static readonly Lazy<ISourceGenerator[]> s_jsonGenerators = new(() =>
    {
        var runtimeDir = Path.GetDirectoryName(typeof(object).Assembly.Location)!;   // .../shared/Microsoft.NETCore.App/10.0.x
        var root = Path.GetFullPath(Path.Combine(runtimeDir, "..", "..", ".."));
        var packs = Path.Combine(root, "packs", "Microsoft.NETCore.App.Ref");
        var version = Directory.Exists(Path.Combine(packs, Environment.Version.ToString()))
            ? Environment.Version.ToString()
            : Directory.GetDirectories(packs).Select(Path.GetFileName).OrderBy(v => Version.TryParse(v, out var parsed) ? parsed : new Version()).Last()!;
        var path = Path.Combine(packs, version, "analyzers", "dotnet", "cs", "System.Text.Json.SourceGeneration.dll");
        var reference = new Microsoft.CodeAnalysis.Diagnostics.AnalyzerFileReference(path, new AnalyzerLoader());
        return reference.GetGenerators(LanguageNames.CSharp).ToArray();
    });

    private sealed class AnalyzerLoader : Microsoft.CodeAnalysis.IAnalyzerAssemblyLoader
    {
        public void AddDependencyLocation(string fullPath) { }
        public Assembly LoadFromPath(string fullPath) => AssemblyLoadContext.Default.LoadFromAssemblyPath(fullPath);
    }

    /// <summary>Runs the generator; returns its result and the compilation including generated files.</summary>
    public static (GeneratorDriverRunResult Result, Compilation Output) Run(params string[] sources)
    {
        var compilation = CreateCompilation(sources);
        bool json = sources.Any(s => s.Contains("JsonSerializerContext", StringComparison.Ordinal));
        var driver = (json ? CreateDriverWithJson() : CreateDriver()).RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
        return (driver.GetRunResult(), output);
    }

    /// <summary>The generator's diagnostics (not the compiler's).</summary>
    public static ImmutableArray<Diagnostic> GeneratorDiagnostics(params string[] sources) => Run(sources).Result.Diagnostics;

    /// <summary>Generated file text by hint-name suffix (for example "AppRouter.Matcher.g.cs").</summary>
    public static string Generated(GeneratorDriverRunResult result, string hintName) =>
        result.Results.Where(r => r.Generator.GetGeneratorType() == typeof(RouterGenerator))
            .SelectMany(r => r.GeneratedSources).Single(s => s.HintName == hintName).SourceText.ToString();

    /// <summary>Runs the generator and compiles everything; fails with every error when anything does not compile.</summary>
    public static Assembly Compile(params string[] sources)
    {
        var (result, output) = Run(sources);
        var generatorErrors = result.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        Assert.True(generatorErrors.Count == 0, "Generator reported errors:\n" + string.Join("\n", generatorErrors));
        using var stream = new MemoryStream();
        var emit = output.Emit(stream);
        if (!emit.Success)
        {
            var generated = string.Join("\n\n", result.Results.SelectMany(r => r.GeneratedSources).Select(s => "// " + s.HintName + "\n" + s.SourceText));
            Assert.Fail("Compilation failed:\n" + string.Join("\n", emit.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)) + "\n\n" + generated);
        }
        // Generated code compiles without a single warning (a project with warnings as errors builds it), and says
        // nothing it does not mean: no warning is silenced with #pragma.
        var generatedWarnings = emit.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Warning && d.Location.SourceTree?.FilePath.Contains("Kiln.Generator", StringComparison.Ordinal) == true).ToList();
        Assert.True(generatedWarnings.Count == 0, "Generated code has warnings:\n" + string.Join("\n", generatedWarnings));
        Assert.DoesNotContain(result.Results.Where(r => r.Generator.GetGeneratorType() == typeof(RouterGenerator)).SelectMany(r => r.GeneratedSources),
            s => s.SourceText.ToString().Contains("#pragma", StringComparison.Ordinal));
        stream.Position = 0;
        var context = new AssemblyLoadContext("kiln-test-" + Guid.NewGuid().ToString("N"), isCollectible: true);
        return context.LoadFromStream(stream);
    }

    /// <summary>Compiles <paramref name="sources"/> and creates the generated router with <paramref name="arguments"/>.</summary>
    public static Router CreateRouter(string[] sources, params object[] arguments) =>
        CreateRouter(Compile(sources), "Kiln.Generated.AppRouter", arguments);

    public static Router CreateRouter(string source, params object[] arguments) => CreateRouter(new[] { source }, arguments);

    public static Router CreateRouter(Assembly assembly, string typeName, params object[] arguments)
    {
        var type = assembly.GetType(typeName) ?? throw new InvalidOperationException("No type " + typeName);
        return (Router)Activator.CreateInstance(type, arguments)!;
    }

    /// <summary>Creates an instance of a type from the compiled test assembly (for instance route classes and middleware).</summary>
    public static object New(Assembly assembly, string typeName, params object[] arguments) =>
        Activator.CreateInstance(assembly.GetType(typeName) ?? throw new InvalidOperationException("No type " + typeName), arguments)!;

    /// <summary>Sends a request through the router and reads the response.</summary>
    public static async Task<TestResponse> SendAsync(this Router router, string method, string target, string? body = null, params (string Name, string Value)[] headers)
    {
        var request = Request.Create(method, target, headers.Select(h => new KeyValuePair<string, string>(h.Name, h.Value)),
            body is null ? null : System.Text.Encoding.UTF8.GetBytes(body));
        HttpResponse response;
        try
        {
            response = await router.RouteAsync(request);
        }
        catch (BadHttpRequestException e)
        {
            return new TestResponse(e.StatusCode, e.Message, "text/plain; charset=utf-8", null);
        }
        return TestResponse.From(response);
    }
}

/// <summary>A response read into plain values.</summary>
public sealed record TestResponse(int Status, string Body, string? ContentType, ResponseHeader? Headers)
{
    public string? Header(string name)
    {
        for (var h = Headers; h is not null; h = h.Next)
            if (string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase)) return h.Value;
        return null;
    }

    public static TestResponse From(HttpResponse response)
    {
        string body = response.BodyKind switch
        {
            ResponseBodyKind.Text => response.TextBody!,
            ResponseBodyKind.Bytes => System.Text.Encoding.UTF8.GetString(response.BodyBytes.Span),
            ResponseBodyKind.Json => System.Text.Json.JsonSerializer.Serialize(response.JsonValue, response.JsonTypeInfo!),
            ResponseBodyKind.Stream => StreamBody(response),
            _ => "",
        };
        return new TestResponse(response.StatusCode, body, response.ContentType, response.Headers);
    }

    private static string StreamBody(HttpResponse response)
    {
        using var stream = new MemoryStream();
        response.BodyWriter!(stream, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }
}

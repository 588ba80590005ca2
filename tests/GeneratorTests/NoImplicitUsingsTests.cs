using Kiln.GeneratorTests.Infrastructure;
using Microsoft.CodeAnalysis;

namespace Kiln.GeneratorTests;

/// <summary>Generated code names everything it uses, so it compiles in a project without implicit or global usings.</summary>
public class NoImplicitUsingsTests
{
    [Fact]
    public void Generated_router_compiles_without_any_usings()
    {
        const string source = """
            namespace App
            {
                public enum Kind { A, B }

                public static class Routes
                {
                    [Kiln.Get("/items/<id>")] public static string Item(int id) => "item";
                    [Kiln.Get("/items/new")] public static string New() => "new";
                    [Kiln.Get("/kinds/<kind>")] public static string Kind(Kind kind) => "kind";
                    [Kiln.Get("/img/img-<id>.png")] public static string Image(int id, [Kiln.Query] int? size) => "image";
                    [Kiln.Get("/files/<*path>")] public static System.Threading.Tasks.Task<string> File(string path, [Kiln.Header("X-N")] long n = 1) => System.Threading.Tasks.Task.FromResult(path);
                    [Kiln.Post("/upload")] public static System.Threading.Tasks.ValueTask Upload([Kiln.Body] byte[] data) => default;
                }
            }
            """;
        var compilation = GeneratorHarness.CreateCompilation(source);
        compilation = compilation.RemoveSyntaxTrees(compilation.SyntaxTrees.Where(t => t.FilePath == "Usings.cs"));
        GeneratorHarness.CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);

        Assert.Empty(diagnostics);
        var errors = output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }
}

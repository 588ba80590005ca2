using System.Reflection;
using System.Runtime.Loader;
using Kiln.GeneratorTests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Kiln.GeneratorTests;

/// <summary>
/// KILN030 and the router a project gets before it has any route: it builds, answers 404, and says (with a
/// warning) how to add a route — in a <c>[Router]</c> class, and in an application that constructs <c>AppRouter</c>.
/// </summary>
public partial class DiagnosticTests
{
    [Fact]
    public async Task KILN030_a_router_class_without_routes_builds_and_answers_404()
    {
        var source = new MarkedSource("""
            namespace App;

            [Router]
            public partial class [|MyRouter|];
            """);
        var (result, output) = GeneratorHarness.Run(source.Text);

        var d = Assert.Single(result.Diagnostics);
        Assert.Equal("KILN030", d.Id);
        Assert.Equal(DiagnosticSeverity.Warning, d.Severity);
        Assert.Equal("MyRouter has no routes: no method in this project has a route attribute, so it answers 404 to every request; add one, for example [Get(\"/hello\")] public static string Hello() => \"Hello\";",
            d.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(MarkedSource.Describe("Routes.cs", source.Primary!.Value), MarkedSource.Describe(d.Location));
        Assert.Equal("docs/diagnostics/KILN030.md", d.Descriptor.HelpLinkUri);

        var router = ZeroRoutes.Load(output, "App.MyRouter");
        Assert.Empty(router.Routes);
        Assert.Equal(404, (await router.SendAsync("GET", "/")).Status);
        Assert.Equal(404, (await router.SendAsync("POST", "/anything/at/all")).Status);
    }

    [Fact]
    public async Task KILN030_an_application_without_routes_gets_an_AppRouter_that_answers_404()
    {
        var compilation = ZeroRoutes.Application("""
            using Kiln.Generated;

            var router = new AppRouter();
            System.Console.WriteLine(router.Routes.Count);
            """);
        GeneratorHarness.CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);

        var d = Assert.Single(diagnostics);
        Assert.Equal("KILN030", d.Id);
        Assert.Equal(DiagnosticSeverity.Warning, d.Severity);
        Assert.Equal(Location.None, d.Location);
        Assert.StartsWith("Kiln.Generated.AppRouter has no routes:", d.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);

        var router = ZeroRoutes.Load(output, "Kiln.Generated.AppRouter");
        Assert.Equal(404, (await router.SendAsync("GET", "/")).Status);
    }
}

/// <summary>The same, where no router must appear: libraries, and applications whose router comes from a library.</summary>
public class ZeroRoutesTests
{
    [Fact]
    public void A_library_without_routes_gets_no_router_and_no_warning()
    {
        var (result, _) = GeneratorHarness.Run("namespace Lib; public static class Helpers { public static int Twice(int x) => 2 * x; }");

        Assert.Empty(result.Diagnostics);
        Assert.Empty(result.Results.Single().GeneratedSources);
    }

    [Fact]
    public async Task An_application_whose_routes_live_in_a_referenced_library_uses_the_library_router()
    {
        // The library: routes, so its build generates a public Kiln.Generated.AppRouter.
        var (_, library) = GeneratorHarness.Run("""
            namespace Lib;

            public static class Pages
            {
                [Get("/hello")] public static string Hello() => "hello from the library";
            }
            """);
        using var image = new MemoryStream();
        Assert.True(library.Emit(image).Success);
        var libraryReference = MetadataReference.CreateFromImage(image.ToArray());

        // The application: no routes of its own; an empty AppRouter here would hide the library's (CS0436, then 404s).
        var compilation = ZeroRoutes.Application("""
            var router = new Kiln.Generated.AppRouter();
            System.Console.WriteLine(router.Routes.Count);
            """).AddReferences(libraryReference);
        GeneratorHarness.CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);

        Assert.Empty(diagnostics);
        Assert.Equal(compilation.SyntaxTrees.Count(), output.SyntaxTrees.Count());
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));

        var context = new AssemblyLoadContext("kiln-zero-routes-" + Guid.NewGuid().ToString("N"), isCollectible: true);
        image.Position = 0;
        var router = GeneratorHarness.CreateRouter(context.LoadFromStream(image), "Kiln.Generated.AppRouter");
        Assert.Equal("hello from the library", (await router.SendAsync("GET", "/hello")).Body);
    }
}

internal static class ZeroRoutes
{
    /// <summary>An application (top-level statements) referencing Kiln, with no routes.</summary>
    public static Compilation Application(string program) =>
        GeneratorHarness.CreateCompilation(program).WithOptions(new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));

    /// <summary>Compiles <paramref name="output"/> (failing on any warning or error) and creates <paramref name="typeName"/>.</summary>
    public static Router Load(Compilation output, string typeName)
    {
        var problems = output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        using var stream = new MemoryStream();
        Assert.True(output.Emit(stream).Success);
        stream.Position = 0;
        var context = new AssemblyLoadContext("kiln-zero-routes-" + Guid.NewGuid().ToString("N"), isCollectible: true);
        return GeneratorHarness.CreateRouter(context.LoadFromStream(stream), typeName);
    }
}

using System.Collections;
using System.Reflection;
using Kiln.Generator;
using Kiln.GeneratorTests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Kiln.GeneratorTests;

/// <summary>
/// The incremental pipeline: which edits leave every named step (<see cref="TrackingNames"/>) cached, which ones
/// regenerate the router, and that no step's output holds a Roslyn object (which would defeat caching and keep
/// whole compilations alive).
/// </summary>
public class IncrementalityTests
{
    private const string Source = """
        namespace Shop;

        public enum Color { Red, Green }

        public static class Items
        {
            [Get("/items/<id>")]
            public static string ById(int id) => "id " + id;

            [Get("/items/<color>")]
            public static string ByColor(Color color) => "color";

            [Post("/items")]
            public static string Create([Body] string body) => "created";

            [Get("/files/<*path>")]
            public static string File(string path) => "file " + path;
        }
        """;

    private static readonly string[] StepNames = typeof(TrackingNames).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (string)f.GetValue(null)!).ToArray();

    /// <summary>The steps the emitted source depends on: location-free values that no code motion may change.</summary>
    private static readonly string[] EmitPath =
    {
        TrackingNames.RouteMethods, TrackingNames.JsonContexts, TrackingNames.RouterDeclarations, TrackingNames.DefaultRouterWanted,
        TrackingNames.Router, TrackingNames.RouterModel, TrackingNames.OpenApiInputs,
    };

    /// <summary>Runs the generator on <see cref="Source"/>, then again after <paramref name="edit"/>; returns the second run.</summary>
    private static GeneratorRunResult RunTwice(Func<string, string> edit, string source = Source) => RunTwice(compilation =>
    {
        var tree = compilation.SyntaxTrees.First(t => t.FilePath == "Routes.cs");
        var edited = edit(source);
        Assert.NotEqual(source, edited);
        return compilation.ReplaceSyntaxTree(tree, CSharpSyntaxTree.ParseText(edited, GeneratorHarness.ParseOptions, path: "Routes.cs"));
    }, source);

    private static GeneratorRunResult RunTwice(Func<Compilation, Compilation> edit, string source = Source)
    {
        var compilation = GeneratorHarness.CreateCompilation(source);
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        driver = driver.RunGenerators(edit(compilation));
        var run = driver.GetRunResult();
        Assert.Empty(run.Diagnostics);
        return run.Results.Single();
    }

    private static IEnumerable<(string Step, IncrementalStepRunReason Reason)> Reasons(GeneratorRunResult result, IEnumerable<string> steps) =>
        steps.Where(result.TrackedSteps.ContainsKey)
            .SelectMany(name => result.TrackedSteps[name].SelectMany(step => step.Outputs.Select(o => (name, o.Reason))));

    private static void AssertAllCached(GeneratorRunResult result)
    {
        // Every emit-path step ran in the first pass; it must still be there and have no new or modified output.
        foreach (var name in EmitPath)
            Assert.True(result.TrackedSteps.ContainsKey(name), "step " + name + " was not tracked");
        var changed = Reasons(result, EmitPath).Where(r => r.Reason is not (IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged)).ToList();
        Assert.True(changed.Count == 0, "steps not cached: " + string.Join(", ", changed));
        var outputs = result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
        Assert.NotEmpty(outputs);
        Assert.All(outputs, reason => Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, "an output was regenerated: " + reason));
        Assert.Equal(5, result.GeneratedSources.Length);   // router, matcher, adapters, URL builders, OpenAPI document
    }

    /// <summary>The edit moved code the parser saw: the location-carrying step has new values (so the test above was not vacuous).</summary>
    private static void AssertLocationsMoved(GeneratorRunResult result) =>
        Assert.Contains(Reasons(result, new[] { TrackingNames.ParsedMethods }), r => r.Reason == IncrementalStepRunReason.Modified);

    private static void AssertRegenerated(GeneratorRunResult result)
    {
        Assert.Contains(Reasons(result, new[] { TrackingNames.RouterModel }), r => r.Reason == IncrementalStepRunReason.Modified);
        Assert.Contains(result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs), o => o.Reason == IncrementalStepRunReason.Modified);
    }

    [Fact]
    public void Editing_a_handler_body_in_place_leaves_every_step_cached() =>
        // Same length, so no other method moves.
        AssertAllCached(RunTwice(s => s.Replace("\"color\"", "\"COLOR\"", StringComparison.Ordinal)));

    [Fact]
    public void Editing_the_last_handler_body_leaves_every_step_cached() =>
        AssertAllCached(RunTwice(s => s.Replace("\"file \" + path", "\"the file at \" + path.ToUpperInvariant()", StringComparison.Ordinal)));

    [Fact]
    public void Inserting_a_line_at_the_top_of_the_file_leaves_every_output_cached()
    {
        var result = RunTwice(s => "// A comment that moves every route in this file down by one line.\n" + s);
        AssertLocationsMoved(result);
        AssertAllCached(result);
    }

    [Fact]
    public void Growing_a_body_by_many_characters_leaves_every_output_cached()
    {
        var result = RunTwice(s => s.Replace("=> \"id \" + id;", "=> \"id \" + id + \"" + new string('x', 500) + "\";", StringComparison.Ordinal));
        AssertLocationsMoved(result);
        AssertAllCached(result);
    }

    [Fact]
    public void Adding_a_method_above_a_route_leaves_every_output_cached()
    {
        var result = RunTwice(s => s.Replace("    [Get(\"/items/<id>\")]", "    private static int Helper(int x)\n    {\n        return x * 2;\n    }\n\n    [Get(\"/items/<id>\")]", StringComparison.Ordinal));
        AssertLocationsMoved(result);
        AssertAllCached(result);
    }

    [Fact]
    public void Adding_a_file_without_routes_leaves_every_output_cached() =>
        AssertAllCached(RunTwice(compilation => compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText(
            "namespace Shop;\n\npublic static class Prices\n{\n    public static decimal WithTax(decimal p) => p * 1.2m;\n}\n",
            GeneratorHarness.ParseOptions, path: "Prices.cs"))));

    [Fact]
    public void Moving_code_moves_its_diagnostic_but_not_the_router()
    {
        const string broken = Source + "\npublic static class Broken\n{\n    [Get(\"/broken/<x\")] public static string Bad() => \"\";\n}\n";
        var compilation = GeneratorHarness.CreateCompilation(broken);
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        int lineBefore = driver.GetRunResult().Diagnostics.Single(d => d.Id == "KILN001").Location.GetLineSpan().StartLinePosition.Line;

        var tree = compilation.SyntaxTrees.First(t => t.FilePath == "Routes.cs");
        driver = driver.RunGenerators(compilation.ReplaceSyntaxTree(tree, CSharpSyntaxTree.ParseText("\n\n" + broken, GeneratorHarness.ParseOptions, path: "Routes.cs")));

        var run = driver.GetRunResult();
        Assert.Equal(lineBefore + 2, run.Diagnostics.Single(d => d.Id == "KILN001").Location.GetLineSpan().StartLinePosition.Line);
        var result = run.Results.Single();
        Assert.All(Reasons(result, EmitPath), r => Assert.True(r.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, r.ToString()));
        Assert.Contains(Reasons(result, new[] { TrackingNames.MethodDiagnostics }), r => r.Reason == IncrementalStepRunReason.Modified);
    }

    [Fact]
    public void Moving_code_moves_a_route_table_diagnostic_but_not_the_router()
    {
        // KILN041 and KILN043 come from the whole table: located from the parsed methods after the build step.
        const string colliding = Source + "\npublic static class Users\n{\n    [Get(\"/users/<id>\")] public static string Get(int id) => \"\";\n"
            + "    [Put(\"/users/<key>\")] public static string Get(int key, [Body] string text) => \"\";\n}\n";
        var compilation = GeneratorHarness.CreateCompilation(colliding);
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        var before = driver.GetRunResult().Diagnostics.Select(d => d.Id + "@" + d.Location.GetLineSpan().StartLinePosition.Line).OrderBy(x => x, StringComparer.Ordinal).ToList();
        Assert.Equal(3, before.Count);   // KILN041 at both methods, KILN043 at the PUT template

        var tree = compilation.SyntaxTrees.First(t => t.FilePath == "Routes.cs");
        driver = driver.RunGenerators(compilation.ReplaceSyntaxTree(tree, CSharpSyntaxTree.ParseText("\n\n" + colliding, GeneratorHarness.ParseOptions, path: "Routes.cs")));

        var run = driver.GetRunResult();
        var after = run.Diagnostics.Select(d => d.Id + "@" + (d.Location.GetLineSpan().StartLinePosition.Line - 2)).OrderBy(x => x, StringComparer.Ordinal).ToList();
        Assert.Equal(before, after);
        var result = run.Results.Single();
        Assert.All(Reasons(result, EmitPath), r => Assert.True(r.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, r.ToString()));
        Assert.Contains(Reasons(result, new[] { TrackingNames.RouterDiagnostics }), r => r.Reason == IncrementalStepRunReason.Modified);
    }

    [Fact]
    public void Editing_a_template_regenerates_the_router()
    {
        var result = RunTwice(s => s.Replace("/files/<*path>", "/files/<*pxth>", StringComparison.Ordinal).Replace("string path) => \"file \" + path", "string pxth) => \"file \" + pxth", StringComparison.Ordinal));
        AssertRegenerated(result);
        Assert.Contains("/files/<*pxth>", GeneratorHarnessText(result, "AppRouter.Matcher.g.cs"), StringComparison.Ordinal);
    }

    [Fact]
    public void Changing_a_parameter_type_regenerates_the_router()
    {
        var result = RunTwice(s => s.Replace("ById(int id)", "ById(long id)", StringComparison.Ordinal));
        AssertRegenerated(result);
        Assert.Contains("out long _", GeneratorHarnessText(result, "AppRouter.Matcher.g.cs"), StringComparison.Ordinal);
    }

    private static string GeneratorHarnessText(GeneratorRunResult result, string hint) =>
        result.GeneratedSources.Single(s => s.HintName == hint).SourceText.ToString();

    // ---- no Roslyn objects in the models ----

    private static readonly Type[] Forbidden =
    {
        typeof(ISymbol), typeof(SyntaxNode), typeof(SyntaxTree), typeof(Location), typeof(Compilation), typeof(SemanticModel), typeof(Diagnostic),
    };

    [Fact]
    public void No_tracked_step_output_holds_a_roslyn_object()
    {
        // A source with diagnostics too, so the diagnostic steps carry values.
        var source = Source.Replace("public static string File(", "[Get(\"/bad/<x\")] public static string Bad() => \"\";\n    public static string File(", StringComparison.Ordinal)
            + "\n[Router] public partial class ShopRouter { }\n";
        var compilation = GeneratorHarness.CreateCompilation(source);
        var result = GeneratorHarness.CreateDriver().RunGenerators(compilation).GetRunResult().Results.Single();
        int walked = 0;
        foreach (var name in StepNames.Where(result.TrackedSteps.ContainsKey))
            foreach (var step in result.TrackedSteps[name])
                foreach (var (value, _) in step.Outputs)
                {
                    Walk(value, name, new HashSet<object>(ReferenceEqualityComparer.Instance));
                    walked++;
                }
        Assert.True(walked >= 5, "too few step outputs walked: " + walked);
        Assert.Contains(result.Diagnostics, d => d.Id == "KILN001");
    }

    /// <summary>Fails on any forbidden object reachable from <paramref name="value"/> through fields, collections and tuples.</summary>
    private static void Walk(object? value, string path, HashSet<object> seen)
    {
        if (value is null || value is string || value.GetType().IsPrimitive || value.GetType().IsEnum || value is decimal) return;
        var type = value.GetType();
        Assert.False(Forbidden.Any(f => f.IsAssignableFrom(type)), $"{path} holds a {type.FullName}");
        if (!type.IsValueType && !seen.Add(value)) return;
        if (value is IEnumerable items)
        {
            int i = 0;
            foreach (var item in items) Walk(item, path + "[" + i++ + "]", seen);
            if (type.IsArray || type.Namespace == "System.Collections.Immutable") return;
        }
        for (var t = type; t is not null && t != typeof(object); t = t.BaseType)
            foreach (var field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                if (field.FieldType.IsPointer) continue;
                Walk(field.GetValue(value), path + "." + field.Name, seen);
            }
    }
}

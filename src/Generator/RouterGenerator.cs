using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Kiln.Generator.Emitting;
using Kiln.Generator.Model;
using Kiln.Generator.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Kiln.Generator
{
    /// <summary>
    /// Kiln's source generator. It only wires steps: <see cref="RouteMethodParser"/> turns each annotated method
    /// into a value model (and, beside it, locations and diagnostics), <see cref="RouterModelBuilder"/> (a pure
    /// function of the location-free models) builds the route table and matcher, and the emitters write the router.
    /// Diagnostics are located and reported on their own outputs, so moving code re-runs only them.
    /// </summary>
    [Generator(LanguageNames.CSharp)]
    public sealed class RouterGenerator : IIncrementalGenerator
    {
        /// <inheritdoc/>
        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            // One provider per route attribute class: a method arrives once per distinct class on it.
            var perAttribute = KnownTypes.RouteAttributes.Select(name => context.SyntaxProvider
                .ForAttributeWithMetadataName(name, static (node, _) => RouteMethodParser.CanCarryRoute(node), RouteMethodParser.Parse)
                .Where(static m => m is not null)
                .Select(static (m, _) => m!)).ToArray();

            // The emit path sees only location-free models: an edit that moves code leaves them equal.
            var methods = Concat(perAttribute.Select(p => p.Select(static (m, _) => m.Method).Collect()))
                .WithTrackingName(TrackingNames.RouteMethods);
            var parsedMethods = Concat(perAttribute.Select(p => p.Collect()))
                .WithTrackingName(TrackingNames.ParsedMethods);

            var jsonContexts = context.SyntaxProvider
                .ForAttributeWithMetadataName(KnownTypes.JsonSerializableAttribute, static (node, _) => node is ClassDeclarationSyntax, DeclarationParser.ParseJsonContext)
                .Where(static c => c is not null)
                .Select(static (c, _) => c!)
                .Collect()
                .WithTrackingName(TrackingNames.JsonContexts);

            var parsedDeclarations = context.SyntaxProvider
                .ForAttributeWithMetadataName(KnownTypes.RouterAttribute, static (node, _) => node is ClassDeclarationSyntax, DeclarationParser.ParseRouter)
                .Where(static r => r is not null)
                .Select(static (r, _) => r!);
            var declarations = parsedDeclarations.Select(static (d, _) => d.Declaration).Collect()
                .WithTrackingName(TrackingNames.RouterDeclarations);
            var parsedDeclarationList = parsedDeclarations.Collect()
                .WithTrackingName(TrackingNames.ParsedRouterDeclarations);

            // Only a project without any route attribute or [Router] class asks what kind of project it is.
            var defaultRouterWanted = methods.Combine(declarations)
                .Select(static (x, _) => x.Left.IsEmpty && x.Right.IsEmpty)
                .Combine(context.CompilationProvider)
                .Select(static (x, ct) => x.Left && DeclarationParser.WantsDefaultRouter(x.Right, ct))
                .WithTrackingName(TrackingNames.DefaultRouterWanted);

            var build = methods.Combine(jsonContexts).Combine(declarations).Combine(defaultRouterWanted)
                .Select(static (input, _) => RouterModelBuilder.Build(input.Left.Left.Left, input.Left.Left.Right, input.Left.Right, input.Right))
                .WithTrackingName(TrackingNames.Router);

            var router = build.Select(static (b, _) => b.Router).WithTrackingName(TrackingNames.RouterModel);
            context.RegisterSourceOutput(router, static (spc, model) =>
            {
                if (model is null) return;
                spc.AddSource(model.ClassName + ".g.cs", RouterEmitter.Emit(model));
                spc.AddSource(model.ClassName + ".Matcher.g.cs", MatcherEmitter.Emit(model));
                spc.AddSource(model.ClassName + ".Adapters.g.cs", AdapterEmitter.Emit(model));
                spc.AddSource(model.ClassName + ".Urls.g.cs", UrlEmitter.Emit(model));
            });

            // The OpenAPI document: the router model plus what only the document needs (doc comments, [Produces], JSON
            // shapes, the project's name), each parsed on its own so an edit to a doc comment regenerates only the document.
            var operations = Concat(KnownTypes.RouteAttributes.Select(name => context.SyntaxProvider
                    .ForAttributeWithMetadataName(name, static (node, _) => node is MethodDeclarationSyntax, OpenApiParser.ParseOperation)
                    .Where(static o => o is not null)
                    .Select(static (o, _) => o!)
                    .Collect()))
                .Select(static (all, _) => all.Distinct().OrderBy(o => o.Key, System.StringComparer.Ordinal).ToEquatableArray());
            var shapes = context.SyntaxProvider
                .ForAttributeWithMetadataName(KnownTypes.JsonSerializableAttribute, static (node, _) => node is ClassDeclarationSyntax, OpenApiParser.ParseJsonShapes)
                .Where(static c => c is not null)
                .Select(static (c, _) => c!)
                .Collect()
                .Select(static (all, _) => all.OrderBy(c => c.ContextType, System.StringComparer.Ordinal).ToEquatableArray());
            var project = context.AnalyzerConfigOptionsProvider.Select(static (options, _) =>
                (Title: options.GlobalOptions.TryGetValue("build_property.RootNamespace", out var title) ? title : "",
                 Version: options.GlobalOptions.TryGetValue("build_property.Version", out var version) ? version : ""));
            var openApiInputs = operations.Combine(shapes).Combine(project)
                .Select(static (x, _) => new OpenApiInputs(x.Right.Title, x.Right.Version, x.Left.Left, x.Left.Right))
                .WithTrackingName(TrackingNames.OpenApiInputs);
            context.RegisterSourceOutput(router.Combine(openApiInputs), static (spc, pair) =>
            {
                if (pair.Left is null) return;
                spc.AddSource(pair.Left.ClassName + ".OpenApi.g.cs", OpenApiEmitter.Emit(pair.Left, pair.Right));
            });

            var methodDiagnostics = parsedMethods
                .Select(static (all, _) => all.SelectMany(m => m.Diagnostics).Distinct().ToEquatableArray())
                .WithTrackingName(TrackingNames.MethodDiagnostics);

            var declarationDiagnostics = parsedDeclarationList
                .Select(static (all, _) => TableDiagnostics.ForDeclarations(all))
                .WithTrackingName(TrackingNames.DeclarationDiagnostics);

            var routerDiagnostics = build.Select(static (b, _) => b.Problems).Combine(parsedMethods).Combine(parsedDeclarationList)
                .Select(static (x, _) => TableDiagnostics.Locate(x.Left.Left, x.Left.Right, x.Right))
                .WithTrackingName(TrackingNames.RouterDiagnostics);

            // [Use<T>] or [RateLimit] on a method with no route attribute would do nothing (KILN031).
            var attributesWithoutRoute = Concat(new[] { KnownTypes.UseAttribute, KnownTypes.RateLimitAttribute }.Select(name => context.SyntaxProvider
                    .ForAttributeWithMetadataName(name, static (node, _) => node is MethodDeclarationSyntax, RouteChecks.AttributeWithoutRoute)
                    .Collect()))
                .Select(static (all, _) => all.SelectMany(d => d).ToEquatableArray())
                .WithTrackingName(TrackingNames.AttributeWithoutRouteDiagnostics);

            // One output reports them all, located in the compilation's trees (see Report).
            var diagnostics = methodDiagnostics.Combine(declarationDiagnostics).Combine(routerDiagnostics).Combine(attributesWithoutRoute)
                .Select(static (x, _) => x.Left.Left.Left.Concat(x.Left.Left.Right).Concat(x.Left.Right).Concat(x.Right).ToEquatableArray());
            context.RegisterSourceOutput(diagnostics.Combine(context.CompilationProvider), static (spc, x) => Report(spc, x.Left, x.Right));
        }

        /// <summary>The concatenation of several collected providers.</summary>
        private static IncrementalValueProvider<ImmutableArray<T>> Concat<T>(IEnumerable<IncrementalValueProvider<ImmutableArray<T>>> providers)
        {
            IncrementalValueProvider<ImmutableArray<T>>? all = null;
            foreach (var provider in providers)
                all = all is { } left ? left.Combine(provider).Select(static (pair, _) => pair.Left.AddRange(pair.Right)) : provider;
            return all!.Value;
        }

        // Reported against the compilation's own syntax trees: a diagnostic located in a tree is one that
        // #pragma warning disable and [SuppressMessage] can silence, where a location made from a file path alone
        // (what the location-free models keep) is not checked against the file's pragmas. Only this step sees the
        // compilation, and it does nothing while there is nothing to report.
        private static void Report(SourceProductionContext context, EquatableArray<DiagnosticInfo> diagnostics, Compilation compilation)
        {
            if (diagnostics.Count == 0) return;
            var trees = new Dictionary<string, SyntaxTree?>(System.StringComparer.Ordinal);
            foreach (var tree in compilation.SyntaxTrees)
                trees[tree.FilePath] = trees.ContainsKey(tree.FilePath) ? null : tree;   // two trees, one path: neither is sure
            Location Locate(SourceSpan span) =>
                trees.TryGetValue(span.FilePath, out var tree) && tree is not null && span.Start + span.Length <= tree.Length
                    ? Location.Create(tree, new Microsoft.CodeAnalysis.Text.TextSpan(span.Start, span.Length))
                    : span.ToLocation();
            foreach (var info in diagnostics)
            {
                var descriptor = s_descriptors[info.Id];
                var additional = info.AdditionalLocations.Select(Locate);
                context.ReportDiagnostic(Diagnostic.Create(descriptor, info.Location is { } at ? Locate(at) : null, additional, info.Arguments.Cast<object>().ToArray()));
            }
        }

        private static readonly ImmutableDictionary<string, DiagnosticDescriptor> s_descriptors =
            Diagnostics.All.ToImmutableDictionary(d => d.Id);
    }
}

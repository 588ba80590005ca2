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
    /// into a value model, <see cref="RouterModelBuilder"/> (a pure function) builds the route table and matcher,
    /// and the emitters write the router. Diagnostics are reported on their own outputs.
    /// </summary>
    [Generator(LanguageNames.CSharp)]
    public sealed class RouterGenerator : IIncrementalGenerator
    {
        /// <inheritdoc/>
        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            var methodProviders = KnownTypes.RouteAttributes.Select(name => context.SyntaxProvider
                .ForAttributeWithMetadataName(name, static (node, _) => RouteMethodParser.CanCarryRoute(node), RouteMethodParser.Parse)
                .Where(static m => m is not null)
                .Select(static (m, _) => m!)
                .Collect()).ToArray();
            var methods = methodProviders[0];
            for (int i = 1; i < methodProviders.Length; i++)
                methods = methods.Combine(methodProviders[i]).Select(static (pair, _) => pair.Left.AddRange(pair.Right));
            methods = methods.Select(static (all, _) => all.Distinct().ToImmutableArray()).WithTrackingName(TrackingNames.RouteMethods);

            var jsonContexts = context.SyntaxProvider
                .ForAttributeWithMetadataName(KnownTypes.JsonSerializableAttribute, static (node, _) => node is ClassDeclarationSyntax, DeclarationParser.ParseJsonContext)
                .Where(static c => c is not null)
                .Select(static (c, _) => c!)
                .Collect()
                .WithTrackingName(TrackingNames.JsonContexts);

            var routerDeclarations = context.SyntaxProvider
                .ForAttributeWithMetadataName(KnownTypes.RouterAttribute, static (node, _) => node is ClassDeclarationSyntax, DeclarationParser.ParseRouter)
                .Where(static r => r is not null)
                .Select(static (r, _) => r!)
                .Collect()
                .WithTrackingName(TrackingNames.RouterDeclarations);

            var build = methods.Combine(jsonContexts).Combine(routerDeclarations)
                .Select(static (input, _) => RouterModelBuilder.Build(input.Left.Left, input.Left.Right, input.Right))
                .WithTrackingName(TrackingNames.Router);

            var methodDiagnostics = methods
                .Select(static (all, _) => all.SelectMany(m => m.Diagnostics).Distinct().ToImmutableArray())
                .WithTrackingName(TrackingNames.MethodDiagnostics);
            context.RegisterSourceOutput(methodDiagnostics, static (spc, diagnostics) => Report(spc, diagnostics));

            var declarationDiagnostics = routerDeclarations.Select(static (all, _) => all.SelectMany(d => d.Diagnostics).ToImmutableArray());
            context.RegisterSourceOutput(declarationDiagnostics, static (spc, diagnostics) => Report(spc, diagnostics));

            var routerDiagnostics = build.Select(static (b, _) => b.Diagnostics).WithTrackingName(TrackingNames.RouterDiagnostics);
            context.RegisterSourceOutput(routerDiagnostics, static (spc, diagnostics) => Report(spc, diagnostics));

            var router = build.Select(static (b, _) => b.Router).WithTrackingName(TrackingNames.RouterModel);
            context.RegisterSourceOutput(router, static (spc, model) =>
            {
                if (model is null) return;
                spc.AddSource(model.ClassName + ".g.cs", RouterEmitter.Emit(model));
                spc.AddSource(model.ClassName + ".Matcher.g.cs", MatcherEmitter.Emit(model));
                spc.AddSource(model.ClassName + ".Adapters.g.cs", AdapterEmitter.Emit(model));
            });
        }

        private static void Report(SourceProductionContext context, System.Collections.Generic.IEnumerable<DiagnosticInfo> diagnostics)
        {
            foreach (var info in diagnostics)
            {
                var descriptor = DescriptorById(info.Id);
                var additional = info.AdditionalLocations.Select(l => l.ToLocation());
                context.ReportDiagnostic(Diagnostic.Create(descriptor, info.Location?.ToLocation(), additional, info.Arguments.Cast<object>().ToArray()));
            }
        }

        private static readonly ImmutableDictionary<string, DiagnosticDescriptor> s_descriptors =
            Diagnostics.All.ToImmutableDictionary(d => d.Id);

        private static DiagnosticDescriptor DescriptorById(string id) => s_descriptors[id];
    }
}

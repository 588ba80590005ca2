using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Kiln.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Kiln.Generator.Parsing
{
    /// <summary>Reads the other declarations the router depends on: JSON contexts, a <c>[Router]</c> class, and what kind of project this is.</summary>
    internal static class DeclarationParser
    {
        /// <summary>
        /// Whether a project with no route attribute and no <c>[Router]</c> class still gets <c>Kiln.Generated.AppRouter</c>
        /// (answering 404, with a warning), so that <c>new AppRouter()</c> in its startup code compiles: only for an
        /// application that references Kiln and no assembly that already brings a router (routes kept in a library
        /// are served by the library's router, and an empty one here would hide it).
        /// </summary>
        public static bool WantsDefaultRouter(Compilation compilation, CancellationToken cancellationToken)
        {
            if (compilation.Options.OutputKind is not (OutputKind.ConsoleApplication or OutputKind.WindowsApplication or OutputKind.WindowsRuntimeApplication))
                return false;
            var routerBase = compilation.GetTypeByMetadataName("Kiln.Router");
            if (routerBase is null) return false;
            foreach (var assembly in compilation.SourceModule.ReferencedAssemblySymbols)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (!assembly.Modules.Any(m => m.ReferencedAssemblies.Any(r => r.Name == routerBase.ContainingAssembly.Name))) continue;
                if (DeclaresRouter(assembly.GlobalNamespace, routerBase)) return false;
            }
            return true;
        }

        private static bool DeclaresRouter(INamespaceSymbol ns, INamedTypeSymbol routerBase)
        {
            foreach (var type in ns.GetTypeMembers())
                if (type.DeclaredAccessibility == Accessibility.Public && SymbolEqualityComparer.Default.Equals(type.BaseType, routerBase)) return true;
            foreach (var child in ns.GetNamespaceMembers())
                if (DeclaresRouter(child, routerBase)) return true;
            return false;
        }

        public static JsonContextModel? ParseJsonContext(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
        {
            if (context.TargetSymbol is not INamedTypeSymbol type) return null;
            bool isContext = false;
            for (var b = type.BaseType; b is not null; b = b.BaseType)
                if (KnownTypes.Is(b, "System.Text.Json.Serialization.JsonSerializerContext")) isContext = true;
            if (!isContext || !RouteMethodParser.IsAccessible(type) || type.IsGenericType) return null;
            var types = new SortedSet<string>(System.StringComparer.Ordinal);
            foreach (var attribute in context.Attributes)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Value is ITypeSymbol t)
                    types.Add(KnownTypes.FullName(t));
            }
            return new JsonContextModel(KnownTypes.FullName(type), types.ToEquatableArray());
        }

        public static ParsedRouterDeclaration? ParseRouter(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
        {
            if (context.TargetSymbol is not INamedTypeSymbol type || context.TargetNode is not ClassDeclarationSyntax syntax) return null;
            var location = SourceSpan.From(syntax.Identifier.GetLocation());
            var problems = new List<string>();
            if (!syntax.Modifiers.Any(m => m.IsKind(SyntaxKind.PartialKeyword))) problems.Add("it must be declared partial");
            if (type.ContainingType is not null) problems.Add("it must not be nested in another type");
            if (type.IsGenericType) problems.Add("it must not be generic");
            if (type.IsStatic || type.IsAbstract) problems.Add("it must not be static or abstract");
            if (type.BaseType is { SpecialType: not SpecialType.System_Object } b && !KnownTypes.Is(b, "Kiln.Router"))
                problems.Add("it must not derive from another class (the generator makes it derive from Kiln.Router)");
            // A C# class cannot declare a member with its own name (CS0542), and the router declares these.
            if (type.Name is "Urls" or "Routes" or "OpenApiJson" or "Match")
                problems.Add("it must not be named " + type.Name + ", which is the name of one of its generated members (Urls, Routes, OpenApiJson, Match)");
            var diagnostics = problems.Count == 0
                ? EquatableArray<DiagnosticInfo>.Empty
                : new[] { DiagnosticInfo.Create(Diagnostics.InvalidRouterDeclaration, location, "[Router] class " + type.Name + " is invalid: " + string.Join("; ", problems) + ".") }.ToEquatableArray();
            string? ns = type.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() : null;
            string accessibility = type.DeclaredAccessibility == Accessibility.Public ? "public" : "internal";
            return new ParsedRouterDeclaration(new RouterDeclaration(ns, type.Name, accessibility, IsValid: problems.Count == 0), location, diagnostics);
        }
    }
}

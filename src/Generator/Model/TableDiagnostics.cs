using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;

namespace Kiln.Generator.Model
{
    /// <summary>
    /// Turns the route table's problems (location-free data from <see cref="RouterModelBuilder"/>) into diagnostics,
    /// taking the locations from the parsed methods and declarations. This step re-runs when code moves; the router
    /// model it reads does not.
    /// </summary>
    internal static class TableDiagnostics
    {
        public static EquatableArray<DiagnosticInfo> Locate(EquatableArray<TableProblem> problems, ImmutableArray<ParsedMethod> methods,
            ImmutableArray<ParsedRouterDeclaration> declarations)
        {
            if (problems.Count == 0) return EquatableArray<DiagnosticInfo>.Empty;
            var sites = new Dictionary<RouteMethod, EquatableArray<RouteSite>>();
            foreach (var parsed in methods)
                if (!sites.ContainsKey(parsed.Method)) sites.Add(parsed.Method, parsed.Sites);

            RouteSite? SiteOf(RouteRef? route) =>
                route is not null && sites.TryGetValue(route.Method, out var s) && route.Route < s.Count ? s[route.Route] : null;

            var diagnostics = new List<DiagnosticInfo>();
            foreach (var problem in problems)
            {
                var here = SiteOf(problem.Route);
                switch (problem.Kind)
                {
                    case TableProblemKind.DuplicateRoute:
                    case TableProblemKind.AmbiguousRoutes:
                    {
                        var second = problem.Route!.Definition;
                        var first = problem.Other!.Definition;
                        var there = SiteOf(problem.Other)?.Template;
                        var additional = there is null ? Array.Empty<SourceSpan>() : new[] { there };
                        diagnostics.Add(problem.Kind == TableProblemKind.DuplicateRoute
                            ? DiagnosticInfo.Create(Diagnostics.DuplicateRoute, here?.Template, additional, second.HttpMethod, second.Template.Text,
                                problem.Other.Method.DisplayName, there?.Display ?? "?")
                            : DiagnosticInfo.Create(Diagnostics.AmbiguousRoutes, here?.Template, additional, second.HttpMethod, second.Template.Text,
                                first.Template.Text, there?.Display ?? "?", problem.Detail));
                        break;
                    }
                    case TableProblemKind.MissingJsonType:
                    {
                        string type = problem.Detail;
                        diagnostics.Add(DiagnosticInfo.Create(Diagnostics.MissingJsonTypeInfo, here?.Attribute,
                            problem.Route!.Method.DisplayName + " (" + RouterModelBuilder.Short(type) + ")",
                            type.Replace("global::", "")));
                        break;
                    }
                    case TableProblemKind.TooComplex:
                        diagnostics.Add(DiagnosticInfo.Create(Diagnostics.RouteTableTooComplex, here?.Attribute, problem.Detail));
                        break;
                    case TableProblemKind.NoRoutes:
                    {
                        var declaration = declarations.FirstOrDefault();
                        string router = declaration is { Declaration.IsValid: true } ? declaration.Declaration.Name : "Kiln.Generated.AppRouter";
                        diagnostics.Add(DiagnosticInfo.Create(Diagnostics.NoRoutes, declaration?.Location, router));
                        break;
                    }
                }
            }
            return diagnostics.ToEquatableArray();
        }

        /// <summary>Each <c>[Router]</c> class's own errors, and one error per class after the first.</summary>
        public static EquatableArray<DiagnosticInfo> ForDeclarations(ImmutableArray<ParsedRouterDeclaration> declarations)
        {
            var diagnostics = declarations.SelectMany(d => d.Diagnostics).ToList();
            for (int i = 1; i < declarations.Length; i++)
                diagnostics.Add(DiagnosticInfo.Create(Diagnostics.InvalidRouterDeclaration, declarations[i].Location,
                    "Only one [Router] class is allowed per project; " + declarations[i].Declaration.Name + " repeats " + declarations[0].Declaration.Name + "."));
            return diagnostics.ToEquatableArray();
        }
    }
}

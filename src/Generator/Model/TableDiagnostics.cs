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
            var parsedMethods = new Dictionary<RouteMethod, ParsedMethod>();
            foreach (var parsed in methods)
                if (!parsedMethods.ContainsKey(parsed.Method)) parsedMethods.Add(parsed.Method, parsed);
            SourceSpan? MethodLocation(RouteMethod method) => parsedMethods.TryGetValue(method, out var p) ? p.Location : null;

            RouteSite? SiteOf(RouteRef? route) =>
                route is not null && parsedMethods.TryGetValue(route.Method, out var p) && route.Route < p.Sites.Count ? p.Sites[route.Route] : null;

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
                    case TableProblemKind.UrlBuilderCollision:
                    case TableProblemKind.UrlBuilderNamedLikeClass:
                        diagnostics.Add(UrlBuilderCollision(problem, here?.Attribute, MethodLocation(problem.Route!.Method)));
                        break;
                    case TableProblemKind.UrlClassNotOwn:
                    {
                        var method = problem.Route!.Method;
                        string reason = problem.Other is null
                            ? "a class nested in Urls cannot be named Urls (a C# class cannot contain a member with its own name)"
                            : "Urls." + method.ContainingTypeName + " would hold the URL builders of " + And(problem.Detail.Split(new[] { ", " }, StringSplitOptions.None))
                              + " (classes with one simple name share it), and a call could reach the other class's route by its argument types";
                        diagnostics.Add(DiagnosticInfo.Create(Diagnostics.UrlClassNotOwn, MethodLocation(method),
                            method.ContainingType.Replace("global::", "") + "." + method.MethodName, reason, method.ContainingTypeName));
                        break;
                    }
                    case TableProblemKind.OpenApiParameterNames:
                    {
                        var there = SiteOf(problem.Other)?.Template;
                        diagnostics.Add(OpenApiParameterNames(problem, here?.Template, there));
                        break;
                    }
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

        /// <summary>
        /// KILN041, from the side of <see cref="TableProblem.Route"/>: two builders with one name and signature (at the
        /// method, or at the route when its Name names the builder), or a builder named like a class of named builders.
        /// </summary>
        private static DiagnosticInfo UrlBuilderCollision(TableProblem problem, SourceSpan? attribute, SourceSpan? method)
        {
            bool sameSignature = problem.Kind == TableProblemKind.UrlBuilderCollision;
            bool byName = sameSignature && problem.Route!.Method.Routes.Count > 1;
            string Role(RouteRef route) => sameSignature
                ? "for " + Route(route)
                : route.Method.Routes.Count > 1 ? "as the class of the named URL builders of " + Signature(route.Method) : "as the URL builder of " + Route(route);
            string fix = byName ? "give one of the two routes another Name"
                : sameSignature ? "rename one of the methods (a method with one route gets a URL builder named after it)"
                : "rename one of the methods";
            return DiagnosticInfo.Create(Diagnostics.UrlBuilderCollision, byName ? attribute : method, problem.Detail, Role(problem.Route!), Role(problem.Other!), fix);
        }

        /// <summary>KILN043: the route is documented under the other's parameter names.</summary>
        private static DiagnosticInfo OpenApiParameterNames(TableProblem problem, SourceSpan? here, SourceSpan? there)
        {
            var route = problem.Route!.Definition;
            var other = problem.Other!.Definition;
            string Show(RouteDefinition d) => d.HttpMethod + " " + d.Template.Text;
            var additional = there is null ? Array.Empty<SourceSpan>() : new[] { there };
            var renamed = OpenApiPaths.SameValuesNamedOtherwise(problem.Route, problem.Other).Select(x => "<" + x.Name + "> named " + x.PathName).ToList();
            return DiagnosticInfo.Create(Diagnostics.OpenApiParameterNames, here, additional, Show(route), Show(other), there?.Display ?? "?", problem.Detail, And(renamed));
        }

        /// <summary>"GET /users/&lt;id&gt; (Users.Get(int))".</summary>
        private static string Route(RouteRef route) => route.Definition.HttpMethod + " " + route.Definition.Template.Text + " (" + Signature(route.Method) + ")";

        /// <summary>"Users.Get(int, string)": the method's name and parameter types, which tell overloads apart.</summary>
        private static string Signature(RouteMethod method) =>
            method.DisplayName + "(" + string.Join(", ", method.Parameters.Select(p => RouterModelBuilder.Short(p.TypeName))) + ")";

        private static string And(IReadOnlyList<string> items) =>
            items.Count <= 1 ? string.Join("", items) : string.Join(", ", items.Take(items.Count - 1)) + " and " + items[items.Count - 1];

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

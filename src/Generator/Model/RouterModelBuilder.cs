using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Kiln.Generator.Routing;
using ValueType = Kiln.Generator.Routing.ValueType;

namespace Kiln.Generator.Model
{
    /// <summary>
    /// The pure function from all method models to one router: orders the methods, resolves JSON contexts, assigns
    /// route IDs, builds the matcher, locates route values, wires the constructor, and returns the table's problems
    /// as data. Nothing here sees a symbol or a source location.
    /// </summary>
    internal static class RouterModelBuilder
    {
        /// <param name="methodModels">Every method with a route attribute (valid or not; one per route attribute class on it).</param>
        /// <param name="contexts">The project's JSON contexts.</param>
        /// <param name="declarations">The project's <c>[Router]</c> classes (the first is used).</param>
        /// <param name="defaultRouterWanted">Whether a project without any route attribute still gets <c>AppRouter</c>.</param>
        public static RouterBuildResult Build(ImmutableArray<RouteMethod> methodModels, ImmutableArray<JsonContextModel> contexts,
            ImmutableArray<RouterDeclaration> declarations, bool defaultRouterWanted)
        {
            bool anyRouteAttribute = methodModels.Length > 0;
            if (!anyRouteAttribute && declarations.Length == 0 && !defaultRouterWanted)
                return new RouterBuildResult(null, EquatableArray<TableProblem>.Empty);

            var problems = new List<TableProblem>();
            if (!anyRouteAttribute) problems.Add(new TableProblem(TableProblemKind.NoRoutes, null, null, ""));

            var methods = ValidMethodsInOrder(methodModels);
            var jsonTypes = ResolveJsonTypes(methods, contexts, problems, out var unserializable);
            // A method that cannot be emitted is left out (its error is reported); the rest of the router still builds.
            methods.RemoveAll(unserializable.Contains);

            var rows = RouteRows(methods);
            var entries = rows.Select((row, id) => RouteEntry.Create(id, row.Definition.HttpMethod, row.Definition.Template,
                name => row.Method.Parameter(name).Value!)).ToList();
            var (matcher, conflicts, error) = MatcherBuilder.Build(entries);
            if (error is not null)
            {
                problems.Add(new TableProblem(TableProblemKind.TooComplex, rows[0], null, error));
                return new RouterBuildResult(null, problems.ToEquatableArray());
            }
            foreach (var conflict in conflicts)
            {
                var kind = conflict.IsDuplicate ? TableProblemKind.DuplicateRoute : TableProblemKind.AmbiguousRoutes;
                problems.Add(new TableProblem(kind, rows[conflict.Second], rows[conflict.First], conflict.ExamplePath));
            }

            var methodIndex = new Dictionary<RouteMethod, int>();
            for (int i = 0; i < methods.Count; i++) methodIndex[methods[i]] = i;
            var routes = rows.Select((row, id) => new RouteModel(id, row.Definition.HttpMethod, row.Definition.Template,
                row.Definition.Name ?? row.Method.DisplayName, methodIndex[row.Method], RouteValues(entries[id], matcher))).ToEquatableArray();

            var declaration = declarations.FirstOrDefault();
            if (declaration is { IsValid: false }) declaration = null;
            var router = new RouterModel(
                Namespace: declaration is null ? "Kiln.Generated" : declaration.Namespace,
                ClassName: declaration?.Name ?? "AppRouter",
                Accessibility: declaration?.Accessibility ?? "public",
                IsUserDeclared: declaration is not null,
                Routes: routes,
                Methods: methods.ToEquatableArray(),
                Matcher: matcher,
                ConstructorArguments: ConstructorArguments(methods),
                JsonTypes: jsonTypes.ToEquatableArray(),
                Enums: Enums(methods),
                UrlGroups: UrlBuilderPlan.Build(methods, problems),
                OpenApiPaths: OpenApiPaths.Build(routes, rows, problems, conflicts.SelectMany(c => new[] { c.First, c.Second })));
            return new RouterBuildResult(router, problems.ToEquatableArray());
        }

        /// <summary>Valid methods, each once (a method arrives once per route attribute class on it), in ordinal order.</summary>
        private static List<RouteMethod> ValidMethodsInOrder(ImmutableArray<RouteMethod> methodModels) =>
            methodModels.Distinct().Where(m => m.IsValid)
                .OrderBy(m => m.ContainingType, StringComparer.Ordinal).ThenBy(m => m.MethodName, StringComparer.Ordinal)
                .ThenBy(m => string.Join(",", m.Parameters.Select(p => p.TypeName)), StringComparer.Ordinal).ToList();

        /// <summary>Every JSON type must be declared by some context; the first context (by name) that declares it is used.</summary>
        private static List<JsonTypeRef> ResolveJsonTypes(List<RouteMethod> methods, ImmutableArray<JsonContextModel> contexts,
            List<TableProblem> problems, out HashSet<RouteMethod> unserializable)
        {
            var jsonTypes = new List<JsonTypeRef>();
            unserializable = new HashSet<RouteMethod>();
            foreach (var method in methods)
            {
                foreach (var type in method.JsonTypes)
                {
                    if (jsonTypes.Any(j => j.TypeName == type)) continue;
                    var context = contexts.Where(c => c.Types.Contains(type)).OrderBy(c => c.ContextType, StringComparer.Ordinal).FirstOrDefault();
                    if (context is null)
                    {
                        problems.Add(new TableProblem(TableProblemKind.MissingJsonType, new RouteRef(method, 0), null, type));
                        unserializable.Add(method);
                        continue;
                    }
                    jsonTypes.Add(new JsonTypeRef(type, context.ContextType, jsonTypes.Count));
                }
            }
            return jsonTypes;
        }

        /// <summary>The route table: one row per (method, route), ordered by template, then HTTP method, then method; a row's index is its route ID.</summary>
        private static List<RouteRef> RouteRows(List<RouteMethod> methods)
        {
            var rows = new List<(RouteRef Ref, int MethodIndex)>();
            for (int i = 0; i < methods.Count; i++)
                for (int r = 0; r < methods[i].Routes.Count; r++)
                    rows.Add((new RouteRef(methods[i], r), i));
            return rows.OrderBy(r => r.Ref.Definition.Template.Text, StringComparer.Ordinal)
                .ThenBy(r => r.Ref.Definition.HttpMethod, StringComparer.Ordinal)
                .ThenBy(r => r.MethodIndex)
                .Select(r => r.Ref).ToList();
        }

        /// <summary>Where each of a route's values sits, including which matcher test splits a pattern segment.</summary>
        private static EquatableArray<RouteValueRef> RouteValues(RouteEntry entry, MatcherModel matcher)
        {
            var values = new List<RouteValueRef>();
            var segments = entry.Template.Segments;
            for (int s = 0; s < segments.Count; s++)
            {
                var segment = segments[s];
                if (segment.IsCatchAll) values.Add(new RouteValueRef(segment.Parts[0].Text, s, RouteValueKind.Rest));
                else if (segment.IsSimpleParameter) values.Add(new RouteValueRef(segment.Parts[0].Text, s, RouteValueKind.Segment));
                else if (!segment.IsLiteral)
                {
                    var names = segment.Parts.Where(p => p.IsParameter).Select(p => p.Text).ToList();
                    int test = matcher.TestFor(entry.Specs[s]);
                    for (int k = 0; k < names.Count; k++)
                        values.Add(new RouteValueRef(names[k], s, RouteValueKind.Pattern, test, k, names.Count));
                }
            }
            return values.ToEquatableArray();
        }

        /// <summary>Constructor: instance route classes, then middleware types, each in ordinal order of full name.</summary>
        private static EquatableArray<ConstructorArgument> ConstructorArguments(List<RouteMethod> methods)
        {
            var arguments = new List<ConstructorArgument>();
            var usedNames = new HashSet<string>(StringComparer.Ordinal);
            var internalTypes = new HashSet<string>(methods.SelectMany(m => m.InternalTypes), StringComparer.Ordinal);
            foreach (var type in methods.Where(m => !m.IsStatic).Select(m => m.ContainingType).Distinct().OrderBy(t => t, StringComparer.Ordinal))
                arguments.Add(new ConstructorArgument(type, UniqueName(type, usedNames), false, !internalTypes.Contains(type)));
            foreach (var type in methods.SelectMany(m => m.Middleware).Distinct().OrderBy(t => t, StringComparer.Ordinal))
                arguments.Add(new ConstructorArgument(type, UniqueName(type, usedNames), true, !internalTypes.Contains(type)));
            return arguments.ToEquatableArray();
        }

        /// <summary>The enum types parsed anywhere (route, query or header), each once, for one generated parser each.</summary>
        private static EquatableArray<ValueType> Enums(List<RouteMethod> methods) =>
            methods.SelectMany(m => m.Parameters).Where(p => p.Value?.Kind == ValueKind.Enum).Select(p => p.Value!)
                .GroupBy(v => v.TypeName).Select(g => g.First()).OrderBy(v => v.TypeName, StringComparer.Ordinal).ToEquatableArray();

        /// <summary>
        /// A fully qualified type name without its namespaces, type arguments included:
        /// <c>global::System.Collections.Generic.List&lt;global::App.Item&gt;</c> → <c>List&lt;Item&gt;</c>.
        /// </summary>
        internal static string Short(string typeName)
        {
            var result = new System.Text.StringBuilder(typeName.Length);
            int nameStart = 0;
            for (int i = 0; i <= typeName.Length; i++)
            {
                char c = i < typeName.Length ? typeName[i] : '\0';
                if (char.IsLetterOrDigit(c) || c == '_' || c == '@') continue;
                if (c == '.' || c == ':')
                {
                    nameStart = i + 1;
                    continue;
                }
                result.Append(typeName, nameStart, i - nameStart);
                if (i < typeName.Length) result.Append(c);
                nameStart = i + 1;
            }
            return result.ToString();
        }

        private static string UniqueName(string typeName, HashSet<string> used)
        {
            string simple = Short(typeName);
            int generic = simple.IndexOf('<');
            if (generic >= 0) simple = simple.Substring(0, generic);
            string name = char.ToLowerInvariant(simple[0]) + simple.Substring(1);
            string candidate = name;
            for (int i = 2; !used.Add(candidate); i++) candidate = name + i;
            return candidate;
        }
    }
}

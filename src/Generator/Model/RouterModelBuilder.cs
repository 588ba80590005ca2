using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Kiln.Generator.Routing;
using ValueType = Kiln.Generator.Routing.ValueType;

namespace Kiln.Generator.Model
{
    /// <summary>
    /// The pure function from all method models to one router: assigns route IDs in a deterministic order, types
    /// every template segment, builds the matcher, resolves JSON contexts and constructor wiring, and turns
    /// conflicts into diagnostics.
    /// </summary>
    internal static class RouterModelBuilder
    {
        public static RouterBuildResult Build(ImmutableArray<RouteMethod> methodModels, ImmutableArray<JsonContextModel> contexts, ImmutableArray<RouterDeclaration> declarations)
        {
            var diagnostics = new List<DiagnosticInfo>();
            // The same method arrives once per distinct route attribute class on it; the models are identical.
            var methods = methodModels.Distinct().Where(m => m.IsValid)
                .OrderBy(m => m.ContainingType, StringComparer.Ordinal).ThenBy(m => m.MethodName, StringComparer.Ordinal)
                .ThenBy(m => string.Join(",", m.Parameters.Select(p => p.TypeName)), StringComparer.Ordinal).ToList();

            var declaration = declarations.FirstOrDefault();
            foreach (var extra in declarations.Skip(1))
                diagnostics.Add(DiagnosticInfo.Create(Diagnostics.InvalidRouterDeclaration, extra.Location,
                    "Only one [Router] class is allowed per project; " + extra.Name + " repeats " + declaration!.Name + "."));
            if (declaration is not null && declaration.Diagnostics.Count > 0) declaration = null;
            if (methodModels.Length == 0 && declarations.Length == 0)
                return new RouterBuildResult(null, diagnostics.ToEquatableArray());

            // JSON types: every one must be declared by some context.
            var jsonTypes = new List<JsonTypeRef>();
            var unserializable = new HashSet<RouteMethod>();
            foreach (var method in methods)
            {
                foreach (var type in method.JsonTypes)
                {
                    if (jsonTypes.Any(j => j.TypeName == type)) continue;
                    var context = contexts.Where(c => c.Types.Contains(type)).OrderBy(c => c.ContextType, StringComparer.Ordinal).FirstOrDefault();
                    if (context is null)
                    {
                        var at = method.Routes.Count > 0 ? method.Routes[0].Location : null;
                        diagnostics.Add(DiagnosticInfo.Create(Diagnostics.MissingJsonTypeInfo, at, method.DisplayName + " (" + Short(type) + ")", type.Replace("global::", "")));
                        unserializable.Add(method);
                        continue;
                    }
                    jsonTypes.Add(new JsonTypeRef(type, context.ContextType, jsonTypes.Count));
                }
            }

            // A method that cannot be emitted is left out (its error is reported); the rest of the router still builds.
            methods = methods.Where(m => !unserializable.Contains(m)).ToList();

            // Route table: one row per (method, route attribute), ordered by template, then HTTP method.
            var rows = new List<(RouteMethod Method, int MethodIndex, RouteAttributeModel Attribute, RouteTemplate Template)>();
            for (int i = 0; i < methods.Count; i++)
                foreach (var attribute in methods[i].Routes)
                    rows.Add((methods[i], i, attribute, TemplateParser.Parse(attribute.Template).Template!));
            rows = rows.OrderBy(r => r.Attribute.Template, StringComparer.Ordinal).ThenBy(r => r.Attribute.Method, StringComparer.Ordinal)
                .ThenBy(r => r.MethodIndex).ToList();

            var routes = new List<RouteModel>();
            var entries = new List<RouteEntry>();
            var tests = new Dictionary<string, int>();
            for (int id = 0; id < rows.Count; id++)
            {
                var (method, methodIndex, attribute, template) = rows[id];
                ValueType TypeOf(string name) => method.Parameters.First(p => p.Name == name).Value!;
                var specs = template.Segments.Select(s => SegmentSpec.For(s, TypeOf)).ToEquatableArray();
                entries.Add(new RouteEntry(id, attribute.Method, attribute.Template, specs));
                routes.Add(new RouteModel(id, attribute.Method, attribute.Template, attribute.Name ?? method.DisplayName, methodIndex, EquatableArray<RouteValueRef>.Empty));
            }

            var (matcher, conflicts, error) = MatcherBuilder.Build(entries);
            if (error is not null)
            {
                diagnostics.Add(DiagnosticInfo.Create(Diagnostics.RouteTableTooComplex, rows.Count > 0 ? rows[0].Attribute.Location : null, error));
                return new RouterBuildResult(null, diagnostics.ToEquatableArray());
            }
            foreach (var conflict in conflicts)
            {
                var first = rows[conflict.First].Attribute;
                var second = rows[conflict.Second].Attribute;
                var here = second.TemplateOrArgument;
                var there = first.TemplateOrArgument;
                var additional = there is null ? Array.Empty<SourceSpan>() : new[] { there };
                diagnostics.Add(conflict.IsDuplicate
                    ? DiagnosticInfo.Create(Diagnostics.DuplicateRoute, here, additional, second.Method, second.Template, rows[conflict.First].Method.DisplayName, there?.Display ?? "?")
                    : DiagnosticInfo.Create(Diagnostics.AmbiguousRoutes, here, additional, second.Method, second.Template, first.Template, there?.Display ?? "?", conflict.ExamplePath));
            }

            // Where each route value sits, now that pattern tests have IDs.
            var testIds = matcher.Tests.ToDictionary(t => t.Spec.TestKey!, t => t.Id);
            for (int id = 0; id < rows.Count; id++)
            {
                var values = new List<RouteValueRef>();
                var template = rows[id].Template;
                for (int s = 0; s < template.Segments.Count; s++)
                {
                    var segment = template.Segments[s];
                    var spec = entries[id].Specs[s];
                    if (segment.IsCatchAll) values.Add(new RouteValueRef(segment.Parts[0].Text, s, true, -1, 0, 1));
                    else if (segment.IsSimpleParameter) values.Add(new RouteValueRef(segment.Parts[0].Text, s, false, -1, 0, 1));
                    else if (!segment.IsLiteral)
                    {
                        var names = segment.Parts.Where(p => p.IsParameter).Select(p => p.Text).ToList();
                        int test = testIds.TryGetValue(spec.TestKey!, out var t) ? t : -1;
                        for (int k = 0; k < names.Count; k++)
                            values.Add(new RouteValueRef(names[k], s, false, test, k, names.Count));
                    }
                }
                routes[id] = routes[id] with { Values = values.ToEquatableArray() };
            }

            // Constructor: instance route classes, then middleware types, each in ordinal order of full name.
            var arguments = new List<ConstructorArgument>();
            var usedNames = new HashSet<string>(StringComparer.Ordinal);
            foreach (var type in methods.Where(m => !m.IsStatic).Select(m => m.ContainingType).Distinct().OrderBy(t => t, StringComparer.Ordinal))
                arguments.Add(new ConstructorArgument(type, UniqueName(type, usedNames), false));
            foreach (var type in methods.SelectMany(m => m.Middleware).Distinct().OrderBy(t => t, StringComparer.Ordinal))
                arguments.Add(new ConstructorArgument(type, UniqueName(type, usedNames), true));

            var enums = methods.SelectMany(m => m.Parameters).Where(p => p.Value?.Kind == ValueKind.Enum).Select(p => p.Value!)
                .GroupBy(v => v.TypeName).Select(g => g.First()).OrderBy(v => v.TypeName, StringComparer.Ordinal).ToEquatableArray();

            var router = new RouterModel(
                declaration?.Namespace ?? (declaration is null ? "Kiln.Generated" : null),
                declaration?.Name ?? "AppRouter",
                declaration?.Accessibility ?? "public",
                declaration is not null,
                routes.ToEquatableArray(),
                methods.ToEquatableArray(),
                matcher,
                arguments.ToEquatableArray(),
                jsonTypes.ToEquatableArray(),
                enums);
            return new RouterBuildResult(router, diagnostics.ToEquatableArray());
        }

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

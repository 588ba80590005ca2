using System.Collections.Generic;
using System.Linq;

namespace Kiln.Generator.Model
{
    /// <summary>What an argument of a URL builder is.</summary>
    internal enum UrlArgumentKind
    {
        /// <summary>A route value: required, the parameter's type.</summary>
        Route,
        /// <summary>A required query value: the parameter's type.</summary>
        RequiredQuery,
        /// <summary>An optional query value: nullable, default <c>null</c>.</summary>
        OptionalQuery,
        /// <summary>A query collection: <c>IEnumerable&lt;T&gt;?</c>, default <c>null</c>.</summary>
        QueryCollection,
    }

    /// <summary>One argument of a URL builder: the method parameter it comes from and how it is declared.</summary>
    internal sealed record UrlArgument(ParameterModel Parameter, UrlArgumentKind Kind)
    {
        /// <summary>The argument's type as the builder declares it.</summary>
        public string TypeName => Kind switch
        {
            UrlArgumentKind.QueryCollection => "global::System.Collections.Generic.IEnumerable<" + Parameter.Value!.TypeName + ">?",
            UrlArgumentKind.OptionalQuery => Parameter.Value!.TypeName + "?",
            _ => Parameter.Value!.TypeName,
        };

        /// <summary>
        /// The type as overload resolution compares it: a nullable annotation on a reference type is not part of a
        /// signature (<c>string?</c> is <c>string</c>), <c>int?</c> is <c>Nullable&lt;int&gt;</c>; defaults do not count.
        /// Every builder argument is passed by value, so ref-kinds never differ.
        /// </summary>
        public string SignatureType => Kind switch
        {
            UrlArgumentKind.QueryCollection => "global::System.Collections.Generic.IEnumerable<" + Parameter.Value!.TypeName + ">",
            // A type Kiln cannot tell is a struct (any ISpanParsable<T>) counts as a reference type: a false collision
            // costs a warning, a missed one a compile error.
            UrlArgumentKind.OptionalQuery when Parameter.Value!.Kind is not (Routing.ValueKind.String or Routing.ValueKind.SpanParsable) => Parameter.Value.TypeName + "?",
            _ => Parameter.Value!.TypeName,
        };

        public bool IsOptional => Kind is UrlArgumentKind.OptionalQuery or UrlArgumentKind.QueryCollection;
    }

    /// <summary>One typed URL builder: the route it writes and its name under <c>Urls.&lt;Type&gt;</c>.</summary>
    /// <param name="Method">The route method, as an index into <see cref="RouterModel.Methods"/>.</param>
    /// <param name="Route">The route, as an index into the method's routes.</param>
    /// <param name="Class">The class it sits in under <c>Urls.&lt;Type&gt;</c> (the method's name) when the method has several
    /// routes; null when the builder is <c>Urls.&lt;Type&gt;.&lt;Method&gt;</c> itself.</param>
    /// <param name="Name">The builder method's name.</param>
    internal sealed record UrlBuilderModel(int Method, int Route, string? Class, string Name);

    /// <summary>The URL builders of one route class: <c>Urls.&lt;Name&gt;</c>, in emission order (builders of one class adjacent).</summary>
    /// <param name="Name">The class's simple name.</param>
    /// <param name="ContainingType">The route class, fully qualified.</param>
    /// <param name="Builders">Its builders.</param>
    internal sealed record UrlGroupModel(string Name, string ContainingType, EquatableArray<UrlBuilderModel> Builders);

    /// <summary>
    /// Which URL builders the router gets — one rule, asked by the model builder (for the diagnostics KILN041 and KILN042)
    /// and followed by the emitter. Builders live in <c>Urls.&lt;simple type name&gt;</c>, so two things can make the
    /// generated file invalid C#, and each leaves the builders concerned out with a warning instead: two builders in one
    /// class with the same name and the same parameter types as overload resolution sees them (KILN041), and a route class
    /// that has no <c>Urls.&lt;Type&gt;</c> of its own — one named <c>Urls</c>, or two classes with the same simple name
    /// (KILN042; merged, an argument's type would silently pick which class's route a URL is for).
    /// </summary>
    internal static class UrlBuilderPlan
    {
        /// <summary>The arguments of the builder of route <paramref name="route"/> of <paramref name="method"/>, in order:
        /// route values in template order, required query values, optional query values (method order).</summary>
        public static List<UrlArgument> Arguments(RouteMethod method, int route)
        {
            var arguments = method.Routes[route].Template.Segments.SelectMany(s => s.Parts).Where(p => p.IsParameter)
                .Select(p => new UrlArgument(method.Parameter(p.Text), UrlArgumentKind.Route)).ToList();
            var query = method.Parameters.Where(p => p.Source == ParameterSource.Query).ToList();
            arguments.AddRange(query.Where(p => !p.IsOptional && p.Collection is null).Select(p => new UrlArgument(p, UrlArgumentKind.RequiredQuery)));
            arguments.AddRange(query.Where(p => p.IsOptional || p.Collection is not null)
                .Select(p => new UrlArgument(p, p.Collection is not null ? UrlArgumentKind.QueryCollection : UrlArgumentKind.OptionalQuery)));
            return arguments;
        }

        /// <summary>The builder as C# names it in a message: <c>Urls.Users.Get.ById(int, string?)</c>.</summary>
        public static string Display(RouteMethod method, UrlBuilderModel builder) =>
            "Urls." + method.ContainingTypeName + "." + (builder.Class is null ? "" : builder.Class + ".") + builder.Name
            + "(" + string.Join(", ", Arguments(method, builder.Route).Select(a => RouterModelBuilder.Short(a.TypeName))) + ")";

        /// <summary>The builders of <paramref name="methods"/> (the router's, in its order), grouped by class; the ones
        /// left out are added to <paramref name="problems"/>.</summary>
        public static EquatableArray<UrlGroupModel> Build(IReadOnlyList<RouteMethod> methods, List<TableProblem> problems)
        {
            var groups = new List<UrlGroupModel>();
            var named = Enumerable.Range(0, methods.Count).Where(i => UrlBuilderNames.For(methods[i], out _) is not null);
            foreach (var group in named.GroupBy(i => methods[i].ContainingTypeName).OrderBy(g => g.Key, System.StringComparer.Ordinal))
            {
                var types = group.Select(i => methods[i].ContainingType).Distinct().ToList();
                if (group.Key == "Urls" || types.Count > 1)
                {
                    foreach (int i in group)
                    {
                        var others = group.Where(j => methods[j].ContainingType != methods[i].ContainingType).ToList();
                        problems.Add(new TableProblem(TableProblemKind.UrlClassNotOwn, new RouteRef(methods[i], 0),
                            others.Count == 0 ? null : new RouteRef(methods[others[0]], 0), string.Join(", ", types.Select(t => t.Replace("global::", "")))));
                    }
                    continue;
                }
                var builders = group.SelectMany(i => Candidates(methods[i], i)).ToList();
                var left = new HashSet<UrlBuilderModel>();
                SameSignatures(methods, builders, left, problems);
                ClassesNamedLikeBuilders(methods, builders, left, problems);
                var kept = builders.Where(b => !left.Contains(b)).ToEquatableArray();
                if (kept.Count > 0) groups.Add(new UrlGroupModel(group.Key, types[0], kept));
            }
            return groups.ToEquatableArray();
        }

        /// <summary>The builders <paramref name="method"/> would get, before collisions.</summary>
        private static IEnumerable<UrlBuilderModel> Candidates(RouteMethod method, int index)
        {
            var names = UrlBuilderNames.For(method, out _)!;
            if (method.Routes.Count == 1) return new[] { new UrlBuilderModel(index, 0, null, names[0]) };
            return names.Select((name, route) => new UrlBuilderModel(index, route, method.MethodName, name));
        }

        /// <summary>Builders in one class with one name and the same parameter types (CS0111): all of them are left out.</summary>
        private static void SameSignatures(IReadOnlyList<RouteMethod> methods, List<UrlBuilderModel> builders, HashSet<UrlBuilderModel> left, List<TableProblem> problems)
        {
            foreach (var same in builders.GroupBy(b => b.Class + "." + b.Name + "(" + string.Join(",", Arguments(methods[b.Method], b.Route).Select(a => a.SignatureType)) + ")")
                .Where(g => g.Count() > 1))
            {
                var list = same.ToList();
                for (int k = 0; k < list.Count; k++)
                {
                    var b = list[k];
                    var other = list[k == 0 ? 1 : 0];
                    left.Add(b);
                    problems.Add(new TableProblem(TableProblemKind.UrlBuilderCollision, new RouteRef(methods[b.Method], b.Route),
                        new RouteRef(methods[other.Method], other.Route), Display(methods[b.Method], b)));
                }
            }
        }

        /// <summary>
        /// A single-route method's builder named like the class of a method with several routes (<c>Get(int)</c> beside
        /// <c>Get(string)</c> with named routes, CS0102): both methods' builders are left out. Methods with several routes
        /// and one name share that class.
        /// </summary>
        private static void ClassesNamedLikeBuilders(IReadOnlyList<RouteMethod> methods, List<UrlBuilderModel> builders, HashSet<UrlBuilderModel> left, List<TableProblem> problems)
        {
            var reported = new HashSet<int>();
            foreach (var single in builders.Where(b => b.Class is null).ToList())
            {
                var nested = builders.Where(b => b.Class == single.Name).ToList();
                if (nested.Count == 0) continue;
                string detail = "Urls." + methods[single.Method].ContainingTypeName + "." + single.Name;
                left.Add(single);
                problems.Add(new TableProblem(TableProblemKind.UrlBuilderNamedLikeClass, new RouteRef(methods[single.Method], 0),
                    new RouteRef(methods[nested[0].Method], nested[0].Route), detail));
                foreach (int method in nested.Select(b => b.Method).Distinct())
                {
                    if (!reported.Add(method)) continue;   // reported once per method
                    foreach (var b in nested.Where(b => b.Method == method)) left.Add(b);
                    problems.Add(new TableProblem(TableProblemKind.UrlBuilderNamedLikeClass, new RouteRef(methods[method], 0),
                        new RouteRef(methods[single.Method], 0), detail));
                }
            }
        }
    }
}

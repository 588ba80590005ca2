using System.Collections.Generic;
using System.Linq;
using Kiln.Generator.Routing;

namespace Kiln.Generator.Model
{
    /// <summary>One path item of the OpenAPI document: its path and the routes documented under it.</summary>
    /// <param name="Path">The OpenAPI path (<c>/accounts/{id}</c>), with the parameter names of its first route.</param>
    /// <param name="Routes">The routes documented as its operations (IDs into <see cref="RouterModel.Routes"/>), one per HTTP
    /// method, in the order of <see cref="OpenApiPaths.DocumentedMethods"/>.</param>
    internal sealed record OpenApiPathItem(string Path, EquatableArray<int> Routes);

    /// <summary>
    /// How routes become OpenAPI path items — one rule, asked by the model builder (for KILN043) and followed by the
    /// emitter. OpenAPI 3.1 calls two templated paths that differ only in parameter names identical, and a path item has
    /// one operation per HTTP method. So routes whose paths have one shape (<c>/a/&lt;x&gt;</c>, <c>/a/&lt;y&gt;</c>,
    /// <c>/a/&lt;*rest&gt;</c>) are one path item, named by the first of them (in HTTP method order, then table order); a
    /// route that names its parameters otherwise is documented under the item's names (a path parameter's name is never
    /// sent, so clients build the same URL), with KILN043 when it names the same value differently, and a second route with the same HTTP method — the router tells
    /// such routes apart by their values' types, a documented feature — is left out, as documented. Either way the
    /// document stays valid.
    /// </summary>
    internal static class OpenApiPaths
    {
        /// <summary>The path-item fields OpenAPI 3.1 has for HTTP methods; routes with other methods are left out.</summary>
        public static readonly string[] DocumentedMethods = { "GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE" };

        /// <summary>A Kiln template as an OpenAPI path: <c>&lt;id&gt;</c> and <c>&lt;*path&gt;</c> become <c>{id}</c> and <c>{path}</c>.</summary>
        public static string PathOf(RouteTemplate template) => Path(template, part => part.Text);

        /// <summary>The template's parameter names in order (what <see cref="PathOf"/> writes in braces).</summary>
        public static List<string> ParameterNames(RouteTemplate template) =>
            template.Segments.SelectMany(s => s.Parts).Where(p => p.IsParameter).Select(p => p.Text).ToList();

        /// <summary>
        /// The path parameters of <paramref name="route"/> that the path item names after <paramref name="first"/>'s
        /// although they are the same value — at the same position, both one segment or both a catch-all, of one type —
        /// so one name would fit both (KILN043). Parameters that are different values (an <c>int id</c> beside a
        /// <c>string slug</c>, a catch-all beside a segment) are renamed in the document too, but their names differ for
        /// a reason: that is OpenAPI's limit, documented, not a mistake to warn about.
        /// </summary>
        public static List<(string Name, string PathName)> SameValuesNamedOtherwise(RouteRef route, RouteRef first)
        {
            var mine = route.Definition.Template.Segments.SelectMany(s => s.Parts).Where(p => p.IsParameter).ToList();
            var theirs = first.Definition.Template.Segments.SelectMany(s => s.Parts).Where(p => p.IsParameter).ToList();
            var renamed = new List<(string, string)>();
            for (int i = 0; i < mine.Count; i++)
            {
                if (mine[i].Text == theirs[i].Text || mine[i].IsCatchAll != theirs[i].IsCatchAll) continue;
                if (route.Method.Parameter(mine[i].Text).Value!.TypeName != first.Method.Parameter(theirs[i].Text).Value!.TypeName) continue;
                renamed.Add((mine[i].Text, theirs[i].Text));
            }
            return renamed;
        }

        private static string Path(RouteTemplate template, System.Func<TemplatePart, string> parameter) =>
            "/" + string.Join("/", template.Segments.Select(s => string.Concat(s.Parts.Select(p => p.IsParameter ? "{" + parameter(p) + "}" : p.Text))));

        /// <summary>The path items of <paramref name="routes"/>, ordered by path; what they leave unsaid goes to
        /// <paramref name="problems"/> (<paramref name="rows"/> are the routes' references, by ID), except for routes that
        /// already conflict (KILN007, KILN008).</summary>
        public static EquatableArray<OpenApiPathItem> Build(IReadOnlyList<RouteModel> routes, IReadOnlyList<RouteRef> rows, List<TableProblem> problems,
            IEnumerable<int> conflicting)
        {
            var reported = new HashSet<int>(conflicting);
            void Report(RouteModel route, RouteModel other, string path)
            {
                if (!reported.Contains(route.Id) && !reported.Contains(other.Id))
                    problems.Add(new TableProblem(TableProblemKind.OpenApiParameterNames, rows[route.Id], rows[other.Id], path));
            }
            var items = new List<OpenApiPathItem>();
            var documented = routes.Where(r => DocumentedMethods.Contains(r.HttpMethod))
                .OrderBy(r => System.Array.IndexOf(DocumentedMethods, r.HttpMethod)).ThenBy(r => r.Id);
            foreach (var shape in documented.GroupBy(r => Path(r.Template, _ => "")))
            {
                var first = shape.First();
                var names = ParameterNames(first.Template);
                var operations = new List<int>();
                foreach (var route in shape)
                {
                    // A path item has one operation per method: of routes the router tells apart by their values' types
                    // (GET /items/<id> for an int, GET /items/<slug>), the document shows the first (docs/openapi.md).
                    if (shape.First(r => r.HttpMethod == route.HttpMethod) != route) continue;
                    operations.Add(route.Id);
                    if (SameValuesNamedOtherwise(rows[route.Id], rows[first.Id]).Count > 0)
                        Report(route, first, PathOf(first.Template));
                }
                items.Add(new OpenApiPathItem(PathOf(first.Template), operations.ToEquatableArray()));
            }
            return items.OrderBy(i => i.Path, System.StringComparer.Ordinal).ToEquatableArray();
        }
    }
}
